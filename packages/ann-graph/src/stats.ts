// Index statistics: level and degree histograms, level-0 reachability from the entry set, memory.
import { backendInfo, graphReach } from "@x/tensor";
import type { IndexStats } from "./options.js";
import { type IndexState, stateBytes } from "./state.js";

/** Statistics of a state with `live` non-deleted vectors. */
export function indexStats(s: IndexState, live: number): IndexStats {
  const n = s.rows.n;
  const levels: number[] = [];
  const degrees: number[] = [];
  if (s.kind === "hnsw")
    for (let i = 0; i < n; i++) levels[s.levels[i]!] = (levels[s.levels[i]!] ?? 0) + 1;
  let reachable = 1;
  if (s.kind !== "flat" && n > 0) {
    for (let i = 0; i < n; i++) {
      const d = s.adj[i * (1 + s.maxDeg)]!;
      degrees[d] = (degrees[d] ?? 0) + 1;
    }
    const entries = s.kind === "hnsw" ? Uint32Array.of(s.hnsw[0]!) : s.entries;
    const { mask } = graphReach(s.adj, s.maxDeg, n, entries);
    let hit = 0;
    for (let i = 0; i < n; i++) if (mask[i] && !((s.deleted[i >> 3]! >> (i & 7)) & 1)) hit++;
    reachable = live > 0 ? hit / live : 1;
  }
  return {
    kind: s.kind,
    n: live,
    deleted: s.deletedCount,
    levels: Array.from(levels, (c) => c ?? 0),
    degreeHistogram: Array.from(degrees, (c) => c ?? 0),
    reachable,
    memoryBytes: stateBytes(s),
    isa: backendInfo().isa,
  };
}
