// Test helpers for the native kernels (imported by *.test.ts only): seeded data, subarray views
// at odd offsets, every (ISA, threads) configuration, and tolerance checks against f64 references.
import { expect } from "vitest";
import { hasKernel, nativeKernel, withBackend } from "../registry.js";
import { installCpuBackend, setIsa, setNumThreads, supportedIsas } from "./index.js";

/** True when the addon loaded; tests fail (not skip) without it unless X_TENSOR_BACKEND=js. */
export const nativeLoaded = installCpuBackend();
export const skipNative = !nativeLoaded && process.env.X_TENSOR_BACKEND === "js";

/** The cpu implementation of kernel `name` (throws when missing). */
export function cpuKernel<F extends (...args: never[]) => unknown>(name: string): F {
  if (!hasKernel(name, "cpu"))
    throw new Error(`no cpu kernel ${name}: build the addon (pnpm build:native)`);
  return withBackend("cpu", () => nativeKernel<F & ((...args: unknown[]) => unknown)>(name)) as F;
}

/** mulberry32: small, seeded, good enough for test data. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const TAILS = [1, 2, 3, 5, 7, 8, 11, 13, 16, 17, 31, 33, 37, 47, 64, 67];
export const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
export const int = (r: () => number, lo: number, hi: number): number =>
  lo + Math.floor(r() * (hi - lo + 1));

/**
 * A Float32Array view of `n` values from `gen`, placed at a random non-zero element offset inside
 * a larger buffer whose other elements are NaN (so reading out of bounds shows up).
 */
export function view(r: () => number, n: number, gen: (i: number) => number): Float32Array {
  const offset = int(r, 1, 7);
  const buf = new Float32Array(n + offset + int(r, 0, 5)).fill(Number.NaN);
  const out = buf.subarray(offset, offset + n);
  for (let i = 0; i < n; i++) out[i] = gen(i);
  return out;
}

export const uniform =
  (r: () => number, lo = -1, hi = 1) =>
  (): number =>
    lo + (hi - lo) * r();
export function normal(r: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

/** Every ISA this CPU supports x {1, 2} threads; restores the defaults afterwards. */
export function forEachConfig(fn: (label: string) => void): void {
  const isas = supportedIsas();
  try {
    for (const isa of isas) {
      for (const threads of [1, 2]) {
        setIsa(isa);
        setNumThreads(threads);
        fn(`${isa}/${threads}t`);
      }
    }
  } finally {
    setIsa(isas[isas.length - 1]!);
    setNumThreads(1);
  }
}

/**
 * Checks |actual - expected| <= rtol * scale + atol elementwise, where scale is |expected| or a
 * given per-element magnitude (e.g. sum |a||b| for dot products). NaN must match NaN.
 */
export function expectClose(
  label: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  rtol: number,
  atol = 0,
  scale?: ArrayLike<number>,
): void {
  expect(actual.length, `${label}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!,
      e = expected[i]!;
    if (Number.isNaN(e) || Number.isNaN(a)) {
      if (Number.isNaN(e) && Number.isNaN(a)) continue;
      expect.fail(`${label}[${i}]: got ${a}, expected ${e}`);
    }
    if (a === e) continue;
    const tol = rtol * Math.abs(scale ? scale[i]! : e) + atol;
    if (!(Math.abs(a - e) <= tol))
      expect.fail(`${label}[${i}]: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > ${tol})`);
  }
}

/** f32 machine epsilon (one ulp at 1). */
export const EPS = 2 ** -23;
