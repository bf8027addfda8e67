// The inverse of rope-factors.ts: fits llama3 RoPE scaling parameters back from the
// per-dimension divisors llama.cpp stores in `rope_freqs.weight`, and checks the fit.
import type { RopeScaling } from "@x/tensor";
import { ConfigError } from "../errors.js";
import { GGUF, snapF32 } from "./metadata.js";
import { llama3RopeFactors } from "./rope-factors.js";

const TWO_PI = 2 * Math.PI;

/** Rounds to a multiple of 1/64 when within 1e-6 relative (f32 noise of a fitted parameter). */
function snapNice(v: number): number {
  const r = Math.round(v * 64) / 64;
  return Math.abs(r - v) <= 1e-6 * Math.abs(v) ? r : v;
}

/**
 * Recovers llama3 RoPE scaling from llama.cpp's per-dimension divisors (`rope_freqs.weight`).
 * Only the factors matter to RoPE, so any parameters that reproduce them are exact; with lowFreq
 * fixed at 1 the in-between band fixes the others. Throws when the factors do not follow the
 * llama3 rule.
 */
export function llama3FromRopeFactors(
  factors: ArrayLike<number>,
  headDim: number,
  theta: number,
): RopeScaling | undefined {
  const half = headDim / 2;
  const bad = (why: string) =>
    new ConfigError("rope_freqs.weight", `${why}; only llama3-style RoPE factors load`, GGUF);
  if (factors.length !== half)
    throw bad(`has ${factors.length} values, the head dimension implies ${half}`);
  const f = Array.from(factors);
  const factor = Math.max(...f);
  if (f.every((x) => Math.abs(x - 1) <= 1e-6)) return undefined;
  const wl = f.map((_, i) => TWO_PI * theta ** ((2 * i) / headDim));
  const isOne = (x: number) => Math.abs(x - 1) <= 1e-6;
  const isMax = (x: number) => Math.abs(x - factor) <= 1e-6 * factor;
  // smooth = (factor / f - 1) / (factor - 1) = orig / wavelen - lo, with lo = 1, hi - lo = 1/b.
  const band = f.map((_, i) => i).filter((i) => !isOne(f[i]!) && !isMax(f[i]!));
  const firstMax = f.findIndex(isMax);
  const lastOne = f.findLastIndex(isOne);
  let orig: number;
  let hi: number;
  const smooth = (i: number) => (factor / f[i]! - 1) / (factor - 1);
  if (band.length >= 2) {
    // Least squares of smooth = a·x − b over the band (x = 1/wavelen): a = orig/(hi−1), b = 1/(hi−1).
    const xs = band.map((i) => 1 / wl[i]!);
    const ys = band.map(smooth);
    const n = xs.length;
    const mx = xs.reduce((s, x) => s + x, 0) / n;
    const my = ys.reduce((s, y) => s + y, 0) / n;
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < n; i++) {
      sxy += (xs[i]! - mx) * (ys[i]! - my);
      sxx += (xs[i]! - mx) ** 2;
    }
    const a = sxy / sxx;
    const b = a * mx - my;
    if (!(a > 0) || !(b > 0)) throw bad("the factors between 1 and the maximum are not monotone");
    orig = Math.round(a / b);
    hi = snapNice(1 + 1 / b);
  } else {
    // At most one dimension in between: pick an integer original context inside the band edges.
    const lower = band.length === 1 ? wl[band[0]!]! : lastOne >= 0 ? wl[lastOne]! : 0;
    const upper = firstMax >= 0 ? wl[firstMax]! : Number.POSITIVE_INFINITY;
    orig = Math.floor(upper) < upper ? Math.floor(upper) : upper - 1;
    if (!Number.isFinite(orig) || !(orig > lower)) throw bad("the band edges are too close");
    if (band.length === 1) {
      const s = smooth(band[0]!);
      hi = 1 + (orig / wl[band[0]!]! - 1) / s;
    } else hi = (1 + orig / Math.max(lower, 1e-9)) / 2;
  }
  const scaling: RopeScaling = {
    type: "llama3",
    factor: snapF32(Math.fround(factor)),
    lowFreqFactor: 1,
    highFreqFactor: hi,
    originalMaxPositionEmbeddings: orig,
  };
  const back = llama3RopeFactors(headDim, theta, scaling);
  for (let i = 0; i < half; i++) {
    if (!(Math.abs(back[i]! - f[i]!) <= 1e-5 * f[i]!))
      throw bad(`value ${i} (${f[i]}) does not follow the llama3 rule (${back[i]})`);
  }
  return scaling;
}
