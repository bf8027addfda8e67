// Test helpers for the neural-network op tests (not exported from the package). Importing the
// package entry lets it load the native backend when one is built.
import "../index.js";
import { expect } from "vitest";
import { availableBackends, hasKernel } from "../backend/registry.js";
import type { DType } from "../dtype.js";
import type { Shape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { randn } from "./random.js";

/** Seeded standard-normal tensor of `dtype` (f64 by default), times `scale`. */
export function rnd(shape: Shape, seed: number, dtype: DType = "f64", scale = 1): Tensor {
  const v = randn(shape, { seed, dtype: "f64" })
    .toFloat64()
    .map((x) => x * scale);
  return Tensor.from(v, shape, dtype);
}

/** Asserts |a - e| <= atol + rtol |e| elementwise, reporting the worst index. */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol: number,
  rtol = 0,
): void {
  expect(actual.length).toBe(expected.length);
  let worst = -1;
  let worstErr = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const err = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(err <= 0) && (worst < 0 || err > worstErr || Number.isNaN(err))) {
      worst = i;
      worstErr = err;
    }
  }
  if (worst >= 0) {
    expect.fail(
      `element ${worst}: got ${actual[worst]}, expected ${expected[worst]} (atol ${atol}, rtol ${rtol})`,
    );
  }
}

/** True when the native cpu backend loaded and registers `kernel` (js-vs-native tests need it). */
export function hasNative(kernel: string): boolean {
  return availableBackends().includes("cpu") && hasKernel(kernel, "cpu");
}
