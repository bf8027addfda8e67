import { noGrad, record } from "../autograd/tape.js";
import { deviceOp, onDevice } from "../backend/device.js";
import type { LayerNormKernel, RmsNormKernel } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import { ShapeError } from "../errors.js";
import { fmtShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { expectFloat, f32Data, f32Output } from "./nn-common.js";
import { fromF64, readF64 } from "./strided.js";

const EMPTY = new Float32Array(0);

/**
 * RMSNorm over the last axis: `x / sqrt(mean(x^2) + eps) * weight` (weight [D] optional), as in
 * Llama. Statistics are computed in f64 (f32 in the native kernel); the result has `x`'s dtype.
 *
 * ```ts
 * rmsNorm(Tensor.from([3, 4], [1, 2]), undefined, 0).toArray(); // [0.8485..., 1.1313...]
 * ```
 */
export function rmsNorm(x: Tensor, weight?: Tensor, eps = 1e-6): Tensor {
  if (onDevice(x, weight)) return deviceOp("rmsNorm")(x, weight, eps);
  const { rows, cols } = checkNorm("rmsNorm", x, weight);
  const kernel = nativeOk(x, weight) ? nativeKernel<RmsNormKernel>("rmsnorm") : undefined;
  // Computed off the tape (view helpers may record); the op is recorded as one node below.
  const y = noGrad((): Tensor => {
    if (kernel) {
      const { out, data } = f32Output(x.shape);
      kernel(f32Data(x), weight ? f32Data(weight) : EMPTY, data, rows, cols, eps);
      return out;
    } else {
      const v = readF64(x);
      const w = weight ? readF64(weight) : undefined;
      for (let r = 0; r < rows; r++) {
        const o = r * cols;
        const inv = rmsInv(v, o, cols, eps);
        for (let j = 0; j < cols; j++) v[o + j] = v[o + j]! * inv * (w ? w[j]! : 1);
      }
      return fromF64(v, x.shape, x.dtype);
    }
  });
  const inputs = weight ? [x, weight] : [x];
  return record(
    y,
    inputs,
    (gOut) => {
      const g = readF64(gOut);
      const xv = readF64(x);
      const w = weight ? readF64(weight) : undefined;
      const dx = new Float64Array(xv.length);
      const dw = new Float64Array(cols);
      for (let r = 0; r < rows; r++) {
        const o = r * cols;
        const inv = rmsInv(xv, o, cols, eps);
        // With xhat = x * inv and gw = g * w: dx = inv * (gw - xhat * mean(gw * xhat)).
        let dot = 0;
        for (let j = 0; j < cols; j++) dot += g[o + j]! * (w ? w[j]! : 1) * xv[o + j]! * inv;
        dot /= cols;
        for (let j = 0; j < cols; j++) {
          const xhat = xv[o + j]! * inv;
          dx[o + j] = inv * (g[o + j]! * (w ? w[j]! : 1) - xhat * dot);
          dw[j] = dw[j]! + g[o + j]! * xhat;
        }
      }
      const dxT = fromF64(dx, x.shape, x.dtype);
      return weight ? [dxT, fromF64(dw, weight.shape, weight.dtype)] : [dxT];
    },
    inputs,
  );
}

/**
 * LayerNorm over the last axis: `(x - mean) / sqrt(var + eps) * weight + bias` with the biased
 * variance, as PyTorch's `nn.LayerNorm`; weight and bias [D] are optional.
 *
 * ```ts
 * layerNorm(Tensor.from([1, 3], [1, 2]), undefined, undefined, 0).toArray(); // [-1, 1]
 * ```
 */
export function layerNorm(x: Tensor, weight?: Tensor, bias?: Tensor, eps = 1e-5): Tensor {
  const { rows, cols } = checkNorm("layerNorm", x, weight, bias);
  const kernel = nativeOk(x, weight, bias) ? nativeKernel<LayerNormKernel>("layernorm") : undefined;
  // Computed off the tape (view helpers may record); the op is recorded as one node below.
  const y = noGrad((): Tensor => {
    if (kernel) {
      const { out, data } = f32Output(x.shape);
      kernel(
        f32Data(x),
        weight ? f32Data(weight) : EMPTY,
        bias ? f32Data(bias) : EMPTY,
        data,
        rows,
        cols,
        eps,
      );
      return out;
    } else {
      const v = readF64(x);
      const w = weight ? readF64(weight) : undefined;
      const b = bias ? readF64(bias) : undefined;
      for (let r = 0; r < rows; r++) {
        const o = r * cols;
        const [mean, inv] = moments(v, o, cols, eps);
        for (let j = 0; j < cols; j++) {
          v[o + j] = (v[o + j]! - mean) * inv * (w ? w[j]! : 1) + (b ? b[j]! : 0);
        }
      }
      return fromF64(v, x.shape, x.dtype);
    }
  });
  const inputs = [x, ...(weight ? [weight] : []), ...(bias ? [bias] : [])];
  return record(
    y,
    inputs,
    (gOut) => {
      const g = readF64(gOut);
      const xv = readF64(x);
      const w = weight ? readF64(weight) : undefined;
      const dx = new Float64Array(xv.length);
      const dw = new Float64Array(cols);
      const db = new Float64Array(cols);
      for (let r = 0; r < rows; r++) {
        const o = r * cols;
        const [mean, inv] = moments(xv, o, cols, eps);
        // With gw = g * w: dx = inv * (gw - mean(gw) - xhat * mean(gw * xhat)).
        let sg = 0;
        let sgx = 0;
        for (let j = 0; j < cols; j++) {
          const gw = g[o + j]! * (w ? w[j]! : 1);
          sg += gw;
          sgx += gw * (xv[o + j]! - mean) * inv;
        }
        sg /= cols;
        sgx /= cols;
        for (let j = 0; j < cols; j++) {
          const xhat = (xv[o + j]! - mean) * inv;
          dx[o + j] = inv * (g[o + j]! * (w ? w[j]! : 1) - sg - xhat * sgx);
          dw[j] = dw[j]! + g[o + j]! * xhat;
          db[j] = db[j]! + g[o + j]!;
        }
      }
      const grads = [fromF64(dx, x.shape, x.dtype)];
      if (weight) grads.push(fromF64(dw, weight.shape, weight.dtype));
      if (bias) grads.push(fromF64(db, bias.shape, bias.dtype));
      return grads;
    },
    inputs,
  );
}

function checkNorm(
  what: string,
  x: Tensor,
  ...params: (Tensor | undefined)[]
): { rows: number; cols: number } {
  expectFloat(what, x);
  if (x.ndim === 0)
    throw new ShapeError(`${what} needs at least one axis, got ${fmtShape(x.shape)}`);
  const cols = x.shape[x.ndim - 1]!;
  for (const p of params) {
    if (!p) continue;
    expectFloat(what, p);
    if (p.ndim !== 1 || p.shape[0] !== cols) {
      throw new ShapeError(
        `${what}: parameter ${fmtShape(p.shape)} does not match the last axis of ${fmtShape(x.shape)}`,
      );
    }
  }
  return { rows: cols === 0 ? 0 : x.size / cols, cols };
}

function nativeOk(x: Tensor, ...params: (Tensor | undefined)[]): boolean {
  return x.dtype === "f32" && params.every((p) => !p || p.dtype === "f32");
}

/** 1 / sqrt(mean(x^2) + eps) of the row at `o`. */
function rmsInv(v: Float64Array, o: number, cols: number, eps: number): number {
  let ss = 0;
  for (let j = 0; j < cols; j++) ss += v[o + j]! * v[o + j]!;
  return 1 / Math.sqrt(ss / cols + eps);
}

/** Mean and 1 / sqrt(biased variance + eps) of the row at `o` (two passes, for accuracy). */
function moments(v: Float64Array, o: number, cols: number, eps: number): [number, number] {
  let s = 0;
  for (let j = 0; j < cols; j++) s += v[o + j]!;
  const mean = s / cols;
  let ss = 0;
  for (let j = 0; j < cols; j++) ss += (v[o + j]! - mean) ** 2;
  return [mean, 1 / Math.sqrt(ss / cols + eps)];
}
