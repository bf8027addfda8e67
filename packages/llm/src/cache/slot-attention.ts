// Attention of one cache row over its stored slots: the shared core of the full cache. Handles
// GQA, pending (causal) blocks, sliding windows and per-KV-head slot counts (after eviction).
import { attendHeads, cat, scaledDotProductAttention, Tensor, zeros } from "@x/tensor";

/** One KV head's slots for one row: keys/values [S, D] (f32 or f16 bits) and token positions. */
export interface HeadSlots {
  k: Float32Array | Uint16Array;
  v: Float32Array | Uint16Array;
  positions: Int32Array;
  count: number;
}

/** Options of {@link attendRow}. */
export interface RowAttendOptions {
  /** Trailing slots that are pending (attended causally); 0 = read-only probe. */
  pending: number;
  /** Position of the first pending token (= row length before the pending block). */
  start: number;
  scale: number;
  causal: boolean;
  window: number | undefined;
  returnProbs: boolean;
  dtype: "f32" | "f16";
  headDim: number;
}

/** Result for one row: out [1, Hq, Tq, D], probs [1, Hq, Tq, S] (S = max slots of the row). */
export interface RowAttendResult {
  out: Tensor;
  probs: Tensor | undefined;
}

// Gathered keys and values live only for one attention call (attend() refuses to run under
// grad, so nothing keeps them), so each decode step reuses these buffers instead of allocating.
const scratch = {
  f32: { k: new Float32Array(0), v: new Float32Array(0) },
  f16: { k: new Uint16Array(0), v: new Uint16Array(0) },
};

function gatherHeads(
  heads: readonly HeadSlots[],
  count: number,
  d: number,
  dtype: "f32" | "f16",
  which: "k" | "v",
): Tensor {
  const size = heads.length * count * d;
  const bufs = scratch[dtype];
  if (bufs[which].length < size) {
    // Grow geometrically: the context grows one token per step.
    const cap = Math.max(size, 2 * bufs[which].length);
    (bufs as Record<"k" | "v", Float32Array | Uint16Array>)[which] =
      dtype === "f32" ? new Float32Array(cap) : new Uint16Array(cap);
  }
  const data = bufs[which].subarray(0, size);
  for (let i = 0; i < heads.length; i++)
    data.set(heads[i]![which].subarray(0, count * d) as never, i * count * d);
  return Tensor.wrap(data, [1, heads.length, count, d], dtype);
}

/** Bool mask [1, heads, Tq, S]: causal by position and inside the window. */
function positionMask(
  heads: readonly HeadSlots[],
  rep: number,
  tq: number,
  s: number,
  o: RowAttendOptions,
): Tensor {
  const m = new Uint8Array(heads.length * rep * tq * s);
  heads.forEach((h, kh) => {
    for (let r = 0; r < rep; r++) {
      const base = (kh * rep + r) * tq * s;
      for (let i = 0; i < tq; i++) {
        const qp = o.start + i;
        for (let j = 0; j < h.count; j++) {
          const kp = h.positions[j]!;
          const ok =
            (!o.causal || o.pending === 0 || kp <= qp) &&
            (o.window === undefined || qp - kp < o.window);
          m[base + i * s + j] = ok ? 1 : 0;
        }
      }
    }
  });
  return Tensor.wrap(m, [1, heads.length * rep, tq, s], "bool");
}

function padLast(t: Tensor, to: number): Tensor {
  const s = t.shape[t.ndim - 1]!;
  if (s === to) return t;
  return cat([t, zeros([...t.shape.slice(0, -1), to - s], t.dtype)], -1);
}

/** Leading slots of a head that no query of the block can see through the window. */
function hiddenPrefix(h: HeadSlots, start: number, window: number): number {
  let n = 0;
  while (n < h.count && start - h.positions[n]! >= window) n++;
  return n;
}

/** The head without its first `n` slots (views, no copy). */
function skip(h: HeadSlots, n: number, d: number): HeadSlots {
  if (n === 0) return h;
  return {
    k: h.k.subarray(n * d),
    v: h.v.subarray(n * d),
    positions: h.positions.subarray(n),
    count: h.count - n,
  };
}

/**
 * Attends q [1, Hq, Tq, D] (Tq = pending, or any count for a probe) over one row's slots.
 * Equal slot counts across KV heads take one GQA call; otherwise one call per KV head.
 * With a window (and no probabilities to return), the leading slots no query can see are
 * skipped, so a decode step attends exactly the window whether or not the cache still holds
 * older tokens, and needs no mask.
 */
export function attendRow(
  q: Tensor,
  allHeads: readonly HeadSlots[],
  o: RowAttendOptions,
): RowAttendResult {
  const hq = q.shape[1]!;
  const tq = q.shape[2]!;
  const rep = hq / allHeads.length;
  const counts = allHeads.map((h) => h.count);
  const smax = Math.max(...counts);
  const uniform = counts.every((c) => c === smax);
  let heads = allHeads;
  if (o.window !== undefined && !o.returnProbs) {
    const lo = allHeads.map((h) => hiddenPrefix(h, o.start, o.window!));
    // One GQA call needs equal counts: skip what every head can skip.
    const common = Math.min(...lo);
    heads = allHeads.map((h, i) => skip(h, uniform ? common : lo[i]!, o.headDim));
  }
  // Pending tokens are the last slots, so the kernel's causal offset (query i sees slots
  // j <= i + S - Tq) is exact even after evictions; only a window needs a position mask, and
  // only when some gathered slot is too old for the last query.
  const last = o.start + tq - 1;
  const needsMask = (g: readonly HeadSlots[]) =>
    o.window !== undefined &&
    g.some((h) => {
      for (let j = 0; j < h.count; j++) if (last - h.positions[j]! >= o.window!) return true;
      return false;
    });
  const groups = uniform ? [heads] : heads.map((h) => [h]);
  const outs: Tensor[] = [];
  const probs: Tensor[] = [];
  groups.forEach((g, gi) => {
    const count = g[0]!.count;
    const qg = uniform ? q : q.slice(1, gi * rep, (gi + 1) * rep);
    if (count === 0) {
      outs.push(zeros([1, qg.shape[1]!, tq, o.headDim]));
      if (o.returnProbs) probs.push(zeros([1, qg.shape[1]!, tq, smax]));
      return;
    }
    const mask = needsMask(g) ? positionMask(g, rep, tq, count, o) : undefined;
    const causal = !mask && o.causal && o.pending > 0;
    if (!mask && !o.returnProbs) {
      // The heads' own buffers, attended where they lie (no copy of the cache per step).
      const kv = { k: g.map((h) => h.k), v: g.map((h) => h.v), length: count, dtype: o.dtype };
      outs.push(attendHeads(qg, kv, { scale: o.scale, causal }));
      return;
    }
    const k = gatherHeads(g, count, o.headDim, o.dtype, "k");
    const v = gatherHeads(g, count, o.headDim, o.dtype, "v");
    const opts = { scale: o.scale, causal, ...(mask ? { mask } : {}) };
    if (o.returnProbs) {
      const r = scaledDotProductAttention(qg, k, v, { ...opts, returnProbs: true });
      outs.push(r.out);
      probs.push(padLast(r.probs, smax));
    } else {
      outs.push(scaledDotProductAttention(qg, k, v, opts));
    }
  });
  return {
    out: outs.length === 1 ? outs[0]! : cat(outs, 1),
    probs: o.returnProbs ? (probs.length === 1 ? probs[0]! : cat(probs, 1)) : undefined,
  };
}
