// Beam search over a graph (HNSW SEARCH-LAYER / Vamana GreedySearch), native with a js oracle.
import type { GraphSearchKernel } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import { ShapeError } from "../errors.js";
import type { KnnResult } from "./distance-ops.js";
import { type GraphArrays, graphArgs, neighbours, testBit } from "./graph-arrays.js";
import { JsSpace, type Scored, sortScored } from "./js-space.js";

/** Options of {@link graphSearch}. */
export interface GraphSearchOptions {
  /** Beam width; raised to k. */
  ef: number;
  /** Entry nodes (HNSW: the top entry point only). */
  entries: Uint32Array;
  /** Top HNSW level (0 = single-layer graph). */
  maxLevel?: number;
  /** Keep expanding while d(c) < bound + epsilon * |bound| (PyNNDescent); default 0. */
  epsilon?: number;
  /** Plain greedy walk to a local minimum instead of the beam. */
  greedy?: boolean;
  /** Bitset of admissible nodes; others are traversed but not returned. */
  allow?: Uint8Array;
  /** Also return per query [hops, distance evaluations, visited]. */
  trace?: boolean;
}

/**
 * Searches nq queries (row-major, dim each) in a graph; returns k internal ids per query
 * ascending by distance (ties by smaller id), missing slots 0xFFFFFFFF / +Infinity.
 *
 * @example
 * const { ids } = graphSearch(graph, q, 10, { ef: 64, entries: Uint32Array.of(medoid) });
 */
export function graphSearch(
  g: GraphArrays,
  queries: Float32Array,
  k: number,
  opts: GraphSearchOptions,
): KnnResult & { trace?: Float64Array } {
  if (!Number.isInteger(k) || k < 1)
    throw new RangeError(`graphSearch: k must be a positive integer, got ${k}`);
  if (!(opts.ef >= 1)) throw new RangeError(`graphSearch: ef must be >= 1, got ${opts.ef}`);
  const dim = g.rows.dim;
  if (queries.length % dim !== 0)
    throw new ShapeError(
      `graphSearch: ${queries.length} query values are not a multiple of dim ${dim}`,
    );
  const nq = queries.length / dim;
  const ids = new Uint32Array(nq * k);
  const distances = new Float32Array(nq * k);
  const trace = opts.trace ? new Float64Array(nq * 3) : undefined;
  const kernel = nativeKernel<GraphSearchKernel>("graphSearch");
  if (kernel) {
    kernel(
      ...graphArgs(g),
      opts.entries,
      opts.maxLevel ?? 0,
      queries,
      nq,
      dim,
      k,
      Math.floor(opts.ef),
      opts.epsilon ?? 0,
      opts.greedy ?? false,
      opts.allow ?? null,
      ids,
      distances,
      trace ?? null,
    );
  } else {
    const space = new JsSpace(g.rows);
    for (let q = 0; q < nq; q++) {
      space.evals = 0;
      const r = searchOneJs(g, space, space.query(queries, q * dim), k, opts);
      for (let j = 0; j < k; j++) {
        ids[q * k + j] = r.found[j]?.[1] ?? 0xffffffff;
        distances[q * k + j] = r.found[j]?.[0] ?? Number.POSITIVE_INFINITY;
      }
      if (trace) trace.set([r.hops, space.evals, r.visited], q * 3);
    }
  }
  return trace ? { ids, distances, trace } : { ids, distances };
}

function slack(bound: number, eps: number): number {
  return eps === 0 ? bound : bound + eps * Math.abs(bound);
}

/** js reference of one layer's beam search (also used by the js HNSW build). */
export function beamJs(
  g: GraphArrays,
  space: JsSpace,
  q: Float64Array,
  entries: Scored[],
  ef: number,
  level: number,
  eps: number,
  allow: Uint8Array | undefined,
  visited: Set<number>,
): { found: Scored[]; hops: number } {
  const ok = (i: number) => (!allow || testBit(allow, i)) && (!g.deleted || testBit(g.deleted, i));
  const cand: Scored[] = [];
  let W: Scored[] = [];
  const worst = () => W[W.length - 1]!;
  const add = (s: Scored) => {
    W.push(s);
    W = sortScored(W).slice(0, ef);
  };
  for (const e of entries) {
    if (visited.has(e[1])) continue;
    visited.add(e[1]);
    cand.push(e);
    if (ok(e[1])) add(e);
  }
  let hops = 0;
  while (cand.length > 0) {
    sortScored(cand);
    const c = cand.shift()!;
    if (W.length >= ef && c[0] > slack(worst()[0], eps)) break;
    hops++;
    for (const u of neighbours(g, c[1], level)) {
      if (visited.has(u)) continue;
      visited.add(u);
      const d = space.to(q, u);
      if (W.length < ef || d < slack(worst()[0], eps)) {
        cand.push([d, u]);
        if (ok(u)) add([d, u]);
      }
    }
  }
  return { found: W, hops };
}

/** js reference of greedy descent through HNSW levels top..bottom. */
export function descendJs(
  g: GraphArrays,
  space: JsSpace,
  q: Float64Array,
  cur: Scored,
  top: number,
  bottom: number,
): number {
  let hops = 0;
  for (let level = top; level >= bottom; level--) {
    for (let moved = true; moved; ) {
      moved = false;
      hops++;
      for (const u of neighbours(g, cur[1], level)) {
        const d = space.to(q, u);
        if (d < cur[0]) {
          cur[0] = d;
          cur[1] = u;
          moved = true;
        }
      }
    }
  }
  return hops;
}

function searchOneJs(
  g: GraphArrays,
  space: JsSpace,
  q: Float64Array,
  k: number,
  opts: GraphSearchOptions,
) {
  const ef = Math.max(k, Math.floor(opts.ef));
  const visited = new Set<number>();
  if (g.rows.n === 0 || opts.entries.length === 0)
    return { found: [] as Scored[], hops: 0, visited: 0 };
  let hops = 0;
  const ent: Scored[] = [];
  if ((opts.maxLevel ?? 0) > 0) {
    const cur: Scored = [space.to(q, opts.entries[0]!), opts.entries[0]!];
    hops += descendJs(g, space, q, cur, opts.maxLevel!, 1);
    ent.push(cur);
  } else for (const e of opts.entries) ent.push([space.to(q, e), e]);
  if (opts.greedy) {
    let cur = sortScored(ent.slice())[0]!;
    visited.add(cur[1]);
    for (let moved = true; moved; ) {
      moved = false;
      hops++;
      let best = cur;
      for (const u of neighbours(g, cur[1])) {
        if (visited.has(u)) continue;
        visited.add(u);
        const d = space.to(q, u);
        if (d < best[0] || (d === best[0] && u < best[1])) best = [d, u];
      }
      if (best[1] !== cur[1]) {
        cur = best;
        moved = true;
      }
    }
    return { found: [cur], hops, visited: visited.size };
  }
  const r = beamJs(g, space, q, ent, ef, 0, opts.epsilon ?? 0, opts.allow, visited);
  return { found: r.found.slice(0, k), hops: hops + r.hops, visited: visited.size };
}
