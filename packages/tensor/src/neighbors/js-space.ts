// The js reference distance over a row set, with decoded rows cached (oracle use only).
import { prepareQuery, type RowSet, rawRow, refDistance } from "./rows.js";

/** Scored node: distance then id. */
export type Scored = [d: number, id: number];

/** Sorts scored nodes ascending, ties by smaller id. */
export function sortScored(list: Scored[]): Scored[] {
  return list.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
}

/** Distances of the js oracles: query-to-row and row-to-row. */
export class JsSpace {
  private readonly cache = new Map<number, Float64Array>();
  evals = 0;
  constructor(readonly set: RowSet) {}
  row(i: number): Float64Array {
    let r = this.cache.get(i);
    if (!r) {
      r = rawRow(this.set, i);
      this.cache.set(i, r);
    }
    return r;
  }
  query(q: ArrayLike<number>, offset = 0): Float64Array {
    return prepareQuery(this.set, q, offset);
  }
  to(q: Float64Array, i: number): number {
    this.evals++;
    return refDistance(this.set, q, this.row(i));
  }
  between(a: number, b: number): number {
    return refDistance(this.set, this.row(a), this.row(b));
  }
}

/**
 * js reference of the pruning rule (HNSW heuristic, RobustPrune): scan sorted candidates, keep
 * c unless alpha^2 * d(c, r) < d(centre, c) for a kept r; stop at maxDeg.
 */
export function pruneJs(
  space: JsSpace,
  cands: Scored[],
  maxDeg: number,
  alpha: number,
  keepAllBelow: boolean,
): Scored[] {
  if (keepAllBelow && cands.length < maxDeg) return cands.slice();
  const kept: Scored[] = [];
  const a2 = Math.fround(alpha * alpha);
  for (const c of cands) {
    if (kept.length >= maxDeg) break;
    if (kept.every((r) => r[1] !== c[1] && !(Math.fround(a2 * space.between(c[1], r[1])) < c[0])))
      kept.push(c);
  }
  return kept;
}
