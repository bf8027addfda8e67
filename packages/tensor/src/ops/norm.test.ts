import { describe, expect, it } from "vitest";
import { gradcheck } from "../autograd/gradcheck.js";
import { withBackend } from "../backend/registry.js";
import type { DType } from "../dtype.js";
import { DTypeError, ShapeError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { expectClose, hasNative, rnd } from "./nn-testkit.js";
import { layerNorm, rmsNorm } from "./norm.js";

describe("rmsNorm", () => {
  it("normalizes known vectors", () => {
    // rms([3, 4]) = sqrt(12.5)
    const r = Math.sqrt(12.5);
    expectClose(
      rmsNorm(Tensor.from([3, 4], [1, 2], "f64"), undefined, 0).toArray(),
      [3 / r, 4 / r],
      1e-15,
    );
    // rms of [1, 1, 1, 1] is 1; eps = 3 gives 1 / sqrt(4) = 0.5, then the weight scales each entry.
    const w = Tensor.from([1, 2, 3, 4], [4], "f64");
    expectClose(
      rmsNorm(Tensor.from([1, 1, 1, 1], [4], "f64"), w, 3).toArray(),
      [0.5, 1, 1.5, 2],
      1e-15,
    );
  });

  it.each(["f64", "f32", "f16", "bf16"] as DType[])(
    "keeps the dtype and a unit rms (%s)",
    (dtype) => {
      const y = rmsNorm(rnd([3, 2, 16], 1, dtype, 5), undefined, 0);
      expect(y.dtype).toBe(dtype);
      const v = y.toFloat64();
      for (let o = 0; o < v.length; o += 16) {
        let ss = 0;
        for (let j = 0; j < 16; j++) ss += v[o + j]! ** 2;
        expect(Math.sqrt(ss / 16)).toBeCloseTo(1, dtype === "bf16" ? 1 : 2);
      }
    },
  );

  it("raises typed errors", () => {
    expect(() => rmsNorm(rnd([2, 4], 1), rnd([3], 2))).toThrow(ShapeError);
    expect(() => rmsNorm(rnd([2, 4], 1), rnd([3], 2))).toThrow(/\[3\].*\[2, 4\]/);
    expect(() => rmsNorm(Tensor.from([1, 2], [2], "i32"))).toThrow(DTypeError);
  });

  it("has finite-difference gradients for x and weight", () => {
    gradcheck((x, w) => rmsNorm(x, w, 1e-5), [rnd([3, 6], 1), rnd([6], 2)]);
    gradcheck((x) => rmsNorm(x, undefined, 1e-5), [rnd([2, 2, 5], 3)]);
  });
});

describe("layerNorm", () => {
  it("normalizes known vectors", () => {
    expectClose(
      layerNorm(Tensor.from([1, 3], [1, 2], "f64"), undefined, undefined, 0).toArray(),
      [-1, 1],
      1e-15,
    );
    // [1, 2, 3]: mean 2, biased variance 2/3.
    const s = Math.sqrt(2 / 3);
    const w = Tensor.from([2, 2, 2], [3], "f64");
    const b = Tensor.from([1, 1, 1], [3], "f64");
    expectClose(
      layerNorm(Tensor.from([1, 2, 3], [3], "f64"), w, b, 0).toArray(),
      [1 - 2 / s, 1, 1 + 2 / s],
      1e-14,
    );
  });

  it("raises typed errors", () => {
    expect(() => layerNorm(rnd([2, 4], 1), rnd([4], 2), rnd([5], 3))).toThrow(ShapeError);
    expect(() => layerNorm(Tensor.from([1], [], "f64"))).toThrow(ShapeError);
  });

  it("has finite-difference gradients for x, weight and bias", () => {
    gradcheck((x, w, b) => layerNorm(x, w, b, 1e-5), [rnd([3, 7], 1), rnd([7], 2), rnd([7], 3)]);
    gradcheck((x) => layerNorm(x), [rnd([2, 5], 4)]);
    gradcheck((x, b) => layerNorm(x, undefined, b), [rnd([2, 5], 5), rnd([5], 6)]);
  });
});

describe.skipIf(!hasNative("rmsnorm") || !hasNative("layernorm"))("norms native vs js", () => {
  it("agree on odd shapes, with and without parameters", () => {
    for (const cols of [1, 7, 64, 130]) {
      const x = rnd([5, cols], cols, "f32", 3);
      const w = rnd([cols], cols + 1, "f32");
      const b = rnd([cols], cols + 2, "f32");
      const view = rnd([cols, 5], cols + 3, "f32").transpose(0, 1);
      const fns: (() => Tensor)[] = [
        () => rmsNorm(x, w, 1e-6),
        () => rmsNorm(view),
        () => layerNorm(x, w, b, 1e-5),
        () => layerNorm(view, undefined, b),
      ];
      for (const fn of fns) {
        expectClose(withBackend("cpu", fn).toArray(), withBackend("js", fn).toArray(), 1e-5, 1e-5);
      }
    }
  });
});
