// One KV head's slot buffers in a full store: allocating them, moving the live slots to a buffer
// with room for more, and removing chosen slots in place (what evictors ask for).
import { KVCacheError } from "../errors.js";
import type { HeadSlots } from "./slot-attention.js";
import { compactFront, frontDropped } from "./window-drop.js";

/** Storage dtype of head slots: f32 values or f16 bits. */
export type SlotDType = "f32" | "f16";

/** Empty slots for one head: room for `cap` tokens of `headDim` values in `dtype`. */
export function emptyHead(cap: number, headDim: number, dtype: SlotDType): HeadSlots {
  const Arr = dtype === "f32" ? Float32Array : Uint16Array;
  return {
    k: new Arr(cap * headDim),
    v: new Arr(cap * headDim),
    positions: new Int32Array(cap),
    count: 0,
  };
}

/**
 * A head holding the `live` slots of `hs` with room for `need`. A head whose front was dropped is
 * a view into its buffer: the live slots move back to the front when the buffer still fits them
 * twice ({@link compactFront}), else they move to a new buffer of twice the live slots (growing,
 * or shrinking after a long prefill); other heads double their buffer.
 */
export function regrowHead(
  hs: HeadSlots,
  live: number,
  need: number,
  headDim: number,
  dtype: SlotDType,
): HeadSlots {
  const d = headDim;
  const cap = Math.max(need, 2 * live);
  const compacted = compactFront(hs, live, d, cap);
  if (compacted) return compacted;
  const next = emptyHead(
    frontDropped(hs) ? cap : Math.max(need, 2 * hs.positions.length),
    d,
    dtype,
  );
  next.k.set(hs.k.subarray(0, live * d) as never);
  next.v.set(hs.v.subarray(0, live * d) as never);
  next.positions.set(hs.positions.subarray(0, live));
  next.count = hs.count;
  return next;
}

/**
 * Removes the committed `slots` (increasing, in 0..count-1, else KV_RANGE) of a head, keeping the
 * order of the others.
 */
export function removeSlots(hs: HeadSlots, slots: Int32Array, headDim: number): void {
  for (let i = 0; i < slots.length; i++) {
    if (slots[i]! < 0 || slots[i]! >= hs.count || (i > 0 && slots[i]! <= slots[i - 1]!)) {
      throw new KVCacheError(
        "KV_RANGE",
        `slots must be increasing and in 0..${hs.count - 1}, got ${slots[i]} at ${i}`,
      );
    }
  }
  const d = headDim;
  let w = 0;
  let r = 0;
  for (let s = 0; s < hs.count; s++) {
    if (r < slots.length && slots[r] === s) {
      r++;
      continue;
    }
    if (w !== s) {
      hs.k.copyWithin(w * d, s * d, (s + 1) * d);
      hs.v.copyWithin(w * d, s * d, (s + 1) * d);
      hs.positions[w] = hs.positions[s]!;
    }
    w++;
  }
  hs.count = w;
}
