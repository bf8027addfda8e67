import { noGrad, record } from "../autograd/tape.js";
import { deviceOp, onDevice } from "../backend/device.js";
import type { SoftmaxKernel } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import { normAxis } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { castRaw } from "./cast.js";
import { expectFloat, f32Data, f32Output } from "./nn-common.js";
import { fromF64, readF64 } from "./strided.js";

/**
 * Softmax along `axis` (default the last), computed stably by subtracting each row's maximum.
 * The result has `x`'s shape and dtype.
 *
 * ```ts
 * softmax(Tensor.from([1, 1, 1, 1])).toArray(); // [0.25, 0.25, 0.25, 0.25]
 * ```
 */
export function softmax(x: Tensor, axis = -1): Tensor {
  return softmaxAlong(x, axis, false);
}

/**
 * Log-softmax along `axis` (default the last): `x - max - log(sum(exp(x - max)))`, which stays
 * finite where `log(softmax(x))` would underflow to -Infinity.
 *
 * ```ts
 * logSoftmax(Tensor.from([0, 0])).toArray(); // [-0.693..., -0.693...]
 * ```
 */
export function logSoftmax(x: Tensor, axis = -1): Tensor {
  return softmaxAlong(x, axis, true);
}

/** Row-wise (log-)softmax of a row-major [rows, cols] f64 buffer, in place. */
export function softmaxRowsF64(v: Float64Array, rows: number, cols: number, log: boolean): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < cols; j++) if (v[o + j]! > max) max = v[o + j]!;
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(v[o + j]! - max);
    if (log) {
      const shift = max + Math.log(sum);
      for (let j = 0; j < cols; j++) v[o + j] = v[o + j]! - shift;
    } else {
      for (let j = 0; j < cols; j++) v[o + j] = Math.exp(v[o + j]! - max) / sum;
    }
  }
}

function softmaxAlong(x: Tensor, axis: number, log: boolean): Tensor {
  if (onDevice(x)) return deviceOp("softmaxAlong")(x, axis, log);
  expectFloat(log ? "logSoftmax" : "softmax", x);
  const ax = normAxis(axis, x.ndim);
  const last = x.ndim - 1;
  // Work on rows of the reduced axis: swap it with the last axis (a view) and back afterwards.
  const swap = (t: Tensor) => (ax === last ? t : t.transpose(ax, last));
  const cols = x.shape[ax]!;
  const rows = cols === 0 ? 0 : x.size / cols;
  const { yt, y } = noGrad(() => {
    const xt = swap(x);
    let yt: Tensor;
    const kernel = x.dtype === "f32" ? nativeKernel<SoftmaxKernel>("softmax") : undefined;
    if (kernel) {
      const { out, data } = f32Output(xt.shape);
      kernel(f32Data(xt), data, rows, cols, log);
      yt = out;
    } else {
      const v = readF64(xt);
      softmaxRowsF64(v, rows, cols, log);
      yt = fromF64(v, xt.shape, x.dtype);
    }
    return { yt, y: swap(yt).contiguous() };
  });
  return record(
    y,
    [x],
    (g) => {
      const gv = readF64(swap(castRaw(g, x.dtype)));
      const yv = readF64(yt);
      for (let r = 0; r < rows; r++) {
        const o = r * cols;
        if (log) {
          // d/dx of x - logsumexp(x): g - softmax(x) * sum(g)
          let gs = 0;
          for (let j = 0; j < cols; j++) gs += gv[o + j]!;
          for (let j = 0; j < cols; j++) gv[o + j] = gv[o + j]! - Math.exp(yv[o + j]!) * gs;
        } else {
          // Jacobian-vector product of softmax: y * (g - <g, y>)
          let dot = 0;
          for (let j = 0; j < cols; j++) dot += gv[o + j]! * yv[o + j]!;
          for (let j = 0; j < cols; j++) gv[o + j] = yv[o + j]! * (gv[o + j]! - dot);
        }
      }
      return [swap(fromF64(gv, yt.shape, x.dtype)).contiguous()];
    },
    [yt],
  );
}
