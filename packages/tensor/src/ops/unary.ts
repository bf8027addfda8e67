// Unary elementwise ops. f32 inputs use the native "unary" kernel when the active backend has one;
// everything else is computed in f64 and rounded once to the output dtype.

import { record } from "../autograd/tape.js";
import { deviceOp, onDevice } from "../backend/device.js";
import { type UnaryKernel, UnaryOp } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import { type DType, isFloat } from "../dtype.js";
import { ValueError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { denseData, fromF64, rawContiguous, readF64 } from "./strided.js";

type Fn1 = (x: number) => number;
/** Incoming gradient times the derivative, per element: (g, x, out). */
type Deriv = (g: number, x: number, o: number) => number;

export interface UnarySpec {
  /** Native op code, when the kernel contract has one. */
  code?: number;
  fn: Fn1;
  deriv: Deriv;
  /** Which of input/output the backward reads (for savedBytes accounting). */
  saves: "x" | "out" | "none";
  /** Integer inputs keep their dtype (otherwise they are computed as f32). */
  keepsInt?: boolean;
}

const sigmoidFn: Fn1 = (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

/**
 * Applies a unary function elementwise with optional native dispatch and autograd. Exposed for
 * sibling op modules (activations) that follow the same pattern.
 */
export function unaryOp(x: Tensor, spec: UnarySpec): Tensor {
  if (onDevice(x)) return deviceOp("unary")(x, spec);
  const dtype: DType = isFloat(x.dtype) || spec.keepsInt ? x.dtype : "f32";
  let out: Tensor | undefined;
  if (x.dtype === "f32" && spec.code !== undefined) {
    const kernel = nativeKernel<UnaryKernel>("unary");
    if (kernel) {
      const src = rawContiguous(x);
      out = Tensor.empty(x.shape, "f32");
      kernel(spec.code, denseData(src) as Float32Array, out.storage.data as Float32Array);
    }
  }
  if (!out) {
    const v = readF64(x);
    for (let i = 0; i < v.length; i++) v[i] = spec.fn(v[i]!);
    out = fromF64(v, x.shape, dtype);
  }
  if (!isFloat(x.dtype) || !isFloat(dtype)) return out;
  const result = out;
  const saved = spec.saves === "x" ? [x] : spec.saves === "out" ? [result] : [];
  return record(
    result,
    [x],
    (g) => {
      const gv = readF64(g, x.shape);
      const xv = spec.saves === "x" ? readF64(x) : gv;
      const ov = spec.saves === "out" ? readF64(result) : gv;
      for (let i = 0; i < gv.length; i++) gv[i] = spec.deriv(gv[i]!, xv[i]!, ov[i]!);
      return [fromF64(gv, x.shape, x.dtype)];
    },
    saved,
  );
}

const SPECS = {
  neg: { code: UnaryOp.neg, fn: (x) => -x, deriv: (g) => -g, saves: "none", keepsInt: true },
  abs: {
    code: UnaryOp.abs,
    fn: Math.abs,
    deriv: (g, x) => g * Math.sign(x),
    saves: "x",
    keepsInt: true,
  },
  exp: { code: UnaryOp.exp, fn: Math.exp, deriv: (g, _x, o) => g * o, saves: "out" },
  log: { code: UnaryOp.log, fn: Math.log, deriv: (g, x) => g / x, saves: "x" },
  sqrt: { code: UnaryOp.sqrt, fn: Math.sqrt, deriv: (g, _x, o) => (0.5 * g) / o, saves: "out" },
  rsqrt: {
    code: UnaryOp.rsqrt,
    fn: (x) => 1 / Math.sqrt(x),
    deriv: (g, _x, o) => -0.5 * g * o * o * o,
    saves: "out",
  },
  sin: { code: UnaryOp.sin, fn: Math.sin, deriv: (g, x) => g * Math.cos(x), saves: "x" },
  cos: { code: UnaryOp.cos, fn: Math.cos, deriv: (g, x) => -g * Math.sin(x), saves: "x" },
  tanh: { code: UnaryOp.tanh, fn: Math.tanh, deriv: (g, _x, o) => g * (1 - o * o), saves: "out" },
  sigmoid: {
    code: UnaryOp.sigmoid,
    fn: sigmoidFn,
    deriv: (g, _x, o) => g * o * (1 - o),
    saves: "out",
  },
  relu: {
    code: UnaryOp.relu,
    fn: (x) => (x > 0 ? x : Number.isNaN(x) ? x : 0),
    deriv: (g, x) => (x > 0 ? g : 0),
    saves: "x",
    keepsInt: true,
  },
  square: {
    code: UnaryOp.square,
    fn: (x) => x * x,
    deriv: (g, x) => 2 * g * x,
    saves: "x",
    keepsInt: true,
  },
  reciprocal: {
    code: UnaryOp.reciprocal,
    fn: (x) => 1 / x,
    deriv: (g, _x, o) => -g * o * o,
    saves: "out",
  },
  sign: { fn: Math.sign, deriv: () => 0, saves: "none", keepsInt: true },
} satisfies Record<string, UnarySpec>;

/**
 * `-x`.
 *
 * ```ts
 * neg(Tensor.from([1, -2])).toArray(); // [-1, 2]
 * ```
 */
export const neg = (x: Tensor): Tensor => unaryOp(x, SPECS.neg);

/**
 * `|x|`.
 *
 * ```ts
 * abs(Tensor.from([-1.5, 2])).toArray(); // [1.5, 2]
 * ```
 */
export const abs = (x: Tensor): Tensor => unaryOp(x, SPECS.abs);

/**
 * `e^x` (integer inputs give f32).
 *
 * ```ts
 * exp(Tensor.from([0])).toArray(); // [1]
 * ```
 */
export const exp = (x: Tensor): Tensor => unaryOp(x, SPECS.exp);

/**
 * Natural logarithm.
 *
 * ```ts
 * log(Tensor.from([1])).toArray(); // [0]
 * ```
 */
export const log = (x: Tensor): Tensor => unaryOp(x, SPECS.log);

/**
 * Square root.
 *
 * ```ts
 * sqrt(Tensor.from([4, 9])).toArray(); // [2, 3]
 * ```
 */
export const sqrt = (x: Tensor): Tensor => unaryOp(x, SPECS.sqrt);

/**
 * `1 / sqrt(x)`.
 *
 * ```ts
 * rsqrt(Tensor.from([4])).toArray(); // [0.5]
 * ```
 */
export const rsqrt = (x: Tensor): Tensor => unaryOp(x, SPECS.rsqrt);

/**
 * Sine (radians).
 *
 * ```ts
 * sin(Tensor.from([0])).toArray(); // [0]
 * ```
 */
export const sin = (x: Tensor): Tensor => unaryOp(x, SPECS.sin);

/**
 * Cosine (radians).
 *
 * ```ts
 * cos(Tensor.from([0])).toArray(); // [1]
 * ```
 */
export const cos = (x: Tensor): Tensor => unaryOp(x, SPECS.cos);

/**
 * Hyperbolic tangent.
 *
 * ```ts
 * tanh(Tensor.from([0])).toArray(); // [0]
 * ```
 */
export const tanh = (x: Tensor): Tensor => unaryOp(x, SPECS.tanh);

/**
 * Logistic function `1 / (1 + e^-x)`, computed without overflow for large |x|.
 *
 * ```ts
 * sigmoid(Tensor.from([0])).toArray(); // [0.5]
 * ```
 */
export const sigmoid = (x: Tensor): Tensor => unaryOp(x, SPECS.sigmoid);

/**
 * `max(x, 0)`; the gradient at 0 is 0.
 *
 * ```ts
 * relu(Tensor.from([-1, 2])).toArray(); // [0, 2]
 * ```
 */
export const relu = (x: Tensor): Tensor => unaryOp(x, SPECS.relu);

/**
 * `x * x`.
 *
 * ```ts
 * square(Tensor.from([3])).toArray(); // [9]
 * ```
 */
export const square = (x: Tensor): Tensor => unaryOp(x, SPECS.square);

/**
 * `1 / x`.
 *
 * ```ts
 * reciprocal(Tensor.from([4])).toArray(); // [0.25]
 * ```
 */
export const reciprocal = (x: Tensor): Tensor => unaryOp(x, SPECS.reciprocal);

/**
 * -1, 0 or 1 by the sign of x (gradient 0).
 *
 * ```ts
 * sign(Tensor.from([-3, 0, 2])).toArray(); // [-1, 0, 1]
 * ```
 */
export const sign = (x: Tensor): Tensor => unaryOp(x, SPECS.sign);

/**
 * Limits values to `[min, max]` (either bound optional); the gradient flows where the input lies
 * inside the bounds, ends included.
 *
 * ```ts
 * clamp(Tensor.from([-2, 0.5, 3]), 0, 1).toArray(); // [0, 0.5, 1]
 * ```
 */
export function clamp(x: Tensor, min?: number, max?: number): Tensor {
  const lo = min ?? Number.NEGATIVE_INFINITY;
  const hi = max ?? Number.POSITIVE_INFINITY;
  if (lo > hi) throw new ValueError(`clamp: min ${lo} is greater than max ${hi}`);
  return unaryOp(x, {
    fn: (v) => (v < lo ? lo : v > hi ? hi : v),
    deriv: (g, v) => (v >= lo && v <= hi ? g : 0),
    saves: "x",
    keepsInt: [lo, hi].every((b) => Number.isInteger(b) || !Number.isFinite(b)),
  });
}
