// Gradient clipping by global L2 norm (torch.nn.utils.clip_grad_norm_), summed in f64 in a fixed
// order so the norm is reproducible, and scaled by exactly maxNorm / norm (no epsilon) so the
// clipped norm equals maxNorm up to f32 rounding.
import { add, mul, sum, Tensor, tidy } from "@x/tensor";
import { requireConfig } from "./errors.js";

/**
 * L2 norm of all gradients taken together, √(Σ g²), accumulated in f64 in record order.
 *
 * ```ts
 * globalNorm({ a: Tensor.from([3]), b: Tensor.from([4]) }); // 5
 * ```
 */
export function globalNorm(grads: Readonly<Record<string, Tensor>>): number {
  let sq = 0;
  const onDevice = Object.values(grads).filter((g) => g.device !== "cpu");
  if (onDevice.length) sq += deviceSquares(onDevice);
  for (const g of Object.values(grads)) {
    if (g.device !== "cpu") continue;
    const d = g.data();
    for (let i = 0; i < d.length; i++) sq += d[i]! * d[i]!;
  }
  return Math.sqrt(sq);
}

/** Σ g² over device gradients, summed on the device (f32) and read back once. */
function deviceSquares(gs: readonly Tensor[]): number {
  return tidy(() => {
    let total: Tensor | undefined;
    for (const g of gs) {
      const s = sum(mul(g, g));
      total = total ? add(total, s) : s;
    }
    return total!.item();
  });
}

/** Result of {@link clipGradNorm}. */
export interface ClipResult {
  /** The gradients, scaled when the norm exceeded maxNorm (otherwise the inputs themselves). */
  grads: Record<string, Tensor>;
  /** Global norm before clipping (NaN or Infinity when a gradient is not finite). */
  norm: number;
  /** Factor applied (1 when not clipped). */
  scale: number;
}

/**
 * Scales all gradients by `maxNorm / norm` when their global norm exceeds `maxNorm`
 * (`Infinity` disables clipping but still reports the norm). Non-finite norms are returned
 * unscaled so the caller can decide (the trainer raises TRAIN_NONFINITE).
 *
 * ```ts
 * const { grads: clipped, norm } = clipGradNorm(grads, 1.0);
 * ```
 */
export function clipGradNorm(grads: Readonly<Record<string, Tensor>>, maxNorm: number): ClipResult {
  requireConfig(
    maxNorm > 0,
    `maxGradNorm must be > 0 (Infinity disables clipping), got ${maxNorm}`,
  );
  const norm = globalNorm(grads);
  if (!Number.isFinite(norm) || norm <= maxNorm) return { grads: { ...grads }, norm, scale: 1 };
  const scale = maxNorm / norm;
  const out: Record<string, Tensor> = {};
  for (const [name, g] of Object.entries(grads)) {
    if (g.device !== "cpu") {
      out[name] = mul(g, scale);
      continue;
    }
    const d = g.data();
    const s = new Float32Array(d.length);
    for (let i = 0; i < d.length; i++) s[i] = d[i]! * scale;
    out[name] = Tensor.wrap(s, g.shape, "f32");
  }
  return { grads: out, norm, scale };
}
