// Distances from queries to a row set and the exact k-NN scan, native with a js fallback.
import type { DistanceRowsKernel, KnnScanKernel } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import { ShapeError, ValueError } from "../errors.js";
import { prepareQuery, type RowSet, rawRow, refDistance, rowArgs } from "./rows.js";

/** k nearest rows per query, row-major nq x k; missing slots are 0xFFFFFFFF / +Infinity. */
export interface KnnResult {
  ids: Uint32Array;
  distances: Float32Array;
}

/** Orders (distance, id) pairs: smaller distance first, ties by smaller id. */
export function compareScored(da: number, ia: number, db: number, ib: number): number {
  return da < db ? -1 : da > db ? 1 : ia - ib;
}

function checkQueries(set: RowSet, queries: Float32Array, what: string): number {
  if (queries.length % set.dim !== 0)
    throw new ShapeError(
      `${what}: queries have ${queries.length} values, not a multiple of dim ${set.dim}`,
    );
  return queries.length / set.dim;
}

/**
 * Distances from one query (dim f32) to rows `ids` of `set` (all rows when omitted).
 *
 * @example
 * const set = createRowSet(new Float32Array([0, 0, 3, 4]), 2, { metric: "l2" });
 * distanceRows(set, new Float32Array([0, 0])); // Float32Array [0, 25]
 */
export function distanceRows(set: RowSet, q: Float32Array, ids?: Uint32Array): Float32Array {
  if (q.length !== set.dim)
    throw new ShapeError(`distanceRows: query has ${q.length} values, rows have dim ${set.dim}`);
  const count = ids ? ids.length : set.n;
  const out = new Float32Array(count);
  const kernel = nativeKernel<DistanceRowsKernel>("distanceRows");
  if (kernel) {
    kernel(...rowArgs(set), q, set.dim, ids ?? null, out);
    return out;
  }
  const pq = prepareQuery(set, q);
  for (let j = 0; j < count; j++) {
    const id = ids ? ids[j]! : j;
    if (id >= set.n)
      throw new ValueError(`distanceRows: ids[${j}] = ${id} is out of range (n = ${set.n})`);
    out[j] = refDistance(set, pq, rawRow(set, id));
  }
  return out;
}

/**
 * Exact k nearest rows of every query (blocked SIMD scan). `allow` is a bitset of admissible
 * rows; `f64` accumulates in double (ground truth). Ties go to the smaller id.
 *
 * @example
 * const { ids } = knnScan(set, queries, 10); // ids[q * 10 + j]
 */
export function knnScan(
  set: RowSet,
  queries: Float32Array,
  k: number,
  opts: { allow?: Uint8Array; f64?: boolean } = {},
): KnnResult {
  if (!Number.isInteger(k) || k < 1)
    throw new RangeError(`knnScan: k must be a positive integer, got ${k}`);
  const nq = checkQueries(set, queries, "knnScan");
  const ids = new Uint32Array(nq * k);
  const distances = new Float32Array(nq * k);
  const kernel = nativeKernel<KnnScanKernel>("knnScan");
  if (kernel) {
    kernel(
      ...rowArgs(set),
      queries,
      nq,
      set.dim,
      k,
      opts.allow ?? null,
      opts.f64 ?? false,
      ids,
      distances,
    );
    return { ids, distances };
  }
  const rows = Array.from({ length: set.n }, (_, i) => rawRow(set, i));
  for (let q = 0; q < nq; q++) {
    const pq = prepareQuery(set, queries, q * set.dim);
    const scored: [number, number][] = [];
    for (let i = 0; i < set.n; i++) {
      if (opts.allow && !((opts.allow[i >> 3]! >> (i & 7)) & 1)) continue;
      scored.push([refDistance(set, pq, rows[i]!), i]);
    }
    scored.sort((a, b) => compareScored(a[0], a[1], b[0], b[1]));
    for (let j = 0; j < k; j++) {
      ids[q * k + j] = scored[j]?.[1] ?? 0xffffffff;
      distances[q * k + j] = scored[j]?.[0] ?? Number.POSITIVE_INFINITY;
    }
  }
  return { ids, distances };
}
