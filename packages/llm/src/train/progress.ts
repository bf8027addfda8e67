// Progress of a training run: rate and ETA over the current session (a resumed run measures
// from its own start, not from step 0).

/** What a training run reports after each step. */
export interface TrainProgress {
  /** Steps completed, and the run's total. */
  step: number;
  totalSteps: number;
  /** Epochs completed, fractional. */
  epoch: number;
  loss: number;
  lr: number;
  gradNorm: number;
  /** Input tokens processed so far in the run. */
  tokens: number;
  stepsPerSec: number;
  tokensPerSec: number;
  elapsedSec: number;
  /** Seconds left at the current rate (Infinity before the first step of a session). */
  etaSec: number;
}

/**
 * Measures steps and tokens per second since construction and the time left to `totalSteps`.
 *
 * ```ts
 * const meter = new ProgressMeter(1000, 0);
 * const { stepsPerSec, etaSec } = meter.update(10, 20480);
 * ```
 */
export class ProgressMeter {
  readonly totalSteps: number;
  private readonly startStep: number;
  private readonly t0 = performance.now();
  private tokens = 0;

  constructor(totalSteps: number, startStep: number) {
    this.totalSteps = totalSteps;
    this.startStep = startStep;
  }

  /** Call after each step with the steps completed and the tokens that step processed. */
  update(
    step: number,
    stepTokens: number,
  ): { stepsPerSec: number; tokensPerSec: number; elapsedSec: number; etaSec: number } {
    this.tokens += stepTokens;
    const elapsedSec = (performance.now() - this.t0) / 1000;
    const done = step - this.startStep;
    const stepsPerSec = elapsedSec > 0 ? done / elapsedSec : 0;
    const tokensPerSec = elapsedSec > 0 ? this.tokens / elapsedSec : 0;
    const etaSec =
      stepsPerSec > 0 ? (this.totalSteps - step) / stepsPerSec : Number.POSITIVE_INFINITY;
    return { stepsPerSec, tokensPerSec, elapsedSec, etaSec };
  }
}

/**
 * One line for a terminal: `step 120/1000 (12.0%) loss 3.412 lr 2.9e-4 | 4.1 step/s 8400 tok/s | ETA 3m34s`.
 *
 * ```ts
 * onProgress: (p) => process.stderr.write(`\r${formatProgress(p)}`)
 * ```
 */
export function formatProgress(p: TrainProgress): string {
  const pct = ((100 * p.step) / Math.max(1, p.totalSteps)).toFixed(1);
  const eta = Number.isFinite(p.etaSec) ? formatDuration(p.etaSec) : "?";
  return `step ${p.step}/${p.totalSteps} (${pct}%) loss ${p.loss.toFixed(3)} lr ${p.lr.toExponential(1)} | ${p.stepsPerSec.toFixed(1)} step/s ${Math.round(p.tokensPerSec)} tok/s | ETA ${eta}`;
}

function formatDuration(sec: number): string {
  const s = Math.round(sec);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}
