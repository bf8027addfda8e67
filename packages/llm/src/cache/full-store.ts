// The full (unquantized) KV store: f32 or f16 slots per (row, KV head), growing by doubling.
// It is the accuracy reference (f32), the memory reference (f16), and the default store that
// evictors wrap (stable slot removal per head).
import { cat, isRecording, Tensor, zeros } from "@x/tensor";
import { KVCacheError } from "../errors.js";
import type {
  KVAppendOptions,
  KVAttendOptions,
  KVAttendResult,
  KVBytes,
  KVCaps,
  KVShape,
  KVSnapshot,
  KVStore,
} from "../protocols.js";
import {
  checkSnapshot,
  type FullSlots,
  restoreHeads,
  slotBytes,
  snapshotSlots,
} from "./full-state.js";
import { emptyHead, regrowHead, removeSlots } from "./head-slots.js";
import { checkAppend, slotEncoder } from "./slot-append.js";
import { attendRow, type HeadSlots } from "./slot-attention.js";
import { WindowDrops } from "./window-drop.js";

/** Storage dtype of a full cache. */
export type FullCacheDType = "f32" | "f16";

/**
 * What a full cache does with tokens a sliding window (`attend(q, {window})`) can no longer
 * reach: "drop" frees them once committed (memory bounded by the window), "mask" keeps every
 * token and only hides the old ones.
 */
export type SlidingWindowMode = "drop" | "mask";

const CAPS: KVCaps = { quantized: false, evicts: false, emitsProbs: true, keyRope: "post" };
const DROPPING_CAPS: KVCaps = { ...CAPS, evicts: true };

/**
 * One layer of a full cache ({@link KVStore}). f16 rounds keys and values when they are
 * appended, so even the prefill attends f16 values (as an f16 model would).
 *
 * Sliding windows: in "drop" mode (the default), an `attend` with `window: W` commits its
 * pending tokens and then drops, per row, every slot at a position `<= length - W` (no later
 * query can see it), so a decoding row holds `W - 1` tokens between steps and its buffers stay
 * within about `2W` slots (dropping moves a view; the live slots are compacted to the front only
 * when the buffer runs out, amortized O(1) per token). `caps.evicts` is then true. A layer that
 * has dropped tokens refuses to attend with a larger window or none, and `truncate` below what
 * it still holds (KV_STATE). Results equal the "mask" mode's: attention skips the slots no query
 * can see in both modes, so both attend the very same slots.
 *
 * ```ts
 * const layer = new FullStore(shape, "f16");
 * layer.append(k, v);
 * layer.attend(q).out;
 * ```
 */
export class FullStore implements KVStore {
  readonly caps: KVCaps;
  readonly shape: KVShape;
  readonly dtype: FullCacheDType;
  readonly slidingWindow: SlidingWindowMode;
  private heads: HeadSlots[];
  private len: Int32Array;
  private pend: Int32Array;
  /** What the sliding window dropped ("drop" mode). */
  private readonly drops: WindowDrops;
  private disposed = false;
  private counters = { appends: 0, attends: 0, appendNs: 0, attendNs: 0, dropped: 0 };

  constructor(
    shape: KVShape,
    dtype: FullCacheDType,
    opts: { slidingWindow?: SlidingWindowMode } = {},
  ) {
    this.shape = shape;
    this.dtype = dtype;
    const mode = opts.slidingWindow ?? "drop";
    if (mode !== "drop" && mode !== "mask")
      throw new KVCacheError(
        "KV_CONFIG",
        `slidingWindow must be "drop" or "mask", got ${String(mode)}`,
      );
    this.slidingWindow = mode;
    this.caps = mode === "drop" ? DROPPING_CAPS : CAPS;
    const cap = Math.min(shape.maxSeqLen ?? 64, 64);
    this.heads = Array.from({ length: shape.batch * shape.nKvHeads }, () =>
      emptyHead(cap, shape.headDim, dtype),
    );
    this.len = new Int32Array(shape.batch);
    this.pend = new Int32Array(shape.batch);
    this.drops = new WindowDrops(shape);
  }

