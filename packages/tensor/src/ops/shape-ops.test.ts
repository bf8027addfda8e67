import { describe, expect, it } from "vitest";
import { gradcheck } from "../autograd/gradcheck.js";
import { DTypeError, IndexError, ShapeError, ValueError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { arange } from "./creation.js";
import { mul } from "./elementwise.js";
import { embedding, gather, indexSelect, scatterAdd } from "./indexing.js";
import { randn } from "./random.js";
import { cat, chunk, flip, maskedFill, split, stack, where } from "./shape-ops.js";
import { argsort, sort, topk } from "./sort.js";

const i32 = (v: number[], shape?: number[]) => Tensor.from(v, shape ?? [v.length], "i32");
const bool = (v: number[], shape?: number[]) => Tensor.from(v, shape ?? [v.length], "bool");

describe("joining and splitting", () => {
  it("cat and stack", () => {
    const a = arange(6, undefined, 1, "f32").reshape([2, 3]);
    const b = arange(2, undefined, 1, "f32").reshape([2, 1]);
    expect(cat([a, b], 1).toArray()).toEqual([0, 1, 2, 0, 3, 4, 5, 1]);
    expect(cat([a, a.slice(0, 1)], 0).shape).toEqual([3, 3]);
    expect(cat([a.transpose(), a.transpose()], -1).toArray()).toEqual([
      0, 3, 0, 3, 1, 4, 1, 4, 2, 5, 2, 5,
    ]);
    expect(stack([a, a], 2).shape).toEqual([2, 3, 2]);
    expect(stack([a, a], 2).toArray().slice(0, 4)).toEqual([0, 0, 1, 1]);
    expect(() => cat([a, b], 0)).toThrow(ShapeError);
    expect(() => cat([a, i32([1, 2, 3], [1, 3])], 0)).toThrow(DTypeError);
    expect(() => stack([a, b])).toThrow(ShapeError);
    expect(() => cat([])).toThrow(ValueError);
  });

  it("split and chunk", () => {
    const t = arange(5);
    expect(split(t, 2).map((p) => p.toArray())).toEqual([[0, 1], [2, 3], [4]]);
    expect(split(t, [1, 4]).map((p) => p.shape)).toEqual([[1], [4]]);
    expect(chunk(arange(6), 4).map((p) => p.toArray())).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(() => split(t, [1, 1])).toThrow(ShapeError);
  });

  it("where, maskedFill, flip", () => {
    expect(where(bool([1, 0, 1]), Tensor.from([1, 2, 3]), 0).toArray()).toEqual([1, 0, 3]);
    expect(where(bool([1, 0], [2, 1]), Tensor.from([1, 2]), Tensor.from([7])).toArray()).toEqual([
      1, 2, 7, 7,
    ]);
    expect(
      maskedFill(Tensor.from([1, 2, 3, 4], [2, 2]), bool([0, 1]), -Infinity).toArray(),
    ).toEqual([1, -Infinity, 3, -Infinity]);
    expect(() => where(Tensor.from([1]), 1, 2)).toThrow(DTypeError);
    expect(() => maskedFill(Tensor.from([1, 2]), bool([1, 0, 1]), 0)).toThrow(ShapeError);
    const m = arange(6).reshape([2, 3]);
    expect(flip(m).toArray()).toEqual([5, 4, 3, 2, 1, 0]);
    expect(flip(m, 1).toArray()).toEqual([2, 1, 0, 5, 4, 3]);
    expect(flip(m.transpose(), 0).toArray()).toEqual([2, 5, 1, 4, 0, 3]);
  });

  it("have correct gradients", () => {
    const a = randn([2, 3], { seed: 1 });
    const b = randn([2, 2], { seed: 2 });
    const mask = bool([1, 0, 0, 1, 1, 0], [2, 3]);
    gradcheck((x, y) => cat([x!, y!, x!], 1), [a, b]);
    gradcheck((x) => stack([x!, mul(x!, 2)], 1), [a]);
    gradcheck((x) => mul(split(x!, [1, 2], 1)[1]!, 3), [a]);
    gradcheck((x, y) => where(mask, x!, y!), [a, randn([3], { seed: 3 })]);
    gradcheck((x) => maskedFill(x!, mask, 0), [a]);
    gradcheck((x) => flip(x!, [0, 1]), [a]);
  });
});

describe("indexing", () => {
  const t = Tensor.from([1, 2, 3, 4, 5, 6], [3, 2]);

  it("indexSelect and embedding", () => {
    expect(indexSelect(t, 0, i32([2, 0])).toArray()).toEqual([5, 6, 1, 2]);
    expect(indexSelect(t, 1, i32([1, 1, 0])).toArray()).toEqual([2, 2, 1, 4, 4, 3, 6, 6, 5]);
    const e = embedding(t, i32([2, 1, 0, 2], [2, 2]));
    expect(e.shape).toEqual([2, 2, 2]);
    expect(e.toArray()).toEqual([5, 6, 3, 4, 1, 2, 5, 6]);
    expect(() => indexSelect(t, 0, i32([3]))).toThrow(/index 3 .*size 3/);
    expect(() => indexSelect(t, 0, i32([-1]))).toThrow(IndexError);
    expect(() => indexSelect(t, 0, Tensor.from([0]))).toThrow(DTypeError);
    expect(() => embedding(arange(3), i32([0]))).toThrow(ShapeError);
  });

  it("gather and scatterAdd are transposes", () => {
    const m = Tensor.from([1, 2, 3, 4], [2, 2]);
    expect(gather(m, 1, i32([1, 1, 0, 1], [2, 2])).toArray()).toEqual([2, 2, 3, 4]);
    expect(gather(m, 0, i32([1, 0], [1, 2])).toArray()).toEqual([3, 2]);
    expect(gather(m.transpose(), 1, i32([1, 0], [2, 1])).toArray()).toEqual([3, 2]);
    expect(
      scatterAdd(Tensor.from([0, 0, 0]), 0, i32([0, 2, 0]), Tensor.from([1, 2, 3])).toArray(),
    ).toEqual([4, 0, 2]);
    const z = Tensor.from([10, 20, 30, 40], [2, 2]);
    expect(
      scatterAdd(z, 1, i32([0, 0, 1, 1], [2, 2]), Tensor.from([1, 2, 3, 4], [2, 2])).toArray(),
    ).toEqual([13, 20, 30, 47]);
    expect(() => gather(m, 1, i32([2], [1, 1]))).toThrow(/index 2 .*size 2/);
    expect(() => gather(m, 1, i32([0, 0, 0], [3, 1]))).toThrow(ShapeError);
    expect(() => scatterAdd(m, 0, i32([0], [1, 1]), Tensor.from([1, 2], [1, 2]))).toThrow(
      ShapeError,
    );
  });

  it("have correct gradients (repeated indices accumulate)", () => {
    const w = randn([4, 3], { seed: 4 });
    gradcheck((x) => embedding(x!, i32([3, 1, 3, 0, 3], [5])), [w]);
    gradcheck((x) => indexSelect(x!, 1, i32([2, 2, 0], [3, 1])), [w]);
    gradcheck((x) => gather(x!, 0, i32([0, 3, 3, 1, 1, 1], [2, 3])), [w]);
    gradcheck(
      (x, s) => scatterAdd(x!, 1, i32([0, 2, 2, 1, 0, 0], [2, 3]), s!),
      [w, randn([2, 3], { seed: 5 })],
    );
  });
});

describe("sorting", () => {
  it("sorts stably, NaN last", () => {
    const { values, indices } = sort(Tensor.from([3, 1, NaN, 1, 2]));
    expect(values.toArray()).toEqual([1, 1, 2, 3, NaN]);
    expect(indices.toArray()).toEqual([1, 3, 4, 0, 2]);
    expect(argsort(Tensor.from([3, 1, 2]), -1, true).toArray()).toEqual([0, 2, 1]);
    const m = Tensor.from([3, 1, 2, 0, 5, 4], [2, 3]);
    expect(sort(m, 0).values.toArray()).toEqual([0, 1, 2, 3, 5, 4]);
    expect(sort(m, 0).indices.toArray()).toEqual([1, 0, 0, 0, 1, 1]);
    expect(argsort(m.transpose(), 0).toArray()).toEqual([1, 0, 2, 2, 0, 1]);
  });

  it("topk picks largest or smallest, ties by index", () => {
    const r = topk(Tensor.from([1, 5, 3, 5]), 2);
    expect(r.values.toArray()).toEqual([5, 5]);
    expect(r.indices.toArray()).toEqual([1, 3]);
    const m = Tensor.from([3, 1, 2, 0, 5, 4], [2, 3]);
    expect(topk(m, 1, { axis: 0, largest: false }).values.toArray()).toEqual([0, 1, 2]);
    expect(topk(m, 2).indices.toArray()).toEqual([0, 2, 1, 2]);
    expect(() => topk(m, 4)).toThrow(IndexError);
  });

  it("passes gradients to the selected entries", () => {
    const a = randn([3, 5], { seed: 8 });
    gradcheck((x) => topk(x!, 2).values, [a]);
    gradcheck((x) => sort(x!, 0, true).values, [a]);
  });
});
