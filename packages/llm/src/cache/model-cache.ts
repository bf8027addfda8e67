// A whole-model cache assembled from per-layer caches, aggregating the per-layer operations.
import { KVCacheError } from "../errors.js";
import type { KVBytes, KVCache, KVCacheLayer, KVShape, KVSnapshot } from "../protocols.js";

/**
 * Aggregates `layers` into a {@link KVCache}. Implementations of the protocol can build their
 * model cache with it.
 *
 * ```ts
 * const cache = new LayeredCache("full", shape, layers);
 * cache.bytes().used; // sum over layers
 * ```
 */
export class LayeredCache implements KVCache {
  readonly kind: string;
  readonly shape: KVShape;
  layers: readonly KVCacheLayer[];

  constructor(kind: string, shape: KVShape, layers: readonly KVCacheLayer[]) {
    if (layers.length !== shape.nLayers) {
      throw new KVCacheError(
        "KV_CONFIG",
        `${layers.length} layers given for nLayers ${shape.nLayers}`,
      );
    }
    this.kind = kind;
    this.shape = shape;
    this.layers = layers;
  }

  length(row = 0): number {
    return this.layers[0]?.length(row) ?? 0;
  }

  bytes(): KVBytes {
    const out: KVBytes = { used: 0, reserved: 0, parts: {} };
    for (const l of this.layers) {
      const b = l.bytes();
      out.used += b.used;
      out.reserved += b.reserved;
      for (const [k, v] of Object.entries(b.parts)) out.parts[k] = (out.parts[k] ?? 0) + v;
    }
    return out;
  }

  stats(): Record<string, unknown> {
    return { kind: this.kind, layers: this.layers.map((l) => l.stats()) };
  }

  truncate(n: number, row?: number): void {
    for (const l of this.layers) l.truncate(n, row);
  }

  reset(rows?: readonly number[]): void {
    for (const l of this.layers) l.reset(rows);
  }

  fork(): LayeredCache {
    return new LayeredCache(
      this.kind,
      this.shape,
      this.layers.map((l) => l.fork()),
    );
  }

  snapshot(): KVSnapshot[] {
    return this.layers.map((l) => l.snapshot());
  }

  restore(s: readonly KVSnapshot[]): void {
    if (s.length !== this.layers.length) {
      throw new KVCacheError(
        "KV_SNAPSHOT",
        `${s.length} layer snapshots for ${this.layers.length} layers`,
      );
    }
    this.layers.forEach((l, i) => {
      l.restore(s[i]!);
    });
  }

  dispose(): void {
    for (const l of this.layers) l.dispose();
  }

  [Symbol.dispose](): void {
    this.dispose();
  }
}
