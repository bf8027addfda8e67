// A full store's slot state as data: the arrays of its snapshot (and the checks and rebuilding
// of heads when restoring one), and its byte accounting. The store itself stays the only owner
// of the state; these functions read it or build fresh heads from a snapshot.
import { KVCacheError } from "../errors.js";
import type { KVBytes, KVShape, KVSnapshot } from "../protocols.js";
import { KV_PROTOCOL_VERSION } from "../protocols.js";
import { emptyHead, type SlotDType } from "./head-slots.js";
import type { HeadSlots } from "./slot-attention.js";

/**
 * The slot state of a full store: its heads (row-major, `row * nKvHeads + kvHead`), and per row
 * the length and the tokens pending after each head's committed `count`.
 */
export interface FullSlots {
  heads: readonly HeadSlots[];
  len: Int32Array;
  pend: Int32Array;
}

/** Live slots (committed and pending) of head i. */
function liveSlots(st: FullSlots, i: number, nKvHeads: number): number {
  return st.heads[i]!.count + st.pend[Math.floor(i / nKvHeads)]!;
}

/**
 * The snapshot of a full store: `len`, `pend`, the `extra` arrays (the window drops), then per
 * head i its live `k.i`, `v.i`, `pos.i` and committed `count.i`.
 */
export function snapshotSlots(
  shape: KVShape,
  dtype: SlotDType,
  st: FullSlots,
  extra: Record<string, ArrayBufferView>,
): KVSnapshot {
  const arrays: Record<string, ArrayBufferView> = {
    len: st.len.slice(),
    pend: st.pend.slice(),
    ...extra,
  };
  st.heads.forEach((hs, i) => {
    const n = liveSlots(st, i, shape.nKvHeads);
    arrays[`k.${i}`] = hs.k.slice(0, n * shape.headDim);
    arrays[`v.${i}`] = hs.v.slice(0, n * shape.headDim);
    arrays[`pos.${i}`] = hs.positions.slice(0, n);
    arrays[`count.${i}`] = Int32Array.of(hs.count);
  });
  return {
    protocol: KV_PROTOCOL_VERSION,
    kind: "full",
    config: { dtype },
    shape: { ...shape },
    arrays,
  };
}

/** Throws KV_SNAPSHOT unless `s` is a full snapshot of this protocol, dtype and shape. */
export function checkSnapshot(s: KVSnapshot, shape: KVShape, dtype: SlotDType): void {
  const same = JSON.stringify(s.shape) === JSON.stringify(shape);
  if (
    s.protocol !== KV_PROTOCOL_VERSION ||
    s.kind !== "full" ||
    (s.config as { dtype?: string })?.dtype !== dtype ||
    !same
  ) {
    throw new KVCacheError(
      "KV_SNAPSHOT",
      `snapshot of kind ${s.kind} (protocol ${s.protocol}) does not fit this full ${dtype} cache`,
    );
  }
}

/** New heads (`nHeads` of them) holding a {@link snapshotSlots} snapshot's slots. */
export function restoreHeads(
  arrays: KVSnapshot["arrays"],
  nHeads: number,
  headDim: number,
  dtype: SlotDType,
): HeadSlots[] {
  const a = arrays as Record<string, Int32Array>;
  const d = headDim;
  return Array.from({ length: nHeads }, (_, i) => {
    const n = a[`pos.${i}`]!.length;
    const hs = emptyHead(Math.max(n, 16), d, dtype);
    hs.k.set(a[`k.${i}`]!.subarray(0, n * d) as never);
    hs.v.set(a[`v.${i}`]!.subarray(0, n * d) as never);
    hs.positions.set(a[`pos.${i}`]!);
    hs.count = a[`count.${i}`]![0]!;
    return hs;
  });
}

/** The bytes a full store uses (live keys, values, committed positions) and has reserved. */
export function slotBytes(shape: KVShape, dtype: SlotDType, st: FullSlots): KVBytes {
  const eb = dtype === "f32" ? 4 : 2;
  const d = shape.headDim;
  let used = 0;
  let reserved = 0;
  st.heads.forEach((hs, i) => {
    const n = liveSlots(st, i, shape.nKvHeads);
    used += n * d * eb;
    // The whole buffer counts, including the front a sliding window dropped.
    reserved += hs.k.buffer.byteLength + hs.v.buffer.byteLength + hs.positions.buffer.byteLength;
  });
  const posUsed = st.heads.reduce((s, hs) => s + hs.count * 4, 0);
  return {
    used: 2 * used + posUsed,
    reserved,
    parts: { keys: used, values: used, positions: posUsed },
  };
}
