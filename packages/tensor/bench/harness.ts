// Shared benchmark helpers: median timing of repeated runs (sync or async), the copy bandwidth
// baseline, machine facts, and one output path that prints an aligned table or, with --json, a
// JSON document on stdout. Every bench/<name>.ts exports `run(flags)` (run.ts calls them all in one
// process) and calls `main(run)` so it also works alone.
import { cpus } from "node:os";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { backendInfo, installCpuBackend, setNumThreads } from "../src/backend/cpu/index.js";

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

export interface CliFlags {
  json: boolean;
  help: boolean;
  /** Smoke run: fewer sizes and repetitions. */
  quick: boolean;
}

export function parseFlags(argv = process.argv.slice(2)): CliFlags {
  return {
    json: argv.includes("--json"),
    help: argv.includes("--help") || argv.includes("-h"),
    quick: argv.includes("--quick"),
  };
}

/** Timing options for a full or a --quick run. */
export const timing = (flags: CliFlags): TimingOptions =>
  flags.quick ? { warmup: 1, minRuns: 3, minTimeMs: 20, maxRuns: 20 } : {};

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

const defaults = (o: TimingOptions) => ({
  warmup: o.warmup ?? 2,
  minRuns: o.minRuns ?? 5,
  minTimeMs: o.minTimeMs ?? 300,
  maxRuns: o.maxRuns ?? 200,
});

/** Times `fn` (sync or async) and returns the median of the timed runs. */
export async function time(fn: () => unknown, opts: TimingOptions = {}): Promise<Timing> {
  const { warmup, minRuns, minTimeMs, maxRuns } = defaults(opts);
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

/** `time` for synchronous kernels: no await between runs, so sub-millisecond timings stay clean. */
export function timeSync(fn: () => void, opts: TimingOptions = {}): Timing {
  const { warmup, minRuns, minTimeMs, maxRuns } = defaults(opts);
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  const start = performance.now();
  while (
    samples.length < maxRuns &&
    (samples.length < minRuns || performance.now() - start < minTimeMs)
  ) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return { medianMs: median(samples), runs: samples.length };
}

/** GB/s of `bytes` moved in `ms` milliseconds. */
export const gbps = (bytes: number, ms: number): number => bytes / ms / 1e6;

/**
 * The memory-bound baseline: GB/s of copying `bytes` bytes with TypedArray.set (a memmove),
 * counting the bytes read once, as the kernels' GB/s count the bytes they read.
 */
export function copyGBps(bytes: number, opts: TimingOptions = {}): number {
  const src = new Uint8Array(bytes).fill(1);
  const dst = new Uint8Array(bytes);
  return gbps(bytes, timeSync(() => dst.set(src), opts).medianMs);
}

/** Deterministic uniform values in [-1, 1) (an LCG: fast to fill large arrays, same every run). */
export function fillRandom<T extends Float32Array>(a: T, seed = 1): T {
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    a[i] = (s / 2 ** 32) * 2 - 1;
  }
  return a;
}

/** Loads the native backend on one thread, or throws (the benchmarks measure native kernels). */
export function nativeSingleThread(): void {
  if (!installCpuBackend())
    throw new Error("native addon not built: pnpm --filter @x/tensor build:native");
  setNumThreads(1);
}

export interface Machine {
  isa: string;
  threads: number;
  cpu: string;
  cores: number;
  node: string;
}

export function machine(): Machine {
  const info = backendInfo();
  return {
    isa: info.isa,
    threads: info.threads,
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    node: process.version,
  };
}

export type Row = Record<string, string | number | null>;

/** One benchmark's output: context lines (title, baselines...) and its table. */
export interface BenchResult {
  context: Record<string, unknown>;
  rows: Row[];
}

export type Bench = (flags: CliFlags) => Promise<BenchResult>;

/** Prints `rows` as a table (with a header of context lines), or everything as JSON. */
export function emit(flags: CliFlags, context: Record<string, unknown>, rows: Row[]): void {
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ...context, results: rows }, null, 2)}\n`);
    return;
  }
  printTable(context, rows);
}

export function printTable(context: Record<string, unknown>, rows: Row[]): void {
  for (const [k, v] of Object.entries(context))
    console.log(`${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]!);
  const cell = (v: unknown) =>
    v === null || v === undefined
      ? "-"
      : typeof v === "number" && !Number.isInteger(v)
        ? v.toFixed(2)
        : String(v);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  console.log(cols.map((c, i) => c.padStart(width[i]!)).join("  "));
  for (const r of rows) console.log(cols.map((c, i) => cell(r[c]).padStart(width[i]!)).join("  "));
}

/** Progress to stderr (kept off stdout so --json output stays parseable). */
export function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}

/**
 * Runs `bench` when its module is the entry point (`tsx bench/<name>.ts [--json] [--quick]`);
 * does nothing when run.ts imports it.
 */
export async function main(moduleUrl: string, bench: Bench, usage: string): Promise<void> {
  const entry = process.argv[1];
  if (!entry || pathToFileURL(resolve(entry)).href !== moduleUrl) return;
  const flags = parseFlags();
  if (flags.help) {
    console.log(usage);
    return;
  }
  const { context, rows } = await bench(flags);
  emit(flags, { ...context, ...machine() }, rows);
}
