// Loss curves on disk: `metrics.csv` and `metrics.json` in the run directory, rewritten
// atomically on flush. A resumed run drops records past its checkpoint, so the files always
// describe one consistent run.
import * as fs from "node:fs";
import { join } from "node:path";
import { writeFileAtomic } from "@x/tensor";

/** One row of the loss curve. */
export interface MetricRecord {
  /** Steps completed. */
  step: number;
  /** Mean token loss of the step (before its update). */
  loss: number;
  lr: number;
  /** Global gradient norm before clipping. */
  gradNorm: number;
  /** Input tokens processed so far in the run. */
  tokens: number;
  /** Input tokens per second over this session (wall clock; not reproducible). */
  tokensPerSec: number;
  /** Seconds since this session started. */
  elapsedSec: number;
}

const COLUMNS: readonly (keyof MetricRecord)[] = [
  "step",
  "loss",
  "lr",
  "gradNorm",
  "tokens",
  "tokensPerSec",
  "elapsedSec",
];

function write(path: string, text: string): void {
  const bytes = new TextEncoder().encode(text);
  writeFileAtomic(path, (fd) => {
    let done = 0;
    while (done < bytes.length) done += fs.writeSync(fd, bytes, done);
  });
}

/**
 * The loss curve of a run, kept in memory and written as CSV and JSON on {@link MetricsLog.flush}.
 *
 * ```ts
 * const log = new MetricsLog("./run");
 * log.add({ step: 1, loss: 4.1, lr: 1e-4, gradNorm: 2.3, tokens: 2048, tokensPerSec: 900, elapsedSec: 2.2 });
 * log.flush(); // ./run/metrics.csv, ./run/metrics.json
 * ```
 */
export class MetricsLog {
  readonly dir: string;
  private readonly rows: MetricRecord[] = [];

  /** With `resumeStep`, keeps the records of `dir/metrics.json` up to that step. */
  constructor(dir: string, resumeStep?: number) {
    this.dir = dir;
    const json = join(dir, "metrics.json");
    if (resumeStep !== undefined && fs.existsSync(json)) {
      try {
        const old = JSON.parse(fs.readFileSync(json, "utf8")) as { records?: MetricRecord[] };
        for (const r of old.records ?? []) if (r.step <= resumeStep) this.rows.push(r);
      } catch {
        // an unreadable curve is not worth failing a resume: start a fresh one
      }
    }
  }

  /** Records so far (oldest first). */
  get records(): readonly MetricRecord[] {
    return this.rows;
  }

  add(r: MetricRecord): void {
    this.rows.push(r);
  }

  /** Rewrites both files atomically. */
  flush(): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const lines = [
      COLUMNS.join(","),
      ...this.rows.map((r) => COLUMNS.map((c) => String(r[c])).join(",")),
    ];
    write(join(this.dir, "metrics.csv"), `${lines.join("\n")}\n`);
    write(
      join(this.dir, "metrics.json"),
      `${JSON.stringify({ columns: COLUMNS, records: this.rows })}\n`,
    );
  }
}
