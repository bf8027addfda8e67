// The arrays and scalars that make up an index: what search reads, builds write, and files hold.
import { type GraphArrays, type RowSet, type RowType, rowStride } from "@x/tensor";
import type { IndexKind, Metric, StorageDtype } from "./options.js";

/** Everything an index is, in plain typed arrays (mutable arena or read-only file views). */
export interface IndexState {
  kind: IndexKind;
  metric: Metric;
  dtype: StorageDtype;
  /** User dimension (stored rows have dim + 1 under the MIPS lift). */
  dim: number;
  capacity: number;
  M: number;
  M0: number;
  efConstruction: number;
  K: number;
  alpha: number;
  seed: number;
  normalized: boolean;
  mipsLift: boolean;
  /** R^2 of the MIPS lift. */
  liftR2: number;
  rows: RowSet;
  labels: Uint32Array;
  adj: Uint32Array;
  maxDeg: number;
  levels: Uint8Array;
  upperOff: Uint32Array;
  upperAdj: Uint32Array;
  /** Upper lists in use. */
  upperUsed: number;
  deleted: Uint8Array;
  deletedCount: number;
  /** [entry (-1 when empty), maxLevel]. */
  hnsw: Int32Array;
  /** Entry set of single-layer graphs (medoid first). */
  entries: Uint32Array;
}

/** Stored row width: dim, plus the lift coordinate. */
export function storeDim(s: Pick<IndexState, "dim" | "mipsLift">): number {
  return s.dim + (s.mipsLift ? 1 : 0);
}

/** A fresh, empty state with room for `capacity` vectors. */
export function emptyState(
  init: Omit<
    IndexState,
    | "rows"
    | "labels"
    | "adj"
    | "levels"
    | "upperOff"
    | "upperAdj"
    | "upperUsed"
    | "deleted"
    | "deletedCount"
    | "hnsw"
    | "entries"
  >,
): IndexState {
  const d = storeDim(init);
  const type: RowType = init.dtype;
  const stride = rowStride(d, type);
  const rowBytes = type === "f32" ? 4 : type === "f16" ? 2 : 1;
  const cap = Math.max(1, init.capacity);
  return {
    ...init,
    capacity: cap,
    rows: {
      bytes: new Uint8Array(cap * stride),
      stride,
      dimPad: stride / rowBytes,
      dim: d,
      type,
      metric: init.metric === "l2" || init.mipsLift ? "l2" : "dot",
      n: 0,
    },
    labels: new Uint32Array(cap),
    adj: new Uint32Array(init.kind === "flat" ? 0 : cap * (1 + init.maxDeg)),
    levels: new Uint8Array(init.kind === "hnsw" ? cap : 0),
    upperOff: new Uint32Array(init.kind === "hnsw" ? cap : 0),
    upperAdj: new Uint32Array(
      init.kind === "hnsw"
        ? Math.max(16, Math.ceil(cap / Math.max(1, init.M - 1))) * (1 + init.M)
        : 0,
    ),
    upperUsed: 0,
    deleted: new Uint8Array(Math.ceil(cap / 8)),
    deletedCount: 0,
    hnsw: Int32Array.of(-1, 0),
    entries: new Uint32Array(0),
  };
}

function grown<T extends Uint8Array | Uint32Array>(a: T, length: number): T {
  if (a.length >= length) return a;
  const b = new (a.constructor as new (n: number) => T)(length);
  b.set(a);
  return b;
}

/** Grows every per-vector array to hold `capacity` vectors (copying; old arrays stay valid). */
export function growState(s: IndexState, capacity: number): void {
  if (capacity <= s.capacity) return;
  s.rows = { ...s.rows, bytes: grown(s.rows.bytes, capacity * s.rows.stride) };
  s.labels = grown(s.labels, capacity);
  if (s.kind !== "flat") s.adj = grown(s.adj, capacity * (1 + s.maxDeg));
  if (s.kind === "hnsw") {
    s.levels = grown(s.levels, capacity);
    s.upperOff = grown(s.upperOff, capacity);
  }
  s.deleted = grown(s.deleted, Math.ceil(capacity / 8));
  s.capacity = capacity;
}

/** Ensures room for `lists` more upper-level lists. */
export function reserveUpper(s: IndexState, lists: number): void {
  const need = (s.upperUsed + lists) * (1 + s.M);
  if (need > s.upperAdj.length)
    s.upperAdj = grown(s.upperAdj, Math.max(need, s.upperAdj.length * 2));
}

/** The graph view the tensor primitives take. */
export function graphOf(s: IndexState): GraphArrays {
  const g: GraphArrays = { rows: s.rows, adj: s.adj, maxDeg: s.maxDeg };
  if (s.kind === "hnsw")
    Object.assign(g, {
      levels: s.levels,
      upperOff: s.upperOff,
      upperAdj: s.upperAdj,
      upperDeg: s.M,
    });
  if (s.deletedCount > 0) g.deleted = s.deleted;
  return g;
}

/** Bytes held by the index arrays. */
export function stateBytes(s: IndexState): number {
  return (
    s.rows.bytes.byteLength +
    s.labels.byteLength +
    s.adj.byteLength +
    s.levels.byteLength +
    s.upperOff.byteLength +
    s.upperAdj.byteLength +
    s.deleted.byteLength +
    s.entries.byteLength
  );
}
