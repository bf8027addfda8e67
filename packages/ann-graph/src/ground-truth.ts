// Exact ground truth and the ann-benchmarks recall measure.
import { createRowSet, knnScan } from "@x/tensor";
import type { Metric } from "./options.js";
import { normalizeRows } from "./vectors.js";

/**
 * Exact k nearest base rows of every query (ids row-major nq x k) with f64 accumulation, in
 * the metric's reported distance (cosine normalizes both sides, as the index stores).
 *
 * @example
 * const truth = bruteForceKnn(base, queries, 10, "cosine", 64);
 */
export function bruteForceKnn(
  base: Float32Array,
  queries: Float32Array,
  k: number,
  metric: Metric,
  dim: number,
) {
  const b = metric === "cosine" ? normalizeRows(base, dim, "vector") : base;
  const q = metric === "cosine" ? normalizeRows(queries, dim, "query") : queries;
  const set = createRowSet(b, dim, { metric: metric === "l2" ? "l2" : "dot" });
  return knnScan(set, q, k, { f64: true });
}

/**
 * ann-benchmarks recall@k: returned items with distance <= the true k-th distance * (1 + 1e-6)
 * (threshold recall), averaged over queries; `idRecall` counts exact id matches.
 *
 * @example
 * const { recall } = recallAtK(result.distances, result.labels, truth, 10);
 */
export function recallAtK(
  distances: Float32Array,
  labels: Uint32Array,
  truth: { ids: Uint32Array; distances: Float32Array },
  k: number,
): { recall: number; idRecall: number } {
  const nq = truth.ids.length / k;
  let hit = 0,
    idHit = 0;
  for (let q = 0; q < nq; q++) {
    const kth = truth.distances[q * k + k - 1]!;
    const thr = kth + Math.abs(kth) * 1e-6 + 1e-7;
    const ids = new Set(Array.from(truth.ids.subarray(q * k, q * k + k)));
    for (let j = 0; j < k; j++) {
      if (labels[q * k + j] === 0xffffffff) continue;
      if (distances[q * k + j]! <= thr) hit++;
      if (ids.has(labels[q * k + j]!)) idHit++;
    }
  }
  return { recall: hit / (nq * k), idRecall: idHit / (nq * k) };
}
