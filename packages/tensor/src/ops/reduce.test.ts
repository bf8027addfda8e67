import { describe, expect, it } from "vitest";
import { gradcheck } from "../autograd/gradcheck.js";
import { IndexError, ValueError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { cast } from "./cast.js";
import { arange } from "./creation.js";
import { randn } from "./random.js";
import * as R from "./reduce.js";

const x = arange(24, undefined, 1, "f32").reshape([2, 3, 4]);

describe("reductions", () => {
  it("sum over any axes with keepdims", () => {
    expect(R.sum(x).item()).toBe(276);
    expect(R.sum(x, 0).toArray()).toEqual([12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34]);
    expect(R.sum(x, [0, 2]).toArray()).toEqual([60, 92, 124]);
    expect(R.sum(x, [-1, 0], true).shape).toEqual([1, 3, 1]);
    expect(R.sum(x, 1, true).shape).toEqual([2, 1, 4]);
    expect(R.sum(x.transpose(0, 2), 1).toArray()).toEqual(R.sum(x, 1).transpose().toArray());
    expect(R.sum(Tensor.from([1, 1, 0], [3], "bool")).dtype).toBe("i32");
    expect(R.sum(Tensor.from([1, 1, 0], [3], "bool")).item()).toBe(2);
    expect(R.sum(Tensor.empty([0, 3]), 0).toArray()).toEqual([0, 0, 0]);
  });

  it("accumulates in f64", () => {
    const big = Tensor.from([1e8, 1, -1e8, 1]);
    expect(R.sum(big).item()).toBe(2);
    const h = cast(Tensor.from(new Array(4096).fill(1)), "f16");
    expect(R.sum(h).item()).toBe(4096); // a running f16 sum would stall at 2048
  });

  it("mean, max, min, argmax, argmin", () => {
    expect(R.mean(x, [1, 2]).toArray()).toEqual([5.5, 17.5]);
    expect(R.mean(Tensor.from([1, 2], [2], "i32")).dtype).toBe("f32");
    const y = Tensor.from([3, 1, 3, 0, 5, 5], [2, 3]);
    expect(R.max(y, 1).toArray()).toEqual([3, 5]);
    expect(R.min(y, 1, true).toArray()).toEqual([1, 0]);
    expect(R.argmax(y, 1).toArray()).toEqual([0, 1]);
    expect(R.argmin(y, 0).toArray()).toEqual([1, 0, 0]);
    expect(R.argmax(y).item()).toBe(4);
    expect(R.argmax(y, 1).dtype).toBe("i32");
    expect(R.max(Tensor.from([1, NaN, 2])).item()).toBeNaN();
    expect(R.argmax(Tensor.from([1, NaN, 2])).item()).toBe(1);
    expect(() => R.max(Tensor.empty([0]))).toThrow(ValueError);
    expect(() => R.sum(x, 3)).toThrow(IndexError);
  });

  it("logsumexp, norm, variance, std", () => {
    const v = Tensor.from([1000, 1000, -Infinity]);
    expect(R.logsumexp(v).item()).toBeCloseTo(1000 + Math.log(2), 3);
    expect(R.logsumexp(Tensor.from([-Infinity, -Infinity])).item()).toBe(-Infinity);
    expect(R.norm(Tensor.from([3, 4])).item()).toBe(5);
    expect(R.norm(Tensor.from([3, -4]), 1).item()).toBe(7);
    expect(R.norm(Tensor.from([3, -4]), Infinity).item()).toBe(4);
    expect(R.norm(x, 2, [1], true).shape).toEqual([2, 1, 4]);
    expect(() => R.norm(x, 3)).toThrow(ValueError);
    expect(R.variance(Tensor.from([1, 2, 3, 4])).item()).toBeCloseTo(5 / 3, 6);
    expect(R.variance(Tensor.from([1, 2, 3, 4]), 0, false, 0).item()).toBeCloseTo(1.25, 6);
    expect(R.std(Tensor.from([2, 4, 4, 4, 5, 5, 7, 9]), 0, false, 0).item()).toBe(2);
  });

  it("has correct gradients", () => {
    const a = randn([3, 4, 5], { seed: 21 });
    for (const axes of [undefined, 1, [0, 2], [2, 0, 1]] as const) {
      gradcheck((t) => R.sum(t!, axes), [a]);
      gradcheck((t) => R.mean(t!, axes, true), [a]);
      gradcheck((t) => R.max(t!, axes), [a]);
      gradcheck((t) => R.min(t!, axes, true), [a]);
      gradcheck((t) => R.logsumexp(t!, axes), [a]);
      gradcheck((t) => R.norm(t!, 2, axes), [a]);
      gradcheck((t) => R.norm(t!, 1, axes), [a]);
      gradcheck((t) => R.norm(t!, Infinity, axes), [a]);
      gradcheck((t) => R.variance(t!, axes), [a]);
      gradcheck((t) => R.std(t!, axes, false, 0), [a]);
    }
  });
});
