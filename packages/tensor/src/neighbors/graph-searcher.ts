// Single-query graph search bound once: the graph arrays are handed to native code a single
// time (a handle keeps them alive), so each query passes only its vector and k / ef.
import type { GraphSearcherKernel, GraphSearchOneKernel } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import { type GraphArrays, graphArgs } from "./graph-arrays.js";
import { graphSearch } from "./graph-search.js";

/** Options of {@link graphSearcher}. */
export interface GraphSearcherOptions {
  /** Entry nodes (HNSW: the top entry point only). */
  entries: Uint32Array;
  /** Top HNSW level (0 = single-layer graph). */
  maxLevel?: number;
  /** Internal id -> label; results are reported as labels when given. */
  labels?: Uint32Array;
}

/** A bound graph: `search` writes up to k results ascending and returns how many it found. */
export interface GraphSearcher {
  search(
    query: Float32Array,
    k: number,
    ef: number,
    epsilon: number,
    outLabels: Uint32Array,
    outDist: Float32Array,
  ): number;
}

/**
 * Binds `g` for repeated single-query beam searches. The arrays must not be replaced or resized
 * while the searcher is in use (bind again after a mutation); their contents may change.
 *
 * @example
 * const s = graphSearcher(graph, { entries: Uint32Array.of(medoid) });
 * const found = s.search(q, 10, 64, 0, new Uint32Array(10), new Float32Array(10));
 */
export function graphSearcher(g: GraphArrays, opts: GraphSearcherOptions): GraphSearcher {
  const maxLevel = opts.maxLevel ?? 0;
  let handle: object | undefined;
  return {
    search(query, k, ef, epsilon, outLabels, outDist) {
      const one = nativeKernel<GraphSearchOneKernel>("graphSearchOne");
      if (one) {
        handle ??= nativeKernel<GraphSearcherKernel>("graphSearcher")!(
          ...graphArgs(g),
          opts.entries,
          maxLevel,
          g.rows.dim,
          opts.labels ?? null,
        );
        return one(handle, query, k, ef, epsilon, outLabels, outDist);
      }
      const r = graphSearch(g, query, k, { ef, entries: opts.entries, maxLevel, epsilon });
      let found = 0;
      while (found < k && r.ids[found] !== 0xffffffff) found++;
      for (let j = 0; j < k; j++) {
        const id = r.ids[j]!;
        outLabels[j] = j < found && opts.labels ? opts.labels[id]! : id;
        outDist[j] = r.distances[j]!;
      }
      return found;
    },
  };
}
