// Writing rows into the arena and linking them: HNSW insertion (levels from the seeded stream)
// and the NN-Descent batch build (kNN lists, diversification, medoid entry, reachability repair).
import {
  graphDiversify,
  graphReach,
  graphSearch,
  hnswInsert,
  knnScan,
  nnDescent,
  readRow,
  writeRow,
} from "@x/tensor";
import { SplitMix64 } from "./rng.js";
import { graphOf, type IndexState, reserveUpper } from "./state.js";

/** Writes prepared rows (stored width) at internal ids [n, n + count) and sets their labels. */
export function appendRows(s: IndexState, rows: Float32Array, labels: ArrayLike<number>): void {
  const d = s.rows.dim;
  const count = rows.length / d;
  const from = s.rows.n;
  for (let r = 0; r < count; r++) {
    writeRow(s.rows, from + r, rows, r * d);
    s.labels[from + r] = labels[r]!;
  }
  s.rows.n = from + count;
}

/** Level of every node so far drawn from one splitmix64 stream (one draw per node, in order). */
export function levelStream(s: IndexState): SplitMix64 {
  const rng = new SplitMix64(s.seed);
  for (let i = 0; i < s.rows.n; i++) rng.uniform();
  return rng;
}

/** Links rows [from, n) into the HNSW graph. */
export function hnswLink(s: IndexState, from: number, rng: SplitMix64): void {
  const mL = 1 / Math.log(s.M);
  for (let i = from; i < s.rows.n; i++) {
    const u = 1 - rng.uniform();
    const level = Math.min(60, Math.floor(-Math.log(u) * mL));
    s.levels[i] = level;
    if (level > 0) {
      reserveUpper(s, level);
      s.upperOff[i] = s.upperUsed;
      s.upperUsed += level;
    }
  }
  hnswInsert(
    graphOf(s),
    from,
    s.rows.n,
    { efConstruction: s.efConstruction, M: s.M, alpha: s.alpha },
    s.hnsw,
  );
}

/** Builds the NN-Descent search graph over all rows; returns the update count per iteration. */
export function nndescentBuild(
  s: IndexState,
  opts: { rho: number; delta: number; maxIters: number; nEntry: number },
): number[] {
  const n = s.rows.n;
  const knn = nnDescent(s.rows, {
    K: s.K,
    rho: opts.rho,
    delta: opts.delta,
    maxIters: opts.maxIters,
    seed: s.seed,
  });
  s.adj = graphDiversify(s.rows, knn.ids, knn.distances, s.K, s.maxDeg, s.alpha);
  // Entry set: the medoid (row nearest the mean) and nEntry seeded random rows.
  const mean = new Float32Array(s.rows.dim);
  for (let i = 0; i < n; i++) {
    const r = readRow(s.rows, i);
    for (let j = 0; j < mean.length; j++) mean[j]! += r[j]! / n;
  }
  const medoid = n > 0 ? knnScan(s.rows, mean, 1).ids[0]! : 0;
  const rng = new SplitMix64(s.seed + 1);
  const entries = [medoid];
  for (let e = 0; e < opts.nEntry && n > 1; e++) entries.push(rng.below(n));
  s.entries = Uint32Array.from(new Set(entries));
  repairReachability(s);
  return knn.updates;
}

/**
 * Links every node unreachable from the entry set: a beam search from the entries finds its
 * nearest reachable nodes, and the first with a free slot gets an edge to it.
 */
export function repairReachability(s: IndexState): number {
  const n = s.rows.n;
  if (n === 0) return 0;
  const { mask } = graphReach(s.adj, s.maxDeg, n, s.entries);
  let repaired = 0;
  for (let u = 0; u < n; u++) {
    if (mask[u]) continue;
    const q = readRow(s.rows, u);
    const res = graphSearch(graphOf(s), q, 64, { ef: 64, entries: s.entries });
    let linked = false;
    for (const r of res.ids) {
      if (r === 0xffffffff || !mask[r]) continue;
      const base = r * (1 + s.maxDeg);
      if (s.adj[base]! < s.maxDeg) {
        s.adj[base + 1 + s.adj[base]!] = u;
        s.adj[base]!++;
        linked = true;
        break;
      }
    }
    if (!linked) {
      // Every candidate is full: replace the farthest-listed edge of the nearest reachable node.
      const r = Array.from(res.ids).find((x) => x !== 0xffffffff && mask[x]) ?? s.entries[0]!;
      const base = r * (1 + s.maxDeg);
      s.adj[base + s.adj[base]!] = u;
    }
    repaired++;
    markFrom(s, u, mask);
  }
  return repaired;
}

/** Marks everything reachable from u (level 0) in mask. */
function markFrom(s: IndexState, u: number, mask: Uint8Array): void {
  const queue = [u];
  mask[u] = 1;
  for (let h = 0; h < queue.length; h++) {
    const base = queue[h]! * (1 + s.maxDeg);
    for (let j = 1; j <= s.adj[base]!; j++) {
      const v = s.adj[base + j]!;
      if (!mask[v]) {
        mask[v] = 1;
        queue.push(v);
      }
    }
  }
}
