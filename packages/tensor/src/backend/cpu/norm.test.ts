import { describe, expect, it } from "vitest";
import type { LayerNormKernel, RmsNormKernel, RopeKernel, SoftmaxKernel } from "../kernels.js";
import {
  cpuKernel,
  EPS,
  expectClose,
  forEachConfig,
  int,
  normal,
  pick,
  rng,
  skipNative,
  TAILS,
  uniform,
  view,
} from "./testkit.js";

const COLS = [...TAILS, 100, 1000];

function rowsOf(
  x: Float32Array,
  cols: number,
  fn: (row: Float32Array, r: number) => number[],
): Float64Array {
  const out = new Float64Array(x.length);
  for (let r = 0; r * cols < x.length; r++)
    out.set(fn(x.subarray(r * cols, (r + 1) * cols), r), r * cols);
  return out;
}

describe.skipIf(skipNative)("cpu row kernels", () => {
  it("softmax and log-softmax match f64", () => {
    const softmax = cpuKernel<SoftmaxKernel>("softmax");
    const r = rng(5);
    forEachConfig((cfg) => {
      for (let t = 0; t < 8; t++) {
        const rows = int(r, 1, 5),
          cols = pick(r, COLS),
          log = t % 2 === 1;
        const scale = pick(r, [1, 10, 60]);
        const x = view(r, rows * cols, () => scale * normal(r)());
        const out = view(r, rows * cols, () => Number.NaN);
        softmax(x, out, rows, cols, log);
        const ref = rowsOf(x, cols, (row) => {
          const m = Math.max(...row);
          const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
          return Array.from(row, (v) => (log ? v - lse : Math.exp(v - lse)));
        });
        // f32 x - max rounds by up to ulp(|x - max|), so exp's relative error grows with the gap;
        // log-softmax error is relative to the shift.
        const rowMax = (i: number) =>
          Math.max(...x.subarray(i - (i % cols), i - (i % cols) + cols));
        const mag = Float64Array.from(ref, (v, i) =>
          log ? Math.abs(v) + Math.abs(x[i]!) : Math.abs(v) * (1 + Math.abs(x[i]! - rowMax(i))),
        );
        expectClose(`${cfg} softmax log=${log} ${rows}x${cols}`, out, ref, 8 * EPS, 1e-37, mag);
      }
    });
  });

  it("rmsnorm and layernorm match f64 with and without weight/bias", () => {
    const rmsnorm = cpuKernel<RmsNormKernel>("rmsnorm");
    const layernorm = cpuKernel<LayerNormKernel>("layernorm");
    const r = rng(6);
    forEachConfig((cfg) => {
      for (let t = 0; t < 8; t++) {
        const rows = int(r, 1, 5),
          cols = pick(r, COLS),
          eps = 1e-5;
        const x = view(r, rows * cols, () => 3 + 2 * normal(r)());
        const w = t % 2 ? view(r, cols, uniform(r, 0.5, 2)) : new Float32Array(0);
        const b = t % 4 < 2 ? view(r, cols, uniform(r)) : new Float32Array(0);
        const out = view(r, rows * cols, () => Number.NaN);
        rmsnorm(x, w, out, rows, cols, eps);
        const rms = rowsOf(x, cols, (row) => {
          const inv = 1 / Math.sqrt(row.reduce((s, v) => s + v * v, 0) / cols + eps);
          return Array.from(row, (v, i) => v * inv * (w.length ? w[i]! : 1));
        });
        expectClose(`${cfg} rmsnorm ${rows}x${cols}`, out, rms, 4 * EPS, 1e-30);
        layernorm(x, w, b, out, rows, cols, eps);
        const ln = rowsOf(x, cols, (row) => {
          const mean = row.reduce((s, v) => s + v, 0) / cols;
          const inv = 1 / Math.sqrt(row.reduce((s, v) => s + (v - mean) ** 2, 0) / cols + eps);
          return Array.from(
            row,
            (v, i) => (v - mean) * inv * (w.length ? w[i]! : 1) + (b.length ? b[i]! : 0),
          );
        });
        // (x - mean) loses a few bits when |mean| >> std: tolerance relative to |x| * inv * |w| + |b|.
        const mag = Float64Array.from(ln, (v, i) => Math.abs(v) + 3 + Math.abs(x[i]!));
        expectClose(`${cfg} layernorm ${rows}x${cols}`, out, ln, 8 * EPS, 1e-30, mag);
      }
    });
  });

  it("rope matches f64 in both layouts, also in place", () => {
    const rope = cpuKernel<RopeKernel>("rope");
    const r = rng(7);
    forEachConfig((cfg) => {
      for (let t = 0; t < 8; t++) {
        const rows = int(r, 1, 4),
          heads = int(r, 1, 3),
          dim = 2 * pick(r, [1, 3, 8, 17, 32, 64]);
        const rotateHalf = t % 2 === 0,
          inPlace = t % 3 === 0,
          half = dim / 2;
        const x = view(r, rows * heads * dim, uniform(r));
        const angles = Array.from({ length: rows * half }, () => 10 * r());
        const cos = view(r, rows * half, (i) => Math.cos(angles[i]!));
        const sin = view(r, rows * half, (i) => Math.sin(angles[i]!));
        const ref = new Float64Array(x.length);
        for (let row = 0; row < rows; row++)
          for (let h = 0; h < heads; h++)
            for (let i = 0; i < half; i++) {
              const base = (row * heads + h) * dim;
              const [i1, i2] = rotateHalf
                ? [base + i, base + i + half]
                : [base + 2 * i, base + 2 * i + 1];
              const c = cos[row * half + i]!,
                s = sin[row * half + i]!;
              ref[i1] = x[i1]! * c - x[i2]! * s;
              ref[i2] = x[i2]! * c + x[i1]! * s;
            }
        const out = inPlace ? x : view(r, x.length, () => Number.NaN);
        rope(x, cos, sin, out, rows, heads, dim, rotateHalf);
        expectClose(`${cfg} rope half=${rotateHalf} inPlace=${inPlace}`, out, ref, 0, 4 * EPS);
      }
    });
  });

  it("reject short arrays naming them", () => {
    const f = (n: number) => new Float32Array(n);
    expect(() => cpuKernel<SoftmaxKernel>("softmax")(f(5), f(6), 2, 3, false)).toThrow(
      /argument x .*too short/,
    );
    expect(() => cpuKernel<RmsNormKernel>("rmsnorm")(f(6), f(2), f(6), 2, 3, 1e-5)).toThrow(
      /argument weight/,
    );
    expect(() =>
      cpuKernel<LayerNormKernel>("layernorm")(f(6), f(0), f(2), f(6), 2, 3, 1e-5),
    ).toThrow(/argument bias/);
    expect(() => cpuKernel<RopeKernel>("rope")(f(8), f(1), f(2), f(8), 2, 1, 4, true)).toThrow(
      /argument cos/,
    );
    expect(() => cpuKernel<RopeKernel>("rope")(f(6), f(3), f(3), f(6), 2, 1, 3, true)).toThrow(
      /dim must be even/,
    );
  });
});