  /** The slot state, for {@link snapshotSlots} and {@link slotBytes}. */
  private get slots(): FullSlots {
    return { heads: this.heads, len: this.len, pend: this.pend };
  }

  private live(): void {
    if (this.disposed)
      throw new KVCacheError("KV_DISPOSED", "full cache layer used after dispose()");
  }

  private head(row: number, kvHead: number): HeadSlots {
    const { batch, nKvHeads } = this.shape;
    if (!Number.isInteger(row) || row < 0 || row >= batch)
      throw new KVCacheError("KV_RANGE", `row ${row} is out of range for batch ${batch}`);
    if (!Number.isInteger(kvHead) || kvHead < 0 || kvHead >= nKvHeads)
      throw new KVCacheError(
        "KV_RANGE",
        `kvHead ${kvHead} is out of range for ${nKvHeads} KV heads`,
      );
    return this.heads[row * nKvHeads + kvHead]!;
  }

  append(k: Tensor, v: Tensor, opts: KVAppendOptions = {}): void {
    this.live();
    const { batch, nKvHeads: h, headDim: d } = this.shape;
    const counts = opts.counts;
    const T = checkAppend(this.shape, k, v, counts);
    const t0 = performance.now();
    const kd = k.contiguous().data();
    const vd = v.contiguous().data();
    const enc = slotEncoder(k.dtype, this.dtype);
    for (let b = 0; b < batch; b++) {
      const c = counts ? counts[b]! : T;
      for (let kh = 0; kh < h; kh++) {
        const hs = this.reserve(b * h + kh, c);
        const src = (b * h + kh) * T * d;
        for (let t = 0; t < c; t++) {
          hs.positions[hs.count + this.pend[b]! + t] = this.len[b]! + t;
        }
        const at = (hs.count + this.pend[b]!) * d;
        enc(kd, src, hs.k, at, c * d);
        enc(vd, src, hs.v, at, c * d);
      }
      this.pend[b]! += c;
      this.len[b]! += c;
    }
    this.counters.appends++;
    this.counters.appendNs += (performance.now() - t0) * 1e6;
  }

  /**
   * The fused decode step's view of this layer (see model/decode-step.ts): every KV head's f32
   * buffers with room for one more slot, and the slot count they share. The caller writes the
   * token's key and value at slot `count`, attends over slots 0..count, then calls
   * {@link commitDecoded}; until then nothing about the layer has changed. Undefined when the
   * layer cannot take that path (batch > 1, f16, pending tokens, dropped slots, uneven heads).
   */
  decodeSlots(): { k: Float32Array[]; v: Float32Array[]; count: number } | undefined {
    this.live();
    if (this.shape.batch !== 1 || this.dtype !== "f32" || this.pend[0] !== 0 || this.drops.active)
      return undefined;
    const heads = this.heads.map((_, i) => this.reserve(i, 1));
    const count = heads[0]!.count;
    if (heads.some((hs) => hs.count !== count || count !== this.len[0])) return undefined;
    return {
      k: heads.map((hs) => hs.k as Float32Array),
      v: heads.map((hs) => hs.v as Float32Array),
      count,
    };
  }

  /** Records the token a fused decode step wrote at slot `count` of every head ({@link decodeSlots}). */
  commitDecoded(): void {
    const position = this.len[0]!;
    for (const hs of this.heads) hs.positions[hs.count++] = position;
    this.len[0] = position + 1;
    this.counters.appends++;
    this.counters.attends++;
  }

  /**
   * Ensures room for `extra` more slots in head i: when its buffer runs out, {@link regrowHead}
   * moves the live slots (a head whose front was dropped is compacted or moves to a buffer of
   * twice the live slots, growing or shrinking after a long prefill).
   */
  private reserve(i: number, extra: number): HeadSlots {
    const hs = this.heads[i]!;
    const row = Math.floor(i / this.shape.nKvHeads);
    const live = hs.count + this.pend[row]!;
    const need = live + extra;
    if (need <= hs.positions.length) return hs;
    // A layer that has dropped tokens holds a window, not the sequence: maxSeqLen bounds the rest.
    if (this.shape.maxSeqLen !== undefined && need > this.shape.maxSeqLen && !this.drops.active) {
      throw new KVCacheError(
        "KV_CAPACITY",
        `row ${row} would hold ${need} tokens, more than maxSeqLen ${this.shape.maxSeqLen}`,
      );
    }
    const next = regrowHead(hs, live, need, this.shape.headDim, this.dtype);
    this.heads[i] = next;
    return next;
  }

