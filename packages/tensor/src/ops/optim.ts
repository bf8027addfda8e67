// The fused AdamW update, in place: one pass over a parameter, its gradient and both moments.
// The arithmetic is fixed (f64 per element over f32 storage, each product and sum rounded once,
// no fused multiply-add), so the js loop and the cuda kernel write bit-identical results.
import { deviceOp, onDevice } from "../backend/device.js";
import type { AdamWKernel } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import { DTypeError, ShapeError } from "../errors.js";
import type { Tensor } from "../tensor.js";

/** Coefficients of one AdamW step (see {@link adamwUpdate}). */
export interface AdamWCoefficients {
  beta1: number;
  beta2: number;
  eps: number;
  /** Multiplies the parameter before the update: `1 - lr·λ` when it decays, else 1. */
  shrink: number;
  /** `lr / (1 - β1ᵗ)`. */
  stepSize: number;
  /** `√(1 - β2ᵗ)`. */
  sqrtBias2: number;
}

function check(param: Tensor, ...others: Tensor[]): void {
  for (const t of [param, ...others]) {
    if (t.dtype !== "f32") throw new DTypeError(`adamwUpdate: tensors must be f32, got ${t.dtype}`);
    if (!t.isContiguous())
      throw new ShapeError("adamwUpdate: parameter, gradient and moments must be contiguous");
    if (t.size !== param.size)
      throw new ShapeError(`adamwUpdate: ${t.size} elements where the parameter has ${param.size}`);
  }
}

/**
 * One AdamW step written into `param`, `expAvg` and `expAvgSq` (all f32, contiguous, same size
 * as `grad`, on one device). Per element: m ← β1·m + (1−β1)·g; v ← β2·v + ((1−β2)·g)·g;
 * θ ← θ·shrink − stepSize·(m / (√v / sqrtBias2 + ε)).
 *
 * ```ts
 * const p = Tensor.from([1]), m = Tensor.from([0]), v = Tensor.from([0]);
 * adamwUpdate(p, Tensor.from([0.5]), m, v, {
 *   beta1: 0.9, beta2: 0.999, eps: 1e-8, shrink: 1, stepSize: 0.1 / (1 - 0.9), sqrtBias2: Math.sqrt(1 - 0.999),
 * });
 * p.item(); // ≈ 0.9: the first step moves by lr against the gradient's sign
 * ```
 */
export function adamwUpdate(
  param: Tensor,
  grad: Tensor,
  expAvg: Tensor,
  expAvgSq: Tensor,
  c: AdamWCoefficients,
): void {
  check(param, grad, expAvg, expAvgSq);
  if (onDevice(param, grad, expAvg) || onDevice(expAvgSq)) {
    deviceOp("adamw")(param, grad, expAvg, expAvgSq, c);
    return;
  }
  const theta = param.data() as Float32Array;
  const g = grad.data() as Float32Array;
  const m = expAvg.data() as Float32Array;
  const v = expAvgSq.data() as Float32Array;
  const { beta1: b1, beta2: b2, eps, shrink, stepSize, sqrtBias2 } = c;
  const native = nativeKernel<AdamWKernel>("adamw");
  if (native) {
    native(theta, g, m, v, b1, b2, eps, shrink, stepSize, sqrtBias2);
    return;
  }
  const k1 = 1 - b1;
  const k2 = 1 - b2;
  for (let i = 0; i < theta.length; i++) {
    const gi = g[i]!;
    m[i] = b1 * m[i]! + k1 * gi;
    v[i] = b2 * v[i]! + k2 * gi * gi;
    const denom = Math.sqrt(v[i]!) / sqrtBias2 + eps;
    theta[i] = theta[i]! * shrink - stepSize * (m[i]! / denom);
  }
}
