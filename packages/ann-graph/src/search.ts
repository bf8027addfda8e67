// Query preparation, graph or exact search, label mapping and distance reporting.
import { type GraphArrays, type GraphSearcher, graphSearch, knnScan, readRow } from "@x/tensor";
import type { AllowList, BatchResult, SearchOptions } from "./options.js";
import { graphOf, type IndexState } from "./state.js";
import { liftQueries, normalizeRows } from "./vectors.js";

/** Default beam width per kind (hnswlib's default 10 is too low for recall@10). */
export function defaultEf(s: IndexState): number {
  return s.kind === "nndescent" ? 32 : 64;
}

/** Bitset of the internal ids whose labels are in `labels`. */
export function buildAllowList(
  s: IndexState,
  labelToId: Map<number, number>,
  labels: ArrayLike<number>,
): AllowList {
  const bits = new Uint8Array(Math.ceil(Math.max(1, s.rows.n) / 8));
  let count = 0;
  for (let i = 0; i < labels.length; i++) {
    const id = labelToId.get(labels[i]!);
    if (id === undefined || (bits[id >> 3]! >> (id & 7)) & 1) continue;
    if (s.deletedCount > 0 && (s.deleted[id >> 3]! >> (id & 7)) & 1) continue;
    bits[id >> 3]! |= 1 << (id & 7);
    count++;
  }
  return { bits, count };
}

/** Live rows as an allow bitset (for exact scans when rows are deleted). */
function liveBits(s: IndexState): Uint8Array | undefined {
  if (s.deletedCount === 0) return undefined;
  const bits = new Uint8Array(Math.ceil(s.rows.n / 8));
  for (let i = 0; i < bits.length; i++) bits[i] = ~s.deleted[i]! & 0xff;
  return bits;
}

/** Queries as the kernels take them (normalized for cosine, lifted for MIPS) and their norms. */
export function prepareQueries(
  s: IndexState,
  data: Float32Array,
): { rows: Float32Array; norms?: Float64Array } {
  if (s.mipsLift) return liftQueries(data, s.dim);
  if (s.metric === "cosine") return { rows: normalizeRows(data, s.dim, "query") };
  return { rows: data };
}

/** The graph arrays and entry set of the current state, rebuilt only after a mutation. */
export interface SearchView {
  graph: GraphArrays;
  entries: Uint32Array;
  /** The bound single-query searcher, made on first use. */
  searcher?: GraphSearcher;
}

/** A fresh SearchView of `s`. */
export function searchView(s: IndexState): SearchView {
  return {
    graph: graphOf(s),
    entries: s.kind === "hnsw" ? Uint32Array.of(Math.max(0, s.hnsw[0]!)) : s.entries,
  };
}

/** Runs nq prepared queries; returns internal ids and kernel distances, plus how it ran. */
export function runSearch(
  s: IndexState,
  view: SearchView,
  rows: Float32Array,
  k: number,
  opts: SearchOptions,
  allow: AllowList | undefined,
  filterExactBelow: number,
): { ids: Uint32Array; distances: Float32Array; trace?: Float64Array; exact: boolean; ef: number } {
  const ef = Math.max(k, Math.floor(opts.ef ?? defaultEf(s)));
  const live = s.rows.n - s.deletedCount;
  const exact =
    s.kind === "flat" ||
    (allow !== undefined && allow.count < filterExactBelow * live) ||
    live <= k;
  if (exact || s.rows.n === 0) {
    const r = knnScan(s.rows, rows, k, { allow: allow?.bits ?? liveBits(s) });
    return { ...r, exact: true, ef };
  }
  const hnsw = s.kind === "hnsw";
  const r = graphSearch(view.graph, rows, k, {
    ef,
    entries: view.entries,
    maxLevel: hnsw ? s.hnsw[1]! : 0,
    epsilon: opts.epsilon ?? (hnsw ? 0 : 0.1),
    greedy: opts.mode === "greedy",
    allow: allow?.bits,
    trace: opts.trace,
  });
  return { ...r, exact: false, ef };
}

/**
 * Maps internal ids to labels and kernel distances to the metric's reported distance. Under the
 * MIPS lift the l2 distance would lose digits converting back (1 + R^2 - d cancels), so the k
 * results are re-scored exactly as 1 - <q, x> from the stored rows and re-sorted.
 */
export function finishResults(
  s: IndexState,
  r: { ids: Uint32Array; distances: Float32Array },
  k: number,
  queries: Float32Array,
  norms?: Float64Array,
): BatchResult {
  if (norms) rescoreLift(s, r, k, queries);
  // Ids become labels in place: the arrays are fresh per call, so no second allocation.
  const labels = r.ids;
  for (let i = 0; i < labels.length; i++)
    if (labels[i] !== 0xffffffff) labels[i] = s.labels[labels[i]!]!;
  return { labels, distances: r.distances };
}

function rescoreLift(
  s: IndexState,
  r: { ids: Uint32Array; distances: Float32Array },
  k: number,
  queries: Float32Array,
): void {
  const d = s.dim;
  for (let q = 0; q < r.ids.length / k; q++) {
    const found: [number, number][] = [];
    for (let j = 0; j < k; j++) {
      const id = r.ids[q * k + j]!;
      if (id === 0xffffffff) break;
      const x = readRow(s.rows, id);
      let dot = 0;
      for (let t = 0; t < d; t++) dot += queries[q * d + t]! * x[t]!;
      found.push([Math.fround(1 - dot), id]);
    }
    found.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    found.forEach(([dist, id], j) => {
      r.ids[q * k + j] = id;
      r.distances[q * k + j] = dist;
    });
  }
}
