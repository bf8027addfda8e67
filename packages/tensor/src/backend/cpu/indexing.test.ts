import { describe, expect, it } from "vitest";
import { IndexError } from "../../errors.js";
import { embedding, gather, indexSelect, scatterAdd } from "../../ops/indexing.js";
import { Tensor } from "../../tensor.js";
import type { GatherKernel, IndexSelectKernel, ScatterAddKernel } from "../kernels.js";
import { withBackend } from "../registry.js";
import { cpuKernel, forEachConfig, int, normal, rng, skipNative } from "./testkit.js";
import { expectSameBits, randomShape, randomView } from "./viewkit.js";

const DIMS = [1, 2, 3, 5, 7, 17];

describe.skipIf(skipNative)("cpu indexSelect / embedding / gather / scatterAdd", () => {
  it("equal the js backend bit for bit on strided views, f32 and i32, every ISA and thread count", () => {
    const r = rng(21);
    const cases = Array.from({ length: 12 }, (_, c) => {
      const dtype = c % 3 === 2 ? ("i32" as const) : ("f32" as const);
      const shape = randomShape(r, 1, 4, DIMS);
      const gen = dtype === "f32" ? normal(r) : () => int(r, -1000, 1000);
      const t = randomView(r, shape, gen, dtype);
      const axis = int(r, 0, shape.length - 1);
      const size = shape[axis]!;
      const selIdx = randomView(r, randomShape(r, 0, 2, DIMS), () => int(r, 0, size - 1), "i32");
      const gShape = shape.map((d, i) => (i === axis ? int(r, 1, 9) : int(r, 1, d)));
      const gIdx = randomView(r, gShape, () => int(r, 0, size - 1), "i32");
      const src = randomView(r, gShape, normal(r));
      return { t, axis, selIdx, gIdx, src, label: `${dtype} ${shape} axis ${axis}` };
    });
    const run = () =>
      cases.map(({ t, axis, selIdx, gIdx, src }) => ({
        sel: indexSelect(t, axis, selIdx).toArray(),
        gat: gather(t, axis, gIdx).toArray(),
        sca: t.dtype === "f32" ? scatterAdd(t, axis, gIdx, src).toArray() : [],
        emb: t.ndim === 2 && axis === 0 ? embedding(t, selIdx).toArray() : [],
      }));
    const want = withBackend("js", run);
    forEachConfig((cfg) => {
      const got = withBackend("cpu", run);
      cases.forEach(({ label }, c) => {
        for (const k of ["sel", "gat", "sca", "emb"] as const)
          expectSameBits(`${cfg} ${label} ${k}`, got[c]![k], want[c]![k]);
      });
    });
  });

  it("kernels write what the js ops compute and reject bad indices and shapes", () => {
    const indexSelectK = cpuKernel<IndexSelectKernel>("indexSelect");
    const gatherK = cpuKernel<GatherKernel>("gather");
    const scatterK = cpuKernel<ScatterAddKernel>("scatterAdd");
    const src = Float32Array.from({ length: 24 }, (_, i) => i * 1.5);
    const out = new Float32Array(2 * 3 * 4);
    indexSelectK(src, Int32Array.of(2, 0, 2), out, 2, 3, 4);
    const t = Tensor.from(src, [2, 3, 4]);
    const idx = Tensor.from([2, 0, 2], [3], "i32");
    expect([...out]).toEqual(withBackend("js", () => indexSelect(t, 1, idx).toArray()));
    expect(() => indexSelectK(src, Int32Array.of(0, 3), out, 2, 3, 4)).toThrow(
      /index 3 at position 1 .*size 3/,
    );
    expect(() => indexSelectK(src, Int32Array.of(-1), out, 2, 3, 4)).toThrow(RangeError);
    expect(() => indexSelectK(src, Int32Array.of(0), new Int32Array(8), 2, 3, 4)).toThrow(
      TypeError,
    );
    expect(() => indexSelectK(src, Int32Array.of(0), out, 2, 4, 4)).toThrow(
      /argument src .*too short/,
    );
    const g = new Float32Array(4);
    gatherK(src, Int32Array.of(1, 0, 2, 2), g, Int32Array.of(2, 2), Int32Array.of(4, 1), 1, 4);
    expect([...g]).toEqual([1.5, 0, 9, 9]);
    expect(() =>
      gatherK(src, Int32Array.of(1, 0, 4, 2), g, Int32Array.of(2, 2), Int32Array.of(4, 1), 1, 4),
    ).toThrow(/index 4 at position 2/);
    expect(() =>
      gatherK(src, Int32Array.of(0, 0, 0, 0), g, Int32Array.of(2, 2), Int32Array.of(4, 1), 1, 99),
    ).toThrow(/src .*too short/);
    expect(() =>
      gatherK(src, Int32Array.of(0, 0, 0, 0), g, Int32Array.of(2, 2), Int32Array.of(4, -1), 1, 4),
    ).toThrow(RangeError);
    const dst = new Float32Array(4);
    scatterK(
      dst,
      Int32Array.of(3, 3, 0),
      Float32Array.of(1, 2, 3),
      Int32Array.of(3),
      Int32Array.of(1),
      0,
      4,
    );
    expect([...dst]).toEqual([3, 0, 0, 3]);
    expect(() =>
      scatterK(dst, Int32Array.of(4), Float32Array.of(1), Int32Array.of(1), Int32Array.of(1), 0, 4),
    ).toThrow(/index 4/);
    withBackend("cpu", () => {
      expect(() => indexSelect(t, 1, Tensor.from([3], [1], "i32"))).toThrow(IndexError);
      expect(() => gather(t, 0, Tensor.from([2], [1, 1, 1], "i32"))).toThrow(IndexError);
    });
  });
});
