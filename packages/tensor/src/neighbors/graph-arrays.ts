// The adjacency arrays graph primitives operate on, owned by the caller (an index).
import type { GraphArgs } from "../backend/kernels.js";
import { type RowSet, rowArgs } from "./rows.js";

/**
 * A graph over a row set. Level 0: `adj` holds n lists of (1 + maxDeg) u32 (count, then ids).
 * HNSW upper levels: node i at level l >= 1 uses list `upperOff[i] + l - 1` of (1 + upperDeg)
 * u32 in `upperAdj`. `deleted` is a bitset of nodes traversed but never returned.
 *
 * @example
 * const graph: GraphArrays = { rows: set, adj: new Uint32Array(set.n * 33), maxDeg: 32 };
 */
export interface GraphArrays {
  rows: RowSet;
  adj: Uint32Array;
  maxDeg: number;
  levels?: Uint8Array;
  upperOff?: Uint32Array;
  upperAdj?: Uint32Array;
  upperDeg?: number;
  deleted?: Uint8Array;
}

/** The positional graph arguments of the native kernels. */
export function graphArgs(g: GraphArrays): GraphArgs {
  return [
    ...rowArgs(g.rows),
    g.adj,
    g.maxDeg,
    g.levels ?? null,
    g.levels ? (g.upperOff ?? null) : null,
    g.levels ? (g.upperAdj ?? null) : null,
    g.upperDeg ?? 0,
    g.deleted ?? null,
  ];
}

/** The neighbour ids of node i at a level (a subarray view). */
export function neighbours(g: GraphArrays, i: number, level = 0): Uint32Array {
  if (level === 0) {
    const base = i * (1 + g.maxDeg);
    return g.adj.subarray(base + 1, base + 1 + g.adj[base]!);
  }
  const stride = 1 + (g.upperDeg ?? 0);
  const base = (g.upperOff![i]! + level - 1) * stride;
  return g.upperAdj!.subarray(base + 1, base + 1 + g.upperAdj![base]!);
}

/** Bit i of a bitset. */
export function testBit(set: Uint8Array, i: number): boolean {
  return ((set[i >> 3]! >> (i & 7)) & 1) === 1;
}
