import { Tensor } from "@x/tensor";
import { describe, expect, it } from "vitest";
import { clipGradNorm, globalNorm } from "./clip.js";
import { TrainingError } from "./errors.js";

describe("clipGradNorm", () => {
  const grads = () => ({ a: Tensor.from([3, 0], [2]), b: Tensor.from([4, 0, 12], [3, 1]) });

  it("measures the global L2 norm over all tensors", () => {
    expect(globalNorm(grads())).toBe(13);
  });

  it("scales every gradient so the global norm equals maxNorm exactly", () => {
    const r = clipGradNorm(grads(), 2.6);
    expect(r.norm).toBe(13);
    expect(r.scale).toBeCloseTo(0.2, 15);
    expect(globalNorm(r.grads)).toBeCloseTo(2.6, 6);
    expect(r.grads.a!.toArray()).toEqual([Math.fround(0.6), 0]);
    expect(r.grads.b!.toArray()).toEqual([Math.fround(0.8), 0, Math.fround(2.4)]);
    expect(r.grads.b!.shape).toEqual([3, 1]);
  });

  it("leaves gradients under the limit (or with clipping disabled) untouched", () => {
    const g = grads();
    for (const max of [13, 100, Number.POSITIVE_INFINITY]) {
      const r = clipGradNorm(g, max);
      expect(r.scale).toBe(1);
      expect(r.grads.a).toBe(g.a);
    }
  });

  it("reports a non-finite norm without scaling, and rejects maxNorm <= 0", () => {
    const r = clipGradNorm({ a: Tensor.from([Number.NaN, 1]) }, 1);
    expect(r.norm).toBeNaN();
    expect(r.scale).toBe(1);
    expect(() => clipGradNorm(grads(), 0)).toThrow(TrainingError);
  });
});
