// RoPE positions of a forward call: explicit, or continuing from each row's cache length.
import { Tensor } from "@x/tensor";
import { UsageError } from "../errors.js";
import type { ForwardOptions, KVCache } from "../protocols.js";

/**
 * Positions [T] or [B, T] for a forward call with batch b and t new tokens.
 *
 * ```ts
 * positionsFor({ cache }, 2, 1); // [[len(row 0)], [len(row 1)]]
 * ```
 */
export function positionsFor(opts: ForwardOptions, b: number, t: number): Tensor {
  const given = opts.positions;
  if (given !== undefined) {
    const p = given instanceof Tensor ? given : Tensor.from(given, [given.length], "i32");
    const ok =
      (p.ndim === 1 && p.shape[0] === t) || (p.ndim === 2 && p.shape[0] === b && p.shape[1] === t);
    if (!ok)
      throw new UsageError(
        `forward: positions [${p.shape.join(", ")}] must be [${t}] or [${b}, ${t}]`,
      );
    return p;
  }
  const cache = opts.cache;
  if (cache === undefined)
    return Tensor.from(
      Array.from({ length: t }, (_, i) => i),
      [t],
      "i32",
    );
  const caches: readonly KVCache[] = Array.isArray(cache) ? cache : [cache as KVCache];
  if (Array.isArray(cache) && cache.length !== b)
    throw new UsageError(`forward: ${cache.length} caches for a batch of ${b}`);
  const starts = Array.from({ length: b }, (_, r) =>
    caches.length === 1 && !Array.isArray(cache) ? caches[0]!.length(r) : caches[r]!.length(0),
  );
  if (starts.every((s) => s === starts[0]))
    return Tensor.from(
      Array.from({ length: t }, (_, i) => starts[0]! + i),
      [t],
      "i32",
    );
  const out = new Int32Array(b * t);
  for (let r = 0; r < b; r++) for (let i = 0; i < t; i++) out[r * t + i] = starts[r]! + i;
  return Tensor.wrap(out, [b, t], "i32");
}
