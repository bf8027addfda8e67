// Reachability of level-0 graph nodes from an entry set (BFS), native with a js fallback.
import type { GraphReachKernel } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";

/**
 * Nodes reachable from `entries` along level-0 lists (n x (1 + maxDeg) u32): their count and a
 * mask (1 = reached).
 *
 * @example
 * const { reached } = graphReach(adj, 32, n, Uint32Array.of(entry)); // reached === n when connected
 */
export function graphReach(
  adj: Uint32Array,
  maxDeg: number,
  n: number,
  entries: Uint32Array,
): { reached: number; mask: Uint8Array } {
  const mask = new Uint8Array(n);
  const kernel = nativeKernel<GraphReachKernel>("graphReach");
  if (kernel) return { reached: kernel(adj, maxDeg, n, entries, mask), mask };
  const queue: number[] = [];
  for (const e of entries) {
    if (e < n && !mask[e]) {
      mask[e] = 1;
      queue.push(e);
    }
  }
  for (let h = 0; h < queue.length; h++) {
    const base = queue[h]! * (1 + maxDeg);
    const count = Math.min(adj[base]!, maxDeg);
    for (let j = 1; j <= count; j++) {
      const u = adj[base + j]!;
      if (u < n && !mask[u]) {
        mask[u] = 1;
        queue.push(u);
      }
    }
  }
  return { reached: queue.length, mask };
}
