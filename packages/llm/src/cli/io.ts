// Where x-llm writes: injectable streams (tests capture them) and a throttled progress line
// with count, rate and ETA on stderr.

/** Output channels of the CLI. */
export interface CliIO {
  stdout(text: string): void;
  stderr(text: string): void;
  /** True when stderr is a terminal: progress redraws one line; otherwise it prints lines. */
  isTTY?: boolean;
}

/**
 * The process's streams.
 *
 * ```ts
 * process.exitCode = await main(process.argv.slice(2), processIO());
 * ```
 */
export function processIO(): CliIO {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    isTTY: Boolean(process.stderr.isTTY),
  };
}

/** Seconds as "1h02m", "3m05s" or "12.3s". */
export function formatDuration(sec: number): string {
  if (!Number.isFinite(sec)) return "?";
  if (sec < 60) return `${sec.toFixed(1)}s`;
  const m = Math.floor(sec / 60);
  if (m < 60) return `${m}m${String(Math.round(sec % 60)).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/**
 * A progress line: `label 12/40 (30%) 3.1 unit/s ETA 9.0s`, redrawn at most every 100 ms on a
 * terminal, every 2 s otherwise, and always at the end. Silent when `quiet`.
 *
 * ```ts
 * const p = new Progress(io, "convert", tensors.length, "tensor");
 * p.update(i + 1);
 * p.done();
 * ```
 */
export class Progress {
  private readonly t0 = performance.now();
  private last = 0;
  private count = 0;
  private drawn = -1;

  constructor(
    private readonly io: CliIO,
    private readonly label: string,
    private readonly total: number,
    private readonly unit = "item",
    private readonly quiet = false,
  ) {}

  /** Records `done` items and redraws when due. */
  update(done: number): void {
    this.count = done;
    const now = performance.now();
    if (now - this.last < (this.io.isTTY ? 100 : 2000) && done < this.total) return;
    this.last = now;
    this.draw();
  }

  /** The final line (not repeated when the last update already drew it). */
  done(): void {
    if (this.drawn !== this.count) this.draw();
    if (this.io.isTTY && !this.quiet) this.io.stderr("\n");
  }

  private draw(): void {
    if (this.quiet) return;
    this.drawn = this.count;
    const sec = (performance.now() - this.t0) / 1000;
    const rate = sec > 0 ? this.count / sec : 0;
    const eta = rate > 0 ? (this.total - this.count) / rate : Number.POSITIVE_INFINITY;
    const pct = this.total > 0 ? ((100 * this.count) / this.total).toFixed(0) : "100";
    const line = `${this.label} ${this.count}/${this.total} (${pct}%) ${rate.toFixed(1)} ${this.unit}/s ETA ${formatDuration(eta)}`;
    this.io.stderr(this.io.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
  }
}
