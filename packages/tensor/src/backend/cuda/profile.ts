// Opt-in per-call profile of the CUDA addon (X_TENSOR_CUDA_PROFILE=1): every entry point is
// wrapped so that it waits for the queued work before and after the call, which attributes GPU
// time to the call that launched it. That serialization slows the program; the table (written
// to stderr at exit, and by cudaProfile()) says where time goes, not how fast things run.
import type { CudaAddon } from "./addon.js";

/** Accumulated time of one addon entry point. */
export interface CudaProfileRow {
  name: string;
  calls: number;
  totalMs: number;
}

const rows = new Map<string, CudaProfileRow>();
let wallStart = 0;

/** Wraps every function of `addon` (except the clock's own sync) with a timed, synchronized call. */
export function profileAddon(addon: CudaAddon): CudaAddon {
  const sync = addon.sync as () => void;
  const wrapped: CudaAddon = { ...addon };
  for (const [name, fn] of Object.entries(addon)) {
    if (typeof fn !== "function" || name === "sync" || name === "probe" || name === "init")
      continue;
    const row: CudaProfileRow = { name, calls: 0, totalMs: 0 };
    rows.set(name, row);
    wrapped[name] = (...args: unknown[]) => {
      sync();
      const t0 = performance.now();
      const result = (fn as (...a: unknown[]) => unknown)(...args);
      sync();
      row.calls++;
      row.totalMs += performance.now() - t0;
      return result;
    };
  }
  wallStart = performance.now();
  process.once("exit", () => process.stderr.write(formatCudaProfile()));
  return wrapped;
}

/** The rows recorded so far, most expensive first (empty unless X_TENSOR_CUDA_PROFILE=1). */
export function cudaProfile(): CudaProfileRow[] {
  return [...rows.values()].filter((r) => r.calls > 0).sort((a, b) => b.totalMs - a.totalMs);
}

/** The profile as a text table; "in calls" vs the wall time since loading shows the host share. */
export function formatCudaProfile(): string {
  const list = cudaProfile();
  const inCalls = list.reduce((s, r) => s + r.totalMs, 0);
  const wall = performance.now() - wallStart;
  const lines = list.map(
    (r) =>
      `${r.name.padEnd(18)} ${String(r.calls).padStart(8)} ${r.totalMs.toFixed(1).padStart(10)} ms ${((1000 * r.totalMs) / r.calls).toFixed(1).padStart(9)} us/call`,
  );
  return [
    `# cuda profile: ${inCalls.toFixed(1)} ms in addon calls of ${wall.toFixed(1)} ms since load`,
    ...lines,
    "",
  ].join("\n");
}
