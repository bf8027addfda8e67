// fullCache(): the factory of full f32/f16 caches.
import { KVCacheError } from "../errors.js";
import type { KVCacheFactory, KVShape } from "../protocols.js";
import { KV_PROTOCOL_VERSION } from "../protocols.js";
import { type FullCacheDType, FullStore, type SlidingWindowMode } from "./full-store.js";
import { LayeredCache } from "./model-cache.js";

/** Options of {@link fullCache}. */
export interface FullCacheConfig {
  /** Storage dtype: "f32" (accuracy reference, default) or "f16" (half the memory). */
  dtype?: FullCacheDType;
  /**
   * Layers the model attends with a sliding window (Mistral, Qwen2 window layers): "drop"
   * (default) frees the tokens the window can no longer reach, so memory stays bounded by the
   * window while generating; "mask" keeps every token and hides the old ones. Both give the
   * same outputs. Layers without a window keep everything either way.
   */
  slidingWindow?: SlidingWindowMode;
}

/** Checks a KV shape, throwing KV_SHAPE/KV_CONFIG errors (shared by cache factories). */
export function checkKVShape(shape: KVShape): void {
  const ints: (keyof KVShape)[] = ["nLayers", "batch", "nKvHeads", "nQHeads", "headDim"];
  for (const k of ints) {
    const v = shape[k];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1)
      throw new KVCacheError(
        "KV_SHAPE",
        `KVShape.${k} must be a positive integer, got ${String(v)}`,
      );
  }
  if (shape.nQHeads % shape.nKvHeads !== 0) {
    throw new KVCacheError(
      "KV_SHAPE",
      `nQHeads ${shape.nQHeads} is not a multiple of nKvHeads ${shape.nKvHeads}`,
    );
  }
  if (shape.device !== "cpu")
    throw new KVCacheError("KV_UNSUPPORTED", `the full cache runs on cpu, not ${shape.device}`);
}

/**
 * A full KV cache (unquantized; every token kept, except those a sliding-window layer can no
 * longer see) in f32 or f16. Its layers are {@link FullStore}s, so evictors can wrap it as their
 * store (an evictor that tracks slots itself may prefer `slidingWindow: "mask"`).
 *
 * ```ts
 * const out = await complete(model, [prompt], { maxNewTokens: 16, cache: fullCache({ dtype: "f16" }) });
 * ```
 */
export function fullCache(config: FullCacheConfig = {}): KVCacheFactory<Required<FullCacheConfig>> {
  const dtype = config.dtype ?? "f32";
  if (dtype !== "f32" && dtype !== "f16")
    throw new KVCacheError(
      "KV_CONFIG",
      `fullCache dtype must be "f32" or "f16", got ${String(dtype)}`,
    );
  const slidingWindow = config.slidingWindow ?? "drop";
  if (slidingWindow !== "drop" && slidingWindow !== "mask")
    throw new KVCacheError(
      "KV_CONFIG",
      `fullCache slidingWindow must be "drop" or "mask", got ${String(slidingWindow)}`,
    );
  return {
    kind: "full",
    config: { dtype, slidingWindow },
    protocol: KV_PROTOCOL_VERSION,
    create(shape: KVShape) {
      checkKVShape(shape);
      const layers = Array.from(
        { length: shape.nLayers },
        () => new FullStore(shape, dtype, { slidingWindow }),
      );
      return new LayeredCache("full", shape, layers);
    },
  };
}
