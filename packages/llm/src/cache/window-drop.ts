// Sliding-window drop bookkeeping of a full cache ("drop" mode): which positions each row has
// dropped and for which window, dropping slots no later query can see, compacting dropped-front
// buffers in place, and the attend/truncate checks that depend on what was dropped.
import { KVCacheError } from "../errors.js";
import type { KVShape, KVSnapshot } from "../protocols.js";
import type { HeadSlots } from "./slot-attention.js";

/**
 * What a layer's sliding window has dropped: per row a floor (every position below it is gone)
 * and the window the tokens were dropped for. Heads are laid out row-major (`row * nKvHeads + kvHead`).
 */
export class WindowDrops {
  /** Per row: every position below it was dropped by a sliding window. */
  private floor: Int32Array;
  /** The window tokens were dropped for (Infinity: none dropped). */
  private window = Number.POSITIVE_INFINITY;

  constructor(private readonly shape: KVShape) {
    this.floor = new Int32Array(shape.batch);
  }

  /** True once tokens were dropped: the layer holds a window, not the sequence. */
  get active(): boolean {
    return this.window !== Number.POSITIVE_INFINITY;
  }

  /**
   * Drops, per row, the committed slots at positions <= length - window (views move past them;
   * {@link compactFront} reclaims the space later). Returns how many slots were dropped.
   */
  dropOutside(window: number, heads: HeadSlots[], len: Int32Array): number {
    const { batch, nKvHeads: h, headDim: d } = this.shape;
    let dropped = 0;
    for (let b = 0; b < batch; b++) {
      const keepFrom = len[b]! - window + 1;
      if (keepFrom <= this.floor[b]!) continue;
      for (let kh = 0; kh < h; kh++) {
        const hs = heads[b * h + kh]!;
        let n = 0;
        while (n < hs.count && hs.positions[n]! < keepFrom) n++;
        if (n === 0) continue;
        hs.k = hs.k.subarray(n * d);
        hs.v = hs.v.subarray(n * d);
        hs.positions = hs.positions.subarray(n);
        hs.count -= n;
        dropped += n;
      }
      this.floor[b] = keepFrom;
      this.window = Math.min(this.window, window);
    }
    return dropped;
  }

  /** Throws KV_STATE when an attend with `window` would need dropped tokens. */
  checkAttend(window: number | undefined): void {
    if (this.floor.some((f) => f > 0) && !(window !== undefined && window <= this.window))
      throw new KVCacheError(
        "KV_STATE",
        `tokens outside a sliding window of ${this.window} were dropped; attend() with ${window === undefined ? "no window" : `window ${window}`} would need them (create the cache with slidingWindow "mask" to keep them)`,
      );
  }

  /** Throws KV_STATE when truncating `rows` to length `n` would need dropped tokens. */
  checkTruncate(n: number, rows: readonly number[], len: Int32Array): void {
    for (const b of rows) {
      const needFrom = Math.max(0, n - this.window + 1);
      if (n < len[b]! && this.floor[b]! > needFrom)
        throw new KVCacheError(
          "KV_STATE",
          `truncate(${n}) of row ${b}: positions below ${this.floor[b]} were dropped by the sliding window of ${this.window}, and length ${n} needs them from ${needFrom}`,
        );
    }
  }

  /** Forgets the drops of a row being reset; call {@link settle} after the last row. */
  forgetRow(row: number): void {
    this.floor[row] = 0;
  }

  /** With no row holding drops any more, the layer takes any window again. */
  settle(): void {
    if (this.floor.every((f) => f === 0)) this.window = Number.POSITIVE_INFINITY;
  }

  /** The snapshot arrays of this state (`floor`, `dropWindow`). */
  snapshot(): Record<string, ArrayBufferView> {
    return { floor: this.floor.slice(), dropWindow: Float64Array.of(this.window) };
  }

  /** Restores {@link snapshot}'s arrays; a snapshot without them has dropped nothing. */
  restore(arrays: KVSnapshot["arrays"]): void {
    const floor = arrays.floor as ArrayLike<number> | undefined;
    this.floor = floor ? Int32Array.from(floor) : new Int32Array(this.shape.batch);
    const w = (arrays.dropWindow as Float64Array | undefined)?.[0];
    this.window = w ?? Number.POSITIVE_INFINITY;
  }
}

/** True when a head's front was dropped: its slots are a view past the start of its buffer. */
export function frontDropped(hs: HeadSlots): boolean {
  return hs.positions.byteOffset > 0;
}

/**
 * Moves the `live` slots of a head whose front was dropped back to the front of its own buffer,
 * when that buffer holds `cap` slots without being more than twice too large. Returns the
 * compacted head, or undefined when it needs a new buffer instead.
 */
export function compactFront(
  hs: HeadSlots,
  live: number,
  headDim: number,
  cap: number,
): HeadSlots | undefined {
  const baseCap = hs.positions.buffer.byteLength / 4;
  if (!(frontDropped(hs) && baseCap >= cap && baseCap <= 2 * cap)) return undefined;
  const d = headDim;
  const Arr = hs.k.constructor as new (b: ArrayBufferLike) => Float32Array | Uint16Array;
  const next = {
    k: new Arr(hs.k.buffer),
    v: new Arr(hs.v.buffer),
    positions: new Int32Array(hs.positions.buffer),
    count: hs.count,
  };
  next.k.copyWithin(
    0,
    hs.k.byteOffset / hs.k.BYTES_PER_ELEMENT,
    hs.k.byteOffset / hs.k.BYTES_PER_ELEMENT + live * d,
  );
  next.v.copyWithin(
    0,
    hs.v.byteOffset / hs.v.BYTES_PER_ELEMENT,
    hs.v.byteOffset / hs.v.BYTES_PER_ELEMENT + live * d,
  );
  next.positions.copyWithin(0, hs.positions.byteOffset / 4, hs.positions.byteOffset / 4 + live);
  return next;
}
