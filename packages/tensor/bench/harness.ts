// Shared benchmark helpers: median timing of repeated runs (sync or async), and one output path
// that prints an aligned table or, with --json, a JSON document on stdout.

export interface Timing {
  /** Median wall time of one run, milliseconds. */
  medianMs: number;
  runs: number;
}

export interface TimingOptions {
  /** Untimed warm-up runs. */
  warmup?: number;
  /** Keep running until both minimums are met (and at most maxRuns). */
  minRuns?: number;
  minTimeMs?: number;
  maxRuns?: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Times `fn` (sync or async) and returns the median of the timed runs. */
export async function time(fn: () => unknown, opts: TimingOptions = {}): Promise<Timing> {
  const { warmup = 2, minRuns = 5, minTimeMs = 300, maxRuns = 200 } = opts;
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  const start = performance.now();
  while (
    samples.length < maxRuns &&
    (samples.length < minRuns || performance.now() - start < minTimeMs)
  ) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return { medianMs: median(samples), runs: samples.length };
}

export interface CliFlags {
  json: boolean;
  help: boolean;
}

export function parseFlags(argv = process.argv.slice(2)): CliFlags {
  return { json: argv.includes("--json"), help: argv.includes("--help") || argv.includes("-h") };
}

export type Row = Record<string, string | number | null>;

/** Prints `rows` as a table (with a header of context lines), or everything as JSON. */
export function emit(flags: CliFlags, context: Record<string, unknown>, rows: Row[]): void {
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ...context, results: rows }, null, 2)}\n`);
    return;
  }
  for (const [k, v] of Object.entries(context))
    console.log(`${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]!);
  const cell = (v: unknown) =>
    v === null || v === undefined ? "-" : typeof v === "number" ? v.toFixed(2) : String(v);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  console.log(cols.map((c, i) => c.padStart(width[i]!)).join("  "));
  for (const r of rows) console.log(cols.map((c, i) => cell(r[c]).padStart(width[i]!)).join("  "));
}

/** Progress to stderr (kept off stdout so --json output stays parseable). */
export function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}
