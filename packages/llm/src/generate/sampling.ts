// Next-token choice from one row of logits: repetition penalty, then temperature, top-k, top-p
// and min-p (the order Hugging Face applies them), then greedy or seeded categorical sampling.
import { UsageError } from "../errors.js";

/** How the next token is chosen. Temperature 0 (default) is greedy. */
export interface SamplingOptions {
  /** Divides logits before sampling; 0 = greedy (argmax). */
  temperature?: number;
  /** Keep the k most likely tokens (ties with the k-th kept). */
  topK?: number;
  /** Keep the smallest set of most likely tokens whose probability mass reaches p. */
  topP?: number;
  /** Drop tokens whose probability is below minP times the top probability. */
  minP?: number;
  /** > 1 discourages tokens already in the sequence (CTRL-style, as transformers). */
  repetitionPenalty?: number;
}

/** Throws a UsageError for out-of-range options. */
export function checkSampling(o: SamplingOptions): void {
  const bad = (name: string, v: unknown, want: string) =>
    new UsageError(`sampling: ${name} must be ${want}, got ${String(v)}`);
  if (o.temperature !== undefined && !(o.temperature >= 0 && Number.isFinite(o.temperature)))
    throw bad("temperature", o.temperature, ">= 0");
  if (o.topK !== undefined && !(Number.isInteger(o.topK) && o.topK >= 1))
    throw bad("topK", o.topK, "an integer >= 1");
  if (o.topP !== undefined && !(o.topP > 0 && o.topP <= 1)) throw bad("topP", o.topP, "in (0, 1]");
  if (o.minP !== undefined && !(o.minP >= 0 && o.minP <= 1)) throw bad("minP", o.minP, "in [0, 1]");
  if (o.repetitionPenalty !== undefined && !(o.repetitionPenalty > 0))
    throw bad("repetitionPenalty", o.repetitionPenalty, "> 0");
}

/**
 * Applies the repetition penalty in place: logits of tokens in `history` are divided by
 * `penalty` when positive and multiplied when negative.
 *
 * ```ts
 * applyRepetitionPenalty(row, [5, 9, 5], 1.3);
 * ```
 */
export function applyRepetitionPenalty(
  logits: Float32Array | Float64Array,
  history: Iterable<number>,
  penalty: number,
): void {
  if (penalty === 1) return;
  for (const id of new Set(history)) {
    const v = logits[id]!;
    logits[id] = v < 0 ? v * penalty : v / penalty;
  }
}

/**
 * The distribution sampling draws from after temperature, top-k, top-p and min-p (f64,
 * filtered entries exactly 0, summing to 1). Repetition penalty is applied by the caller.
 *
 * ```ts
 * samplingDistribution(Float64Array.of(2, 1, 0), { temperature: 1, topK: 2 }); // [0.731, 0.269, 0]
 * ```
 */
export function samplingDistribution(logits: ArrayLike<number>, o: SamplingOptions): Float64Array {
  const n = logits.length;
  const t = o.temperature && o.temperature > 0 ? o.temperature : 1;
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) z[i] = logits[i]! / t;
  if (o.topK !== undefined && o.topK < n) {
    const kth = [...z].sort((a, b) => b - a)[o.topK - 1]!;
    for (let i = 0; i < n; i++) if (z[i]! < kth) z[i] = Number.NEGATIVE_INFINITY;
  }
  let p = softmax(z);
  if (o.topP !== undefined && o.topP < 1) {
    // Ascending order: drop tokens while the mass at or below them stays <= 1 - topP; keep the top one.
    const order = [...p.keys()].sort((a, b) => p[a]! - p[b]! || b - a);
    let cum = 0;
    for (let r = 0; r < n - 1; r++) {
      cum += p[order[r]!]!;
      if (cum <= 1 - o.topP) z[order[r]!] = Number.NEGATIVE_INFINITY;
      else break;
    }
    p = softmax(z);
  }
  if (o.minP !== undefined && o.minP > 0) {
    const top = Math.max(...p);
    for (let i = 0; i < n; i++) if (p[i]! < o.minP * top) z[i] = Number.NEGATIVE_INFINITY;
    p = softmax(z);
  }
  return p;
}

function softmax(z: Float64Array): Float64Array {
  let m = Number.NEGATIVE_INFINITY;
  for (const v of z) if (v > m) m = v;
  const out = new Float64Array(z.length);
  let s = 0;
  for (let i = 0; i < z.length; i++) {
    out[i] = Math.exp(z[i]! - m);
    s += out[i]!;
  }
  for (let i = 0; i < z.length; i++) out[i] = out[i]! / s;
  return out;
}

/** Index of the largest value (the first on ties). */
export function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}

/**
 * Picks the next token: argmax when temperature is 0/undefined, else the inverse-CDF draw of
 * uniform `u` in [0, 1) from {@link samplingDistribution}. `logits` is not modified.
 *
 * ```ts
 * chooseToken(row, { temperature: 0.8, topP: 0.95 }, history, 0.42);
 * ```
 */
export function chooseToken(
  logits: Float32Array,
  o: SamplingOptions,
  history: readonly number[],
  u: number,
): number {
  let row: Float32Array = logits;
  if (o.repetitionPenalty !== undefined && o.repetitionPenalty !== 1) {
    row = logits.slice();
    applyRepetitionPenalty(row, history, o.repetitionPenalty);
  }
  if (!o.temperature) return argmax(row);
  const p = samplingDistribution(row, o);
  let cum = 0;
  let last = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i]! === 0) continue;
    cum += p[i]!;
    last = i;
    if (u < cum) return i;
  }
  return last;
}
