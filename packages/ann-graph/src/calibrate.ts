// Choosing ef for a target recall, and the TwoNN intrinsic dimension: when graph search pays.
import { createRowSet, knnScan } from "@x/tensor";
import type { AnnIndex } from "./ann-index.js";
import { recallAtK } from "./ground-truth.js";
import { SplitMix64 } from "./rng.js";

/** One step of a calibration sweep. */
export interface CalibrationStep {
  ef: number;
  recall: number;
  qps: number;
}

/**
 * Sweeps ef geometrically (x1.5) from k to efMax on sample queries (stored rows, or `queries`)
 * against exact ground truth; returns the smallest ef reaching `targetRecall`, or reached:
 * false (use exhaustive search).
 *
 * @example
 * const { reached, ef } = calibrate(index, { k: 10, targetRecall: 0.95, queries });
 */
export function calibrate(
  index: AnnIndex,
  opts: {
    k: number;
    targetRecall: number;
    queries?: Float32Array;
    sample?: number;
    efMax?: number;
    seed?: number;
  },
): { reached: boolean; ef?: number; steps: CalibrationStep[] } {
  const { k, targetRecall } = opts;
  const s = index.s;
  let queries = opts.queries;
  if (!queries) {
    const rng = new SplitMix64(opts.seed ?? 7);
    const m = Math.min(opts.sample ?? 200, index.size);
    queries = new Float32Array(m * s.dim);
    for (let i = 0; i < m; i++)
      queries.set(index.getVector(s.labels[rng.below(s.rows.n)]!), i * s.dim);
  }
  const flatRows = new Float32Array(s.rows.n * s.dim);
  for (let i = 0; i < s.rows.n; i++) flatRows.set(index.getVector(s.labels[i]!), i * s.dim);
  const exact = createRowSet(flatRows, s.dim, { metric: s.metric === "l2" ? "l2" : "dot" });
  const truthIds = knnScan(exact, s.metric === "cosine" ? queries : queries, k, { f64: true });
  const truth = {
    ids: Uint32Array.from(truthIds.ids, (i) => (i === 0xffffffff ? i : s.labels[i]!)),
    distances: truthIds.distances,
  };
  const steps: CalibrationStep[] = [];
  for (let ef = k; ; ef = Math.ceil(ef * 1.5)) {
    const e = Math.min(ef, opts.efMax ?? 2048);
    const t0 = performance.now();
    const r = index.searchBatch(queries, k, { ef: e });
    const dt = (performance.now() - t0) / 1000;
    const { recall } = recallAtK(r.distances, r.labels, truth, k);
    steps.push({ ef: e, recall, qps: queries.length / s.dim / dt });
    if (recall >= targetRecall) return { reached: true, ef: e, steps };
    if (e >= (opts.efMax ?? 2048)) return { reached: false, steps };
  }
}

/**
 * TwoNN intrinsic dimension (Facco et al. 2017): mu = r2 / r1 of sampled points, d = m / sum ln mu.
 * Exact duplicates (r1 = 0) are excluded and counted.
 *
 * @example
 * estimateIntrinsicDim(vectors, 64).dim; // ~ 7 for uniform data on S^7
 */
export function estimateIntrinsicDim(
  vectors: Float32Array,
  dim: number,
  opts: { sample?: number; seed?: number } = {},
): { dim: number; duplicates: number; sampled: number } {
  const set = createRowSet(vectors, dim, { metric: "l2" });
  const rng = new SplitMix64(opts.seed ?? 42);
  const m = Math.min(opts.sample ?? 2000, set.n);
  const q = new Float32Array(m * dim);
  for (let i = 0; i < m; i++) {
    const r = rng.below(set.n);
    q.set(vectors.subarray(r * dim, (r + 1) * dim), i * dim);
  }
  const nn = knnScan(set, q, 3, { f64: true });
  let sum = 0,
    used = 0,
    duplicates = 0;
  for (let i = 0; i < m; i++) {
    // distances are squared l2; slot 0 is the point itself
    const r1 = Math.sqrt(nn.distances[i * 3 + 1]!),
      r2 = Math.sqrt(nn.distances[i * 3 + 2]!);
    if (!(r1 > 0)) {
      duplicates++;
      continue;
    }
    sum += Math.log(r2 / r1);
    used++;
  }
  return { dim: used > 0 && sum > 0 ? used / sum : Number.NaN, duplicates, sampled: m };
}