  attend(q: Tensor, opts: KVAttendOptions = {}): KVAttendResult {
    this.live();
    if (isRecording())
      throw new KVCacheError(
        "KV_UNSUPPORTED",
        "attend() inside grad(): training runs without a KV cache",
      );
    const { batch, nQHeads, nKvHeads: h, headDim: d } = this.shape;
    if (q.ndim !== 4 || q.shape[0] !== batch || q.shape[1] !== nQHeads || q.shape[3] !== d) {
      throw new KVCacheError(
        "KV_SHAPE",
        `q [${q.shape.join(", ")}] does not match [${batch}, ${nQHeads}, Tq, ${d}]`,
      );
    }
    this.drops.checkAttend(opts.window);
    const maxPend = Math.max(...this.pend);
    const tq = q.shape[2]!;
    if (maxPend > 0 && tq !== maxPend)
      throw new KVCacheError("KV_SHAPE", `q has ${tq} positions but ${maxPend} tokens are pending`);
    const t0 = performance.now();
    const rows = [];
    for (let b = 0; b < batch; b++) {
      const p = this.pend[b]!;
      const heads = this.heads
        .slice(b * h, (b + 1) * h)
        .map((hs) => ({ ...hs, count: hs.count + p }));
      const qb = batch === 1 ? q : q.slice(0, b, b + 1);
      if (maxPend > 0 && p === 0) {
        rows.push({
          out: zeros([1, nQHeads, tq, d]),
          probs: undefined as Tensor | undefined,
          s: 0,
        });
        continue;
      }
      const qr = maxPend > 0 && p < tq ? qb.slice(2, 0, p) : qb;
      const r = attendRow(qr, heads, {
        pending: p,
        start: this.len[b]! - p,
        scale: opts.scale ?? 1 / Math.sqrt(d),
        causal: opts.causal ?? true,
        window: opts.window,
        returnProbs: opts.returnProbs ?? false,
        dtype: this.dtype,
        headDim: d,
      });
      const pad = tq - qr.shape[2]!;
      const out = pad > 0 ? cat([r.out, zeros([1, nQHeads, pad, d])], 2) : r.out;
      const probs =
        r.probs && pad > 0
          ? cat([r.probs, zeros([1, nQHeads, pad, r.probs.shape[3]!])], 2)
          : r.probs;
      rows.push({ out, probs, s: Math.max(...heads.map((x) => x.count)) });
    }
    const result: KVAttendResult = {
      out:
        rows.length === 1
          ? rows[0]!.out
          : cat(
              rows.map((r) => r.out),
              0,
            ),
    };
    if (opts.returnProbs) {
      const smax = Math.max(...rows.map((r) => r.s));
      result.probs = cat(
        rows.map((r) => padProbs(r.probs, nQHeads, tq, smax)),
        0,
      );
      result.slotPositions = this.slotPositions(smax);
    }
    for (let b = 0; b < batch; b++) {
      for (let kh = 0; kh < h; kh++) this.heads[b * h + kh]!.count += this.pend[b]!;
      this.pend[b] = 0;
    }
    if (this.slidingWindow === "drop" && opts.window !== undefined && maxPend > 0)
      this.counters.dropped += this.drops.dropOutside(opts.window, this.heads, this.len);
    this.counters.attends++;
    this.counters.attendNs += (performance.now() - t0) * 1e6;
    return result;
  }

  private slotPositions(s: number): Tensor {
    const out = new Int32Array(this.heads.length * s).fill(-1);
    this.heads.forEach((hs, i) => {
      const row = Math.floor(i / this.shape.nKvHeads);
      out.set(hs.positions.subarray(0, hs.count + this.pend[row]!), i * s);
    });
    return Tensor.wrap(out, [this.shape.batch, this.shape.nKvHeads, s], "i32");
  }

