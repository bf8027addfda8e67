// HNSW insertion and neighbour pruning, native with js oracles.
import type { HnswInsertKernel, PruneNeighborsKernel } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import { ValueError } from "../errors.js";
import { type GraphArrays, graphArgs, neighbours } from "./graph-arrays.js";
import { beamJs, descendJs } from "./graph-search.js";
import { JsSpace, pruneJs, type Scored, sortScored } from "./js-space.js";
import { type RowSet, rowArgs } from "./rows.js";

/** Options of {@link hnswInsert}. */
export interface HnswInsertOptions {
  efConstruction: number;
  /** Links made by a new node per level (lists are capped at maxDeg / upperDeg). */
  M: number;
  /** Pruning slack (1 = HNSW heuristic; > 1 keeps longer edges, Vamana's alpha). */
  alpha?: number;
}

/**
 * Links rows [from, to) of `g.rows` into an HNSW graph, in order. Levels and upper-list
 * offsets of the new rows must be set; `state` = [entry (-1 when empty), maxLevel] is updated.
 *
 * @example
 * const state = Int32Array.of(-1, 0);
 * hnswInsert(graph, 0, graph.rows.n, { efConstruction: 200, M: 16 }, state);
 */
export function hnswInsert(
  g: GraphArrays,
  from: number,
  to: number,
  opts: HnswInsertOptions,
  state: Int32Array,
): void {
  const alpha = opts.alpha ?? 1;
  if (!(opts.M >= 1 && opts.M <= g.maxDeg))
    throw new ValueError(`hnswInsert: M must be in [1, ${g.maxDeg}], got ${opts.M}`);
  const kernel = nativeKernel<HnswInsertKernel>("hnswInsert");
  if (kernel) {
    kernel(...graphArgs(g), from, to, opts.efConstruction, opts.M, alpha, state);
    return;
  }
  const space = new JsSpace(g.rows);
  const list = (i: number, level: number): [Uint32Array, number] => {
    if (level === 0) return [g.adj, i * (1 + g.maxDeg)];
    return [g.upperAdj!, (g.upperOff![i]! + level - 1) * (1 + (g.upperDeg ?? 0))];
  };
  const write = (i: number, level: number, ids: number[]) => {
    const [arr, base] = list(i, level);
    arr[base] = ids.length;
    arr.set(ids, base + 1);
  };
  for (let x = from; x < to; x++) {
    const lx = g.levels ? g.levels[x]! : 0;
    for (let l = 0; l <= lx; l++) write(x, l, []);
    if (state[0]! < 0) {
      state[0] = x;
      state[1] = lx;
      continue;
    }
    const q = space.row(x);
    const cur: Scored = [space.to(q, state[0]!), state[0]!];
    if (state[1]! > lx) descendJs(g, space, q, cur, state[1]!, lx + 1);
    let ent: Scored[] = [cur];
    for (let level = Math.min(lx, state[1]!); level >= 0; level--) {
      const W = sortScored(
        beamJs(g, space, q, ent, opts.efConstruction, level, 0, undefined, new Set()).found,
      );
      const kept = pruneJs(space, W, opts.M, alpha, true);
      write(
        x,
        level,
        kept.map((s) => s[1]),
      );
      const cap = level === 0 ? g.maxDeg : (g.upperDeg ?? 0);
      for (const [d, nb] of kept) {
        const current = Array.from(neighbours(g, nb, level));
        if (current.includes(x)) continue;
        if (current.length < cap) write(nb, level, [...current, x]);
        else {
          const cands = sortScored([
            [d, x] as Scored,
            ...current.map((u): Scored => [space.between(nb, u), u]),
          ]);
          write(
            nb,
            level,
            pruneJs(space, cands, cap, alpha, true).map((s) => s[1]),
          );
        }
      }
      ent = W;
    }
    if (lx > state[1]!) {
      state[0] = x;
      state[1] = lx;
    }
  }
}

/**
 * Prunes candidates (sorted ascending by distance to the centre) with the HNSW heuristic /
 * RobustPrune rule: c is dropped when alpha^2 * d(c, r) < d(centre, c) for a kept r.
 * `keepAllBelow` keeps everything when fewer than maxDeg candidates come (hnswlib).
 *
 * @example
 * const kept = pruneNeighbors(set, ids, dist, 32, 1.2); // Uint32Array of kept ids
 */
export function pruneNeighbors(
  set: RowSet,
  ids: Uint32Array,
  dist: Float32Array,
  maxDeg: number,
  alpha = 1,
  keepAllBelow = false,
): Uint32Array {
  const out = new Uint32Array(Math.min(ids.length, maxDeg));
  const kernel = nativeKernel<PruneNeighborsKernel>("pruneNeighbors");
  if (kernel)
    return out.slice(0, kernel(...rowArgs(set), ids, dist, maxDeg, alpha, keepAllBelow, out));
  const cands = Array.from(ids, (id, j): Scored => [dist[j]!, id]);
  return Uint32Array.from(
    pruneJs(new JsSpace(set), cands, maxDeg, alpha, keepAllBelow).map((s) => s[1]),
  );
}
