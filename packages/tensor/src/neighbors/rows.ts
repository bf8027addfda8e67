// Row sets: the padded vector arenas the distance and graph primitives read, plus the js
// reference distance every native kernel is tested against.
import type { RowArgs } from "../backend/kernels.js";
import { ValueError } from "../errors.js";
import { f16BitsToF32, f32ToF16Bits } from "../half.js";

/** Storage of one row: f32, f16 bits, or i8 codes round(127 * x) of a unit vector. */
export type RowType = "f32" | "f16" | "i8";
/** `l2` = squared Euclidean distance; `dot` = 1 - <q, x> (inner product and cosine). */
export type RowMetric = "l2" | "dot";

/**
 * n rows of `stride` bytes in `bytes`, each zero-padded to `dimPad` elements (a multiple of 16),
 * so kernels need no tail loop. Build one with {@link createRowSet}.
 *
 * @example
 * const set = createRowSet(new Float32Array([1, 0, 0, 1]), 2, { metric: "l2" }); // 2 rows of dim 2
 */
export interface RowSet {
  bytes: Uint8Array;
  stride: number;
  dimPad: number;
  dim: number;
  type: RowType;
  metric: RowMetric;
  n: number;
}

const TYPE_CODE: Record<RowType, number> = { f32: 0, f16: 1, i8: 2 };
/** Bytes per element of a row type. */
export const ROW_TYPE_BYTES: Record<RowType, number> = { f32: 4, f16: 2, i8: 1 };

/** Row stride in bytes: dim elements rounded up to 64 bytes. */
export function rowStride(dim: number, type: RowType): number {
  return Math.ceil((dim * ROW_TYPE_BYTES[type]) / 64) * 64;
}

/** The i8 code of one f32 element (round half away from zero of 127 * x, clamped). */
export function i8Code(x: number): number {
  const v = Math.fround(127 * x);
  const r = Math.sign(v) * Math.round(Math.abs(v));
  return Math.max(-127, Math.min(127, r));
}

/** Writes row `i` of `set` from `src[offset..offset+dim)` (f32), converting to the row type. */
export function writeRow(set: RowSet, i: number, src: ArrayLike<number>, offset = 0): void {
  const base = i * set.stride;
  const { bytes, dim } = set;
  if (set.type === "f32") {
    const view = new Float32Array(bytes.buffer, bytes.byteOffset + base, set.dimPad);
    for (let j = 0; j < dim; j++) view[j] = src[offset + j]!;
  } else if (set.type === "f16") {
    const view = new Uint16Array(bytes.buffer, bytes.byteOffset + base, set.dimPad);
    for (let j = 0; j < dim; j++) view[j] = f32ToF16Bits(src[offset + j]!);
  } else {
    for (let j = 0; j < dim; j++) bytes[base + j] = i8Code(src[offset + j]!) & 0xff;
  }
}

/**
 * Allocates a row set for `rows` (n x dim, row-major) with room for `capacity` rows.
 *
 * @example
 * const set = createRowSet(new Float32Array(8 * 3), 3, { metric: "dot", type: "f16" });
 */
export function createRowSet(
  rows: Float32Array,
  dim: number,
  opts: { metric: RowMetric; type?: RowType; capacity?: number },
): RowSet {
  if (!Number.isInteger(dim) || dim < 1)
    throw new ValueError(`row set dim must be a positive integer, got ${dim}`);
  const type = opts.type ?? "f32";
  const n = Math.floor(rows.length / dim);
  const capacity = Math.max(n, opts.capacity ?? n);
  const stride = rowStride(dim, type);
  const set: RowSet = {
    bytes: new Uint8Array(capacity * stride),
    stride,
    dimPad: stride / ROW_TYPE_BYTES[type],
    dim,
    type,
    metric: opts.metric,
    n,
  };
  for (let i = 0; i < n; i++) writeRow(set, i, rows, i * dim);
  return set;
}

/** The positional row arguments of the native kernels. */
export function rowArgs(set: RowSet): RowArgs {
  return [
    set.bytes,
    set.stride,
    set.dimPad,
    TYPE_CODE[set.type],
    set.metric === "l2" ? 0 : 1,
    set.n,
  ];
}

/** Row i as f32 numbers (dim elements; i8 rows give their codes / 127). */
export function readRow(set: RowSet, i: number): Float32Array {
  const out = new Float32Array(set.dim);
  const base = set.bytes.byteOffset + i * set.stride;
  if (set.type === "f32") out.set(new Float32Array(set.bytes.buffer, base, set.dim));
  else if (set.type === "f16") {
    const h = new Uint16Array(set.bytes.buffer, base, set.dim);
    for (let j = 0; j < set.dim; j++) out[j] = f16BitsToF32(h[j]!);
  } else {
    const b = new Int8Array(set.bytes.buffer, base, set.dim);
    for (let j = 0; j < set.dim; j++) out[j] = b[j]! / 127;
  }
  return out;
}

/** A query as the kernels see it: f32 values, or i8 codes for i8 rows (as numbers). */
export function prepareQuery(set: RowSet, q: ArrayLike<number>, offset = 0): Float64Array {
  const out = new Float64Array(set.dim);
  for (let j = 0; j < set.dim; j++) {
    const v = Math.fround(q[offset + j]!);
    out[j] = set.type === "i8" ? i8Code(v) : v;
  }
  return out;
}

/** Raw row elements for the js reference: f32 values, f16 decoded, or i8 codes. */
export function rawRow(set: RowSet, i: number): Float64Array {
  const out = new Float64Array(set.dim);
  const base = set.bytes.byteOffset + i * set.stride;
  if (set.type === "f32") {
    const v = new Float32Array(set.bytes.buffer, base, set.dim);
    for (let j = 0; j < set.dim; j++) out[j] = v[j]!;
  } else if (set.type === "f16") {
    const h = new Uint16Array(set.bytes.buffer, base, set.dim);
    for (let j = 0; j < set.dim; j++) out[j] = f16BitsToF32(h[j]!);
  } else {
    const b = new Int8Array(set.bytes.buffer, base, set.dim);
    for (let j = 0; j < set.dim; j++) out[j] = b[j]!;
  }
  return out;
}

/** js reference distance between a prepared query (or raw row) and raw row values, in f64, rounded to f32. */
export function refDistance(set: RowSet, q: Float64Array, x: Float64Array): number {
  let s = 0;
  if (set.metric === "l2") for (let j = 0; j < set.dim; j++) s += (q[j]! - x[j]!) * (q[j]! - x[j]!);
  else for (let j = 0; j < set.dim; j++) s += q[j]! * x[j]!;
  if (set.type === "i8") return Math.fround(set.metric === "l2" ? s / 16129 : (16129 - s) / 16129);
  return Math.fround(set.metric === "l2" ? s : 1 - s);
}