  length(row = 0): number {
    this.live();
    this.head(row, 0);
    return this.len[row]!;
  }

  stored(row: number, kvHead: number): number {
    this.live();
    return this.head(row, kvHead).count + this.pend[row]!;
  }

  positions(row: number, kvHead: number): Int32Array {
    const hs = this.head(row, kvHead);
    return hs.positions.slice(0, hs.count + this.pend[row]!);
  }

  remove(row: number, kvHead: number, slots: Int32Array): void {
    this.live();
    const hs = this.head(row, kvHead);
    if (this.pend[row]! > 0)
      throw new KVCacheError(
        "KV_STATE",
        `remove() with ${this.pend[row]} pending tokens in row ${row}`,
      );
    removeSlots(hs, slots, this.shape.headDim);
  }

  truncate(n: number, row?: number): void {
    this.live();
    const rows = row === undefined ? [...this.len.keys()] : [row];
    for (const b of rows) {
      this.head(b, 0);
      if (this.pend[b]! > 0)
        throw new KVCacheError(
          "KV_STATE",
          `truncate() with ${this.pend[b]} pending tokens in row ${b}`,
        );
    }
    if (!Number.isInteger(n) || n < 0)
      throw new KVCacheError("KV_RANGE", `truncate(${n}) needs a non-negative integer`);
    this.drops.checkTruncate(n, rows, this.len);
    for (const b of rows) {
      for (let kh = 0; kh < this.shape.nKvHeads; kh++) {
        const hs = this.heads[b * this.shape.nKvHeads + kh]!;
        let c = hs.count;
        while (c > 0 && hs.positions[c - 1]! >= n) c--;
        hs.count = c;
      }
      this.len[b] = Math.min(this.len[b]!, n);
    }
  }

  reset(rows?: readonly number[]): void {
    this.live();
    for (const b of rows ?? [...this.len.keys()]) {
      this.head(b, 0);
      for (let kh = 0; kh < this.shape.nKvHeads; kh++)
        this.heads[b * this.shape.nKvHeads + kh]!.count = 0;
      this.len[b] = 0;
      this.pend[b] = 0;
      this.drops.forgetRow(b);
    }
    this.drops.settle();
  }

  fork(): FullStore {
    this.live();
    const f = new FullStore(this.shape, this.dtype, { slidingWindow: this.slidingWindow });
    f.restore(this.snapshot());
    return f;
  }

  snapshot(): KVSnapshot {
    this.live();
    return snapshotSlots(this.shape, this.dtype, this.slots, this.drops.snapshot());
  }

  restore(s: KVSnapshot): void {
    this.live();
    checkSnapshot(s, this.shape, this.dtype);
    const a = s.arrays as Record<string, Int32Array>;
    this.heads = restoreHeads(s.arrays, this.heads.length, this.shape.headDim, this.dtype);
    this.len = Int32Array.from(a.len!);
    this.pend = Int32Array.from(a.pend!);
    this.drops.restore(s.arrays);
  }

  bytes(): KVBytes {
    return slotBytes(this.shape, this.dtype, this.slots);
  }

  stats(): Record<string, unknown> {
    const { appends, attends, appendNs, attendNs, dropped } = this.counters;
    return {
      kind: "full",
      dtype: this.dtype,
      slidingWindow: this.slidingWindow,
      appends,
      attends,
      tokens: [...this.len],
      stored: this.heads.map((hs) => hs.count),
      dropped,
      timeNs: { append: appendNs, attend: attendNs },
    };
  }

  dispose(): void {
    this.disposed = true;
    this.heads = [];
  }
}

function padProbs(p: Tensor | undefined, hq: number, tq: number, s: number): Tensor {
  if (!p) return zeros([1, hq, tq, s]);
  const have = p.shape[3]!;
  return have === s ? p : cat([p, zeros([1, hq, tq, s - have])], 3);
}
