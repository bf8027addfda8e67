import { noGrad, record } from "../autograd/tape.js";
import { deviceOp, onDevice } from "../backend/device.js";
import { type BinaryKernel, BinaryOp, type UnaryKernel, UnaryOp } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import { DTypeError, ShapeError } from "../errors.js";
import { contiguousStrides, fmtShape, sameShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { expectFloat, f32Data, f32Output } from "./nn-common.js";
import { fromF64, readF64 } from "./strided.js";
import { unaryOp } from "./unary.js";

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const TANH_C = Math.sqrt(2 / Math.PI);
const TANH_K = 0.044715;

/**
 * The error function to about 1e-16, from the Maclaurin series
 * erf(x) = 2/sqrt(pi) e^(-x^2) sum_n (2x^2)^n x / (1*3*...*(2n+1)), whose terms are all
 * positive (no cancellation). |x| >= 6 returns +-1 (erfc(6) < 3e-17).
 *
 * ```ts
 * erf(1); // 0.8427007929497149
 * ```
 */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (Number.isNaN(x)) return x;
  if (ax >= 6) return Math.sign(x);
  const x2 = ax * ax;
  let term = ax;
  let sum = ax;
  for (let n = 0; term > sum * 1e-17; n++) {
    term *= (2 * x2) / (2 * n + 3);
    sum += term;
  }
  return Math.sign(x) * Math.min(1, (2 / Math.sqrt(Math.PI)) * Math.exp(-x2) * sum);
}

const sigmoid = (x: number) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
const siluFn = (x: number) => x * sigmoid(x);
const siluDeriv = (x: number) => {
  const s = sigmoid(x);
  return s * (1 + x * (1 - s));
};
const geluFn = (x: number) => 0.5 * x * (1 + erf(x * SQRT1_2));
const geluDeriv = (x: number) =>
  0.5 * (1 + erf(x * SQRT1_2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
const geluTanhFn = (x: number) => 0.5 * x * (1 + Math.tanh(TANH_C * (x + TANH_K * x * x * x)));
const geluTanhDeriv = (x: number) => {
  const t = Math.tanh(TANH_C * (x + TANH_K * x * x * x));
  return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * TANH_C * (1 + 3 * TANH_K * x * x);
};

function activation(
  name: string,
  x: Tensor,
  code: number,
  fn: (x: number) => number,
  d: (x: number) => number,
): Tensor {
  expectFloat(name, x);
  return unaryOp(x, { code, fn, deriv: (g, xi) => g * d(xi), saves: "x" });
}

/**
 * SiLU (swish): `x * sigmoid(x)`.
 *
 * ```ts
 * silu(Tensor.from([0, 1])).toArray(); // [0, 0.7310...]
 * ```
 */
export function silu(x: Tensor): Tensor {
  return activation("silu", x, UnaryOp.silu, siluFn, siluDeriv);
}

/**
 * GELU with the exact Gaussian CDF: `x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2))` (PyTorch's default,
 * Hugging Face "gelu").
 *
 * ```ts
 * gelu(Tensor.from([1])).item(); // 0.8413...
 * ```
 */
export function gelu(x: Tensor): Tensor {
  return activation("gelu", x, UnaryOp.gelu, geluFn, geluDeriv);
}

/**
 * GELU's tanh approximation `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))` (Hugging Face
 * "gelu_pytorch_tanh" / "gelu_new").
 *
 * ```ts
 * geluTanh(Tensor.from([1])).item(); // 0.8411...
 * ```
 */
export function geluTanh(x: Tensor): Tensor {
  return activation("geluTanh", x, UnaryOp.gelu_tanh, geluTanhFn, geluTanhDeriv);
}

/**
 * The SwiGLU gate of Llama's MLP: `silu(gate) * up`, for tensors of one shape and dtype.
 *
 * ```ts
 * const h = swiglu(linear(x, wGate), linear(x, wUp)); // then linear(h, wDown)
 * ```
 */
export function swiglu(gate: Tensor, up: Tensor): Tensor {
  if (onDevice(gate, up)) return deviceOp("mul")(silu(gate), up);
  expectFloat("swiglu", gate);
  expectFloat("swiglu", up);
  if (!sameShape(gate.shape, up.shape)) {
    throw new ShapeError(
      `swiglu: gate ${fmtShape(gate.shape)} and up ${fmtShape(up.shape)} differ`,
    );
  }
  if (gate.dtype !== up.dtype)
    throw new DTypeError(`swiglu: gate is ${gate.dtype} but up is ${up.dtype}`);
  const kernel = gate.dtype === "f32" ? nativeKernel<UnaryKernel>("unary") : undefined;
  const mul = nativeKernel<BinaryKernel>("binary");
  // Computed off the tape (view helpers may record); the op is recorded as one node below.
  const y = noGrad((): Tensor => {
    if (kernel && mul) {
      const { out, data } = f32Output(gate.shape);
      kernel(UnaryOp.silu, f32Data(gate), data);
      // silu(gate) *= up in place, reading up through its strides (a slice of a fused
      // gate/up projection is not contiguous: no copy of it).
      // (The kernel takes up to 8 dims and non-negative strides; other views are copied flat.)
      const deep = up.ndim > 8 || up.strides.some((st) => st < 0);
      const shape = deep ? Int32Array.of(data.length) : Int32Array.from(gate.shape);
      const upData = deep ? f32Data(up) : (up.storage.data as Float32Array).subarray(up.offset);
      const upStrides = deep ? Int32Array.of(1) : Int32Array.from(up.strides);
      const dense = deep ? upStrides : Int32Array.from(contiguousStrides(gate.shape));
      mul(BinaryOp.mul, data, dense, upData, upStrides, data, shape);
      return out;
    } else {
      const gv = readF64(gate);
      const uv = readF64(up);
      for (let i = 0; i < gv.length; i++) gv[i] = siluFn(gv[i]!) * uv[i]!;
      return fromF64(gv, gate.shape, gate.dtype);
    }
  });
  return record(
    y,
    [gate, up],
    (gOut) => {
      const g = readF64(gOut);
      const gv = readF64(gate);
      const uv = readF64(up);
      const dGate = new Float64Array(g.length);
      const dUp = new Float64Array(g.length);
      for (let i = 0; i < g.length; i++) {
        dGate[i] = g[i]! * uv[i]! * siluDeriv(gv[i]!);
        dUp[i] = g[i]! * siluFn(gv[i]!);
      }
      return [fromF64(dGate, gate.shape, gate.dtype), fromF64(dUp, up.shape, up.dtype)];
    },
    [gate, up],
  );
}
