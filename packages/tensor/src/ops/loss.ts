import { noGrad, record } from "../autograd/tape.js";
import { deviceOp, onDevice } from "../backend/device.js";
import type { CrossEntropyGradKernel, CrossEntropyKernel } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import { DTypeError, IndexError, ShapeError } from "../errors.js";
import { fmtShape, sameShape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { expectFloat, f32Data, f32Output } from "./nn-common.js";
import { softmaxRowsF64 } from "./softmax.js";
import { fromF64, readF64 } from "./strided.js";

export interface CrossEntropyOptions {
  /** Targets equal to this value contribute no loss and no gradient (default -100, as PyTorch). */
  ignoreIndex?: number;
  /** "mean" over non-ignored targets (default), "sum", or "none" (per target, 0 where ignored). */
  reduction?: "mean" | "sum" | "none";
}

/**
 * Cross-entropy between `logits` [..., V] and class indices `targets` (i32, shaped like logits
 * without the last axis): `-log softmax(logits)[target]`, reduced as PyTorch's
 * `F.cross_entropy` does. A mean over zero non-ignored targets is NaN. The result has the logits'
 * dtype; targets outside [0, V) other than `ignoreIndex` raise an IndexError.
 *
 * ```ts
 * const loss = crossEntropy(logits, Tensor.from([3, -100, 7], [3], "i32")); // mean of 2 terms
 * ```
 */
export function crossEntropy(
  logits: Tensor,
  targets: Tensor,
  opts: CrossEntropyOptions = {},
): Tensor {
  if (onDevice(logits)) return deviceOp("crossEntropy")(logits, targets, opts);
  const { ignoreIndex = -100, reduction = "mean" } = opts;
  expectFloat("crossEntropy", logits);
  if (targets.dtype !== "i32")
    throw new DTypeError(`crossEntropy: targets must be i32, got ${targets.dtype}`);
  if (logits.ndim === 0 || !sameShape(logits.shape.slice(0, -1), targets.shape)) {
    throw new ShapeError(
      `crossEntropy: logits ${fmtShape(logits.shape)} do not match targets ${fmtShape(targets.shape)} (want [..., V] and [...])`,
    );
  }
  const vocab = logits.shape[logits.ndim - 1]!;
  const t = readF64(targets);
  let count = 0;
  for (let i = 0; i < t.length; i++) {
    if (t[i] === ignoreIndex) continue;
    if (t[i]! < 0 || t[i]! >= vocab) {
      throw new IndexError(
        `crossEntropy: target ${t[i]} at position ${i} is out of range for ${vocab} classes`,
      );
    }
    count++;
  }
  const rows = t.length;
  const perRow = noGrad(() => rowLosses(logits, t, rows, vocab, ignoreIndex));
  let loss: Tensor;
  if (reduction === "none") {
    loss = fromF64(perRow, targets.shape, logits.dtype);
  } else {
    const total = perRow.reduce((s, v) => s + v, 0);
    loss = fromF64(Float64Array.of(reduction === "sum" ? total : total / count), [], logits.dtype);
  }
  return record(
    loss,
    [logits],
    (gOut) => {
      const g = readF64(gOut);
      const weight = (r: number) =>
        t[r] === ignoreIndex
          ? 0
          : reduction === "none"
            ? g[r]!
            : reduction === "sum"
              ? g[0]!
              : g[0]! / count;
      const kernel = fusedOk(logits, ignoreIndex)
        ? nativeKernel<CrossEntropyGradKernel>("crossEntropyBackward")
        : undefined;
      if (kernel) {
        const { out, data } = f32Output(logits.shape);
        const weights = Float32Array.from({ length: rows }, (_, r) => weight(r));
        kernel(f32Data(logits), Int32Array.from(t), rows, vocab, ignoreIndex, weights, data);
        return [out];
      }
      // d loss_i / d logits_i = softmax_i - onehot(target_i), scaled by the reduction's weight.
      const p = readF64(logits);
      softmaxRowsF64(p, rows, vocab, false);
      for (let r = 0; r < rows; r++) {
        const o = r * vocab;
        const ignored = t[r] === ignoreIndex;
        const w = weight(r);
        for (let j = 0; j < vocab; j++) p[o + j] = p[o + j]! * w;
        if (!ignored) p[o + t[r]!] = p[o + t[r]!]! - w;
      }
      return [fromF64(p, logits.shape, logits.dtype)];
    },
    [logits],
  );
}

/** Whether the fused native kernels apply (f32, a non-empty class axis, an integer ignoreIndex). */
function fusedOk(logits: Tensor, ignoreIndex: number): boolean {
  return (
    logits.dtype === "f32" &&
    logits.shape[logits.ndim - 1]! > 0 &&
    Number.isSafeInteger(ignoreIndex)
  );
}

/** -log softmax(row)[target] per row (0 where ignored), in f64 or by the fused native kernel. */
function rowLosses(
  logits: Tensor,
  t: Float64Array,
  rows: number,
  vocab: number,
  ignoreIndex: number,
): Float64Array {
  const out = new Float64Array(rows);
  const kernel = fusedOk(logits, ignoreIndex)
    ? nativeKernel<CrossEntropyKernel>("crossEntropy")
    : undefined;
  if (kernel) {
    const losses = new Float32Array(rows);
    kernel(f32Data(logits), Int32Array.from(t), rows, vocab, ignoreIndex, losses);
    out.set(losses);
    return out;
  }
  const v = readF64(logits);
  softmaxRowsF64(v, rows, vocab, true);
  for (let r = 0; r < rows; r++) if (t[r] !== ignoreIndex) out[r] = -v[r * vocab + t[r]!]!;
  return out;
}
