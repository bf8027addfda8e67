// NN-Descent kNN graphs and their diversified search graphs, native with js oracles.
import type { GraphDiversifyKernel, NNDescentKernel } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import { ValueError } from "../errors.js";
import { JsSpace, pruneJs, type Scored, sortScored } from "./js-space.js";
import { type RowSet, rowArgs } from "./rows.js";

/** Options of {@link nnDescent} (Dong, Charikar, Li 2011). */
export interface NNDescentOptions {
  /** Neighbours per node; default 20. */
  K?: number;
  /** Sample rate; default 1. */
  rho?: number;
  /** Stop when updates < delta * n * K; default 0.001. */
  delta?: number;
  /** Default 12. */
  maxIters?: number;
  /** splitmix64 seed (< 2^53); default 42. */
  seed?: number;
}

/** kNN lists (n x K ascending) and the update count of each iteration run. */
export interface NNDescentResult {
  ids: Uint32Array;
  distances: Float32Array;
  updates: number[];
}

/**
 * Approximate K-nearest-neighbour lists of every row by NN-Descent (single-threaded, seeded:
 * deterministic). Slots a tiny set cannot fill are 0xFFFFFFFF / +Infinity.
 *
 * @example
 * const { ids, updates } = nnDescent(set, { K: 20 }); // updates shrink until convergence
 */
export function nnDescent(set: RowSet, opts: NNDescentOptions = {}): NNDescentResult {
  const K = opts.K ?? 20;
  const rho = opts.rho ?? 1;
  const delta = opts.delta ?? 0.001;
  const maxIters = opts.maxIters ?? 12;
  const seed = opts.seed ?? 42;
  if (!Number.isInteger(K) || K < 1)
    throw new ValueError(`nnDescent: K must be a positive integer, got ${K}`);
  if (!(rho > 0 && rho <= 1)) throw new ValueError(`nnDescent: rho must be in (0, 1], got ${rho}`);
  const ids = new Uint32Array(set.n * K);
  const distances = new Float32Array(set.n * K);
  const kernel = nativeKernel<NNDescentKernel>("nnDescent");
  if (kernel) {
    const updates = new Float64Array(maxIters);
    kernel(...rowArgs(set), K, rho, delta, maxIters, seed, ids, distances, updates);
    return { ids, distances, updates: Array.from(updates).filter((u) => u >= 0) };
  }
  return nnDescentJs(set, K, rho, delta, maxIters, seed, ids, distances);
}

class SplitMix {
  private s: bigint;
  constructor(seed: number) {
    this.s = BigInt(seed);
  }
  below(n: number): number {
    const M = (1n << 64n) - 1n;
    this.s = (this.s + 0x9e3779b97f4a7c15n) & M;
    let z = this.s;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
    return Number((z ^ (z >> 31n)) % BigInt(n));
  }
}

