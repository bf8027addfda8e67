// Input rows: accepted forms, validation (dimension, finiteness, zero norm) and the metric's
// preparation (cosine normalization, MIPS lift) before rows reach the arena or a kernel.
import { Tensor } from "@x/tensor";
import {
  DimensionMismatchError,
  NonFiniteVectorError,
  NotSupportedError,
  ZeroVectorError,
} from "./errors.js";

/** Vectors accepted by add/build/search: a row-major Float32Array, number[], or a [n, dim] (or [dim]) f32/f16 Tensor. */
export type VectorInput = Float32Array | readonly number[] | Tensor;

let warnedCopy = false;

/** Row-major f32 values of `input` and the row count; checks the dimension. */
export function toRows(
  input: VectorInput,
  dim: number,
  what: string,
  strict = false,
): { data: Float32Array; n: number } {
  let data: Float32Array;
  if (input instanceof Float32Array) {
    data = input;
  } else if (input instanceof Tensor) {
    const last = input.shape[input.shape.length - 1] ?? 0;
    if (input.ndim < 1 || input.ndim > 2)
      throw new DimensionMismatchError(dim, last, `${what} tensor of rank ${input.ndim}`);
    if (last !== dim) throw new DimensionMismatchError(dim, last, what);
    if (input.dtype !== "f32" && input.dtype !== "f16")
      throw new NotSupportedError(`${what}: tensor dtype ${input.dtype} (use f32 or f16)`);
    if (!input.isContiguous() && strict)
      throw new NotSupportedError(`${what}: tensor is not contiguous (strict)`);
    if (!input.isContiguous() && !warnedCopy) {
      warnedCopy = true;
      process.emitWarning("@x/ann-graph: a strided tensor view was copied to contiguous rows");
    }
    data = Float32Array.from(input.toArray() as number[]);
  } else if (Array.isArray(input)) {
    data = Float32Array.from(input as number[]);
  } else {
    throw new NotSupportedError(`${what}: expected a Float32Array, number[] or Tensor`);
  }
  if (data.length % dim !== 0 || (data.length === 0 && what === "query")) {
    throw new DimensionMismatchError(dim, data.length % dim === 0 ? 0 : data.length, what);
  }
  return { data, n: data.length / dim };
}

/** Index of the first row with a NaN/Inf value (or -1). */
export function firstNonFinite(data: Float32Array, dim: number): number {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return Math.floor(i / dim);
  return -1;
}

/** Throws NonFiniteVectorError on the first non-finite row. */
export function checkFinite(data: Float32Array, dim: number, what: string): void {
  const bad = firstNonFinite(data, dim);
  if (bad >= 0) throw new NonFiniteVectorError(bad, what);
}

/** Euclidean norm of row r. */
export function rowNorm(data: Float32Array, dim: number, r: number): number {
  let s = 0;
  for (let j = 0; j < dim; j++) s += data[r * dim + j]! * data[r * dim + j]!;
  return Math.sqrt(s);
}

/** Unit-normalized copy of the rows (ZeroVectorError on a zero row). */
export function normalizeRows(data: Float32Array, dim: number, what: string): Float32Array {
  const out = new Float32Array(data.length);
  for (let r = 0; r < data.length / dim; r++) {
    const norm = rowNorm(data, dim, r);
    if (norm === 0) throw new ZeroVectorError(r, what);
    for (let j = 0; j < dim; j++) out[r * dim + j] = data[r * dim + j]! / norm;
  }
  return out;
}

/** max|x| / min|x| over the rows (Infinity when a row is zero). */
export function normSpread(data: Float32Array, dim: number): { spread: number; max: number } {
  let lo = Number.POSITIVE_INFINITY,
    hi = 0;
  for (let r = 0; r < data.length / dim; r++) {
    const n = rowNorm(data, dim, r);
    lo = Math.min(lo, n);
    hi = Math.max(hi, n);
  }
  return { spread: lo === 0 ? Number.POSITIVE_INFINITY : hi / lo, max: hi };
}

/** MIPS lift of base rows: [x, sqrt(R^2 - |x|^2)] (dim + 1 each). */
export function liftRows(data: Float32Array, dim: number, r2: number): Float32Array {
  const n = data.length / dim;
  const out = new Float32Array(n * (dim + 1));
  for (let r = 0; r < n; r++) {
    let s = 0;
    for (let j = 0; j < dim; j++) {
      out[r * (dim + 1) + j] = data[r * dim + j]!;
      s += data[r * dim + j]! * data[r * dim + j]!;
    }
    out[r * (dim + 1) + dim] = Math.sqrt(Math.max(0, r2 - s));
  }
  return out;
}

/** MIPS lift of queries: [q / |q|, 0]; returns the lifted rows and each query norm. */
export function liftQueries(
  data: Float32Array,
  dim: number,
): { rows: Float32Array; norms: Float64Array } {
  const n = data.length / dim;
  const rows = new Float32Array(n * (dim + 1));
  const norms = new Float64Array(n);
  for (let r = 0; r < n; r++) {
    const norm = rowNorm(data, dim, r);
    if (norm === 0) throw new ZeroVectorError(r, "query");
    norms[r] = norm;
    for (let j = 0; j < dim; j++) rows[r * (dim + 1) + j] = data[r * dim + j]! / norm;
  }
  return { rows, norms };
}
