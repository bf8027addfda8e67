import { describe, expect, it } from "vitest";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { f16BitsToF32, f32ToF16Bits } from "../half.js";
import { Tensor } from "../tensor.js";
import { qmatmul } from "./qmatmul.js";
import { dequantize, quantize } from "./quantize.js";

/** Deterministic uniform [0, 1) stream (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** out[i, j] = Σ_e a[i, e]·b[j, e] in f64. */
function matmulT(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  m: number,
  n: number,
  k: number,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let e = 0; e < k; e++) s += a[i * k + e]! * b[j * k + e]!;
      out[i * n + j] = s;
    }
  }
  return out;
}

// k = 96: three blocks (no full group of the AVX-512 q4_0 path); k = 576: a group of 16 and a
// tail pair (SmolLM2's hidden size); m = 5: one pass of four rows and a single row.
describe.each([96, 576])("qmatmul, k = %i", (k) => {
  const m = 5;
  const n = 7;
  const rand = rng(5);
  const xs = Float32Array.from({ length: m * k }, () => rand() * 2 - 1);
  const x = Tensor.wrap(xs, [m, k], "f32");

  for (const format of ["q8_0", "q4_0"] as const) {
    const ws = Float32Array.from({ length: n * k }, () => (rand() * 2 - 1) * 0.1);
    const w = quantize(Tensor.wrap(ws, [n, k], "f32"), format);
    const wd = dequantize(w).data();

    it(`${format}: equals the f64 product of the dequantized operands (x through q8_0)`, () => {
      const xd = dequantize(quantize(x, "q8_0")).data();
      const ref = matmulT(xd, wd, m, n, k);
      const got = qmatmul(x, w).data();
      for (let i = 0; i < m * n; i++)
        expect(Math.abs(got[i]! - ref[i]!)).toBeLessThanOrEqual(
          Math.abs(ref[i]!) * 2 ** -23 + 1e-12,
        );
    });

    it(`${format}: stays within the q8_0 error bound of x from dequantize-then-matmul`, () => {
      const ref = matmulT(xs, wd, m, n, k);
      const got = qmatmul(x, w).data();
      // per element of x: |x - x'| <= d/2 + 127·|d - f16(d)| with d = amax(block)/127
      const err = new Float64Array(m * k);
      for (let b = 0; b < (m * k) / 32; b++) {
        const blk = xs.subarray(b * 32, b * 32 + 32);
        const d = Math.fround(Math.max(...blk.map(Math.abs)) / 127);
        err.fill(
          d / 2 + 127 * Math.abs(d - f16BitsToF32(f32ToF16Bits(d))) + d * 1e-6,
          b * 32,
          b * 32 + 32,
        );
      }
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let bound = 1e-6;
          for (let e = 0; e < k; e++) bound += Math.abs(wd[j * k + e]!) * err[i * k + e]!;
          const diff = Math.abs(got[i * n + j]! - ref[i * n + j]!);
          expect(diff).toBeLessThanOrEqual(bound);
          expect(diff).toBeGreaterThan(0); // x really is quantized on the fly
        }
      }
    });
  }

  it("is exact on grid values and keeps leading dimensions", () => {
    // x rows and W rows hold integers with the block maxima on the grid, so every scale is exact.
    const xg = Array.from(
      { length: 2 * 3 * 32 },
      (_, i) => (i % 32 === 0 ? 127 : (i % 19) - 9) / 64,
    );
    const xt = Tensor.from(xg, [2, 3, 32]);
    for (const [format, top] of [
      ["q8_0", 127],
      ["q4_0", -8],
    ] as const) {
      const wg = Array.from({ length: 4 * 32 }, (_, i) => (i % 32 === 0 ? top : (i % 13) - 6) / 8);
      const y = qmatmul(xt, quantize(Tensor.from(wg, [4, 32]), format));
      expect(y.shape).toEqual([2, 3, 4]);
      expect(Array.from(y.data())).toEqual(Array.from(matmulT(xg, wg, 6, 4, 32)));
    }
  });

  it("throws typed errors for bad shapes and formats", () => {
    const w = quantize(Tensor.empty([4, 64]), "q8_0");
    expect(() => qmatmul(Tensor.empty([3, 32]), w)).toThrow(ShapeError);
    expect(() => qmatmul(Tensor.empty([64], "i32"), w)).toThrow(DTypeError);
    expect(() => qmatmul(Tensor.empty([64]), quantize(Tensor.empty([2, 2, 64]), "q4_0"))).toThrow(
      ShapeError,
    );
    expect(() =>
      qmatmul(Tensor.empty([64]), quantize(Tensor.empty([4, 64]), "u4", { groupSize: 32 })),
    ).toThrow(DTypeError);
    expect(qmatmul(Tensor.empty([64]), w).shape).toEqual([4]);
    // x whose q8_0 scale would overflow f16, or NaN, names the element (rows and tiles alike)
    for (const weight of [w, w.toTiles()]) {
      const xs = new Float32Array(64).fill(1);
      xs[40] = 1e9;
      expect(() => qmatmul(Tensor.wrap(xs, [64], "f32"), weight)).toThrow(/element 40/);
      xs[40] = Number.NaN;
      expect(() => qmatmul(Tensor.wrap(xs, [64], "f32"), weight)).toThrow(ValueError);
    }
  });
});
