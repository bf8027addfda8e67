// Query entry points of an index: validation, the bound single-query fast path, and the general
// path (filters, traces, greedy mode, exact fallbacks, MIPS lift, batches).
import { graphSearcher } from "@x/tensor";
import type { BatchResult, SearchOptions, SearchResult } from "./options.js";
import {
  buildAllowList,
  defaultEf,
  finishResults,
  prepareQueries,
  runSearch,
  type SearchView,
} from "./search.js";
import type { IndexState } from "./state.js";
import { checkFinite } from "./vectors.js";

function checkArgs(k: number, opts: SearchOptions): void {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (opts.ef !== undefined && !(opts.ef >= 1))
    throw new RangeError(`ef must be >= 1, got ${opts.ef}`);
}

/** Runs nq queries through the general path; labels and reported distances, plus how it ran. */
export function runQueries(
  s: IndexState,
  view: SearchView,
  labelToId: Map<number, number>,
  data: Float32Array,
  k: number,
  opts: SearchOptions,
  filterExactBelow: number,
) {
  checkArgs(k, opts);
  checkFinite(data, s.dim, "query");
  const prep = prepareQueries(s, data);
  const f = opts.filter;
  const allow = f === undefined ? undefined : "bits" in f ? f : buildAllowList(s, labelToId, f);
  const r = runSearch(s, view, prep.rows, k, opts, allow, filterExactBelow);
  const out: BatchResult = finishResults(s, r, k, data, prep.norms);
  return { labels: out.labels, distances: out.distances, info: r };
}

/** True when one query can take the bound native path (a plain beam search, labels mapped natively). */
function fastPath(s: IndexState, k: number, opts: SearchOptions): boolean {
  return (
    opts.filter === undefined &&
    !opts.trace &&
    opts.mode !== "greedy" &&
    !s.mipsLift &&
    s.kind !== "flat" &&
    s.rows.n - s.deletedCount > k
  );
}

/** The k nearest of one query (`data` holds exactly one row). */
export function searchOne(
  s: IndexState,
  view: SearchView,
  labelToId: Map<number, number>,
  data: Float32Array,
  k: number,
  opts: SearchOptions,
  filterExactBelow: number,
): SearchResult {
  if (fastPath(s, k, opts)) {
    checkArgs(k, opts);
    checkFinite(data, s.dim, "query");
    const hnsw = s.kind === "hnsw";
    view.searcher ??= graphSearcher(view.graph, {
      entries: view.entries,
      maxLevel: hnsw ? s.hnsw[1]! : 0,
      labels: s.labels,
    });
    const ef = Math.max(k, Math.floor(opts.ef ?? defaultEf(s)));
    const labels = new Uint32Array(k);
    const distances = new Float32Array(k);
    const q = s.metric === "cosine" ? prepareQueries(s, data).rows : data;
    const count = view.searcher.search(
      q,
      k,
      ef,
      opts.epsilon ?? (hnsw ? 0 : 0.1),
      labels,
      distances,
    );
    return count === k
      ? { labels, distances, count }
      : { labels: labels.subarray(0, count), distances: distances.subarray(0, count), count };
  }
  const r = runQueries(s, view, labelToId, data, k, opts, filterExactBelow);
  let count = 0;
  while (count < k && r.labels[count] !== 0xffffffff) count++;
  // Fresh arrays per call: returned as they are (or as views when fewer than k were found).
  const out: SearchResult =
    count === k
      ? { labels: r.labels, distances: r.distances, count }
      : { labels: r.labels.subarray(0, count), distances: r.distances.subarray(0, count), count };
  const t = r.info.trace;
  if (t)
    out.trace = {
      efEffective: r.info.ef,
      hops: t[0]!,
      distanceEvals: t[1]!,
      visited: t[2]!,
      exact: false,
    };
  else if (opts.trace) {
    const live = s.rows.n - s.deletedCount;
    out.trace = {
      efEffective: r.info.ef,
      hops: 0,
      distanceEvals: live,
      visited: live,
      exact: true,
    };
  }
  return out;
}
