// Timing helpers for the memory-bound kernel benchmarks (qmatmul, attention): median of timed
// runs after a warm-up, and the copy bandwidth of the same number of bytes as the baseline.

/** Median seconds of `fn` over `reps` runs (after two warm-up calls). */
export function medianSeconds(fn: () => void, reps = 15): number {
  fn();
  fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** GB/s of copying `bytes` bytes (TypedArray.set is a memmove), counting the bytes read once. */
export function copyGBps(bytes: number, reps = 15): number {
  const src = new Uint8Array(bytes).fill(1);
  const dst = new Uint8Array(bytes);
  return bytes / medianSeconds(() => dst.set(src), reps) / 1e9;
}

export const json = process.argv.includes("--json");

/** Prints rows as an aligned table, or as JSON with `--json`. */
export function report(
  title: string,
  meta: Record<string, unknown>,
  rows: Record<string, string | number>[],
): void {
  if (json) {
    console.log(JSON.stringify({ title, ...meta, rows }));
    return;
  }
  console.log(
    `${title} (${Object.entries(meta)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")})`,
  );
  const keys = Object.keys(rows[0] ?? {});
  const width = keys.map((k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length)));
  console.log(keys.map((k, i) => k.padEnd(width[i]!)).join("  "));
  for (const r of rows) console.log(keys.map((k, i) => String(r[k]).padEnd(width[i]!)).join("  "));
}
