// Learning-rate schedules as pure functions of the optimizer step, so resuming needs only the
// step number (the "schedule position") to continue exactly.
import { requireConfig } from "./errors.js";

/**
 * A learning-rate schedule. Steps count from 0 (the first optimizer step uses `lr(0)`).
 * - warmup (both kinds): `peak·(s + 1)/warmupSteps` for s < warmupSteps, so no step uses lr 0;
 * - "cosine": from `peak` at s = warmupSteps down to `minLr` at s = totalSteps (and after), along
 *   `minLr + (peak − minLr)·(1 + cos(π·p))/2` with p = (s − warmupSteps)/(totalSteps − warmupSteps);
 * - "constant": `peak` after warmup.
 */
export type LrSchedule =
  | { kind: "cosine"; peak: number; warmupSteps?: number; totalSteps: number; minLr?: number }
  | { kind: "constant"; peak: number; warmupSteps?: number };

/** Checks a schedule's fields (typed TRAIN_CONFIG errors naming the field). */
export function checkSchedule(s: LrSchedule): void {
  requireConfig(
    s.kind === "cosine" || s.kind === "constant",
    `schedule.kind must be "cosine" or "constant", got ${String((s as { kind: unknown }).kind)}`,
  );
  requireConfig(
    Number.isFinite(s.peak) && s.peak >= 0,
    `schedule.peak must be a finite number >= 0, got ${s.peak}`,
  );
  const w = s.warmupSteps ?? 0;
  requireConfig(
    Number.isInteger(w) && w >= 0,
    `schedule.warmupSteps must be an integer >= 0, got ${w}`,
  );
  if (s.kind === "cosine") {
    requireConfig(
      Number.isInteger(s.totalSteps) && s.totalSteps >= 1,
      `schedule.totalSteps must be an integer >= 1, got ${s.totalSteps}`,
    );
    const min = s.minLr ?? 0;
    requireConfig(
      Number.isFinite(min) && min >= 0 && min <= s.peak,
      `schedule.minLr must lie in [0, peak], got ${min}`,
    );
  }
}

/**
 * The learning rate at optimizer step `step` (0-based).
 *
 * ```ts
 * const s: LrSchedule = { kind: "cosine", peak: 1e-3, warmupSteps: 10, totalSteps: 100, minLr: 1e-4 };
 * learningRate(s, 0);   // 1e-4 (first warmup step)
 * learningRate(s, 9);   // 1e-3
 * learningRate(s, 55);  // 5.5e-4 (half way down)
 * learningRate(s, 100); // 1e-4
 * ```
 */
export function learningRate(s: LrSchedule, step: number): number {
  const w = s.warmupSteps ?? 0;
  if (step < w) return (s.peak * (step + 1)) / w;
  if (s.kind === "constant") return s.peak;
  const min = s.minLr ?? 0;
  const span = s.totalSteps - w;
  const p = span <= 0 ? 1 : Math.min(1, (step - w) / span);
  return min + ((s.peak - min) * (1 + Math.cos(Math.PI * p))) / 2;
}
