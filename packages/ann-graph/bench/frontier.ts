// ann-benchmarks style summaries: Pareto frontier of (recall, QPS) points and equal-recall QPS.

export interface Point {
  ef: number;
  recall: number;
  qps: number;
}

/** Points not dominated by another with both higher recall and higher QPS, by recall ascending. */
export function pareto(points: Point[]): Point[] {
  const sorted = [...points].sort((a, b) => b.recall - a.recall || b.qps - a.qps);
  const out: Point[] = [];
  let best = -1;
  for (const p of sorted) {
    if (p.qps > best) {
      best = p.qps;
      out.push(p);
    }
  }
  return out.reverse();
}

/** QPS at `target` recall, log-linear between the bracketing frontier points (undefined: not reached). */
export function qpsAtRecall(points: Point[], target: number): number | undefined {
  const f = pareto(points);
  const above = f.filter((p) => p.recall >= target);
  if (above.length === 0) return undefined;
  const hi = above.reduce((a, b) => (b.qps > a.qps ? b : a));
  const below = f.filter((p) => p.recall < target && p.qps > hi.qps);
  if (below.length === 0) return hi.qps;
  const lo = below.reduce((a, b) => (b.recall > a.recall ? b : a));
  const t = (target - lo.recall) / (hi.recall - lo.recall);
  return Math.exp(Math.log(lo.qps) + t * (Math.log(hi.qps) - Math.log(lo.qps)));
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