function nnDescentJs(
  set: RowSet,
  K: number,
  rho: number,
  delta: number,
  maxIters: number,
  seed: number,
  ids: Uint32Array,
  distances: Float32Array,
): NNDescentResult {
  const n = set.n;
  const space = new JsSpace(set);
  const rng = new SplitMix(seed);
  const lists: { d: number; id: number; isNew: boolean }[][] = Array.from({ length: n }, () => []);
  const push = (v: number, u: number, d: number): number => {
    const l = lists[v]!;
    if (l.some((e) => e.id === u)) return 0;
    if (l.length === K) {
      const worst = l.reduce((a, b) => (a.d > b.d || (a.d === b.d && a.id > b.id) ? a : b));
      if (!(d < worst.d || (d === worst.d && u < worst.id))) return 0;
      l.splice(l.indexOf(worst), 1);
    }
    l.push({ d, id: u, isNew: true });
    return 1;
  };
  for (let v = 0; v < n; v++)
    for (let t = 0; lists[v]!.length < Math.min(K, n - 1) && t < 8 * K + 64; t++) {
      const u = rng.below(n);
      if (u !== v) push(v, u, space.between(v, u));
    }
  const cap = Math.max(1, Math.floor(Math.fround(rho * K)));
  const sample = (arr: number[]) => {
    for (let i = 0; i < Math.min(cap, arr.length) && arr.length > cap; i++) {
      const j = i + rng.below(arr.length - i);
      [arr[i], arr[j]] = [arr[j]!, arr[i]!];
    }
    if (arr.length > cap) arr.length = cap;
  };
  const updates: number[] = [];
  for (let it = 0; it < maxIters; it++) {
    const oldL: number[][] = [],
      newL: number[][] = [];
    const oldR: number[][] = Array.from({ length: n }, () => []),
      newR: number[][] = Array.from({ length: n }, () => []);
    for (let v = 0; v < n; v++) {
      oldL.push(lists[v]!.filter((e) => !e.isNew).map((e) => e.id));
      const fresh = lists[v]!.filter((e) => e.isNew);
      for (let i = 0; i < fresh.length && i < cap; i++) {
        const j = i + rng.below(fresh.length - i);
        [fresh[i], fresh[j]] = [fresh[j]!, fresh[i]!];
      }
      fresh.length = Math.min(fresh.length, cap);
      for (const e of fresh) e.isNew = false;
      newL.push(fresh.map((e) => e.id));
    }
    for (let v = 0; v < n; v++) {
      for (const u of oldL[v]!) oldR[u]!.push(v);
      for (const u of newL[v]!) newR[u]!.push(v);
    }
    let c = 0;
    for (let v = 0; v < n; v++) {
      const nw = newL[v]!,
        od = oldL[v]!;
      sample(oldR[v]!);
      sample(newR[v]!);
      for (const u of oldR[v]!) if (!od.includes(u)) od.push(u);
      for (const u of newR[v]!) if (!nw.includes(u)) nw.push(u);
      for (let i = 0; i < nw.length; i++) {
        const u1 = nw[i]!;
        for (const u2 of [...nw.slice(i + 1), ...od]) {
          if (u1 === u2) continue;
          const d = space.between(u1, u2);
          c += push(u1, u2, d) + push(u2, u1, d);
        }
      }
    }
    updates.push(c);
    if (c < delta * n * K) break;
  }
  for (let v = 0; v < n; v++) {
    const l = sortScored(lists[v]!.map((e): Scored => [e.d, e.id]));
    for (let j = 0; j < K; j++) {
      ids[v * K + j] = l[j]?.[1] ?? 0xffffffff;
      distances[v * K + j] = l[j]?.[0] ?? Number.POSITIVE_INFINITY;
    }
  }
  return { ids, distances, updates };
}

/**
 * A search graph from kNN lists (PyNNDescent style): prune each list with the heuristic,
 * add reverse edges, prune again to `maxDeg`. Returns level-0 lists n x (1 + maxDeg).
 *
 * @example
 * const adj = graphDiversify(set, knn.ids, knn.distances, 20, 30);
 */
export function graphDiversify(
  set: RowSet,
  knnIds: Uint32Array,
  knnDist: Float32Array,
  K: number,
  maxDeg: number,
  alpha = 1,
): Uint32Array {
  const adj = new Uint32Array(set.n * (1 + maxDeg));
  const kernel = nativeKernel<GraphDiversifyKernel>("graphDiversify");
  if (kernel) {
    kernel(...rowArgs(set), K, knnIds, knnDist, alpha, adj, maxDeg);
    return adj;
  }
  const space = new JsSpace(set);
  const forward: Scored[][] = [];
  for (let v = 0; v < set.n; v++) {
    const c: Scored[] = [];
    for (let j = 0; j < K; j++)
      if (knnIds[v * K + j] !== 0xffffffff) c.push([knnDist[v * K + j]!, knnIds[v * K + j]!]);
    forward.push(pruneJs(space, c, K, alpha, false));
  }
  const merged = forward.map((l) => l.slice());
  forward.forEach((l, v) => {
    for (const [d, u] of l) merged[u]!.push([d, v]);
  });
  merged.forEach((m, v) => {
    const uniq = sortScored(m).filter((s, i, arr) => i === 0 || arr[i - 1]![1] !== s[1]);
    const kept = pruneJs(space, uniq, maxDeg, alpha, true);
    adj[v * (1 + maxDeg)] = kept.length;
    adj.set(
      kept.map((s) => s[1]),
      v * (1 + maxDeg) + 1,
    );
  });
  return adj;
}
