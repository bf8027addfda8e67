import { describe, expect, it } from "vitest";
import { DTypeError, ShapeError, ValueError } from "../errors.js";
import { f16BitsToF32, f32ToF16Bits } from "../half.js";
import { Tensor } from "../tensor.js";
import { QTensor } from "./qtensor.js";
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

const block = (q: QTensor, b: number, size: number) =>
  Array.from((q.data as Uint8Array).subarray(b * size, (b + 1) * size));

describe("q8_0", () => {
  it("lays out a hand-built block exactly as ggml: f16 d, then 32 int8 codes", () => {
    const codes = [
      127,
      -127,
      0,
      1,
      -1,
      2,
      -2,
      100,
      -100,
      64,
      ...Array.from({ length: 22 }, (_, j) => j - 11),
    ];
    const q = quantize(
      Tensor.from(
        codes.map((c) => c * 0.125),
        [1, 32],
      ),
      "q8_0",
    );
    expect(q.data.length).toBe(34);
    expect(block(q, 0, 34)).toEqual([0x00, 0x30, ...codes.map((c) => c & 0xff)]); // f16(0.125) = 0x3000
    expect(dequantize(q).toArray()).toEqual(codes.map((c) => c * 0.125));
  });

  it("rounds half-way codes away from zero (C roundf)", () => {
    const x = [127, 2.5, -2.5, 0.5, -0.5, ...new Array(27).fill(0)];
    const codes = new Int8Array(
      (quantize(Tensor.from(x, [32]), "q8_0").data as Uint8Array).buffer,
      2,
      5,
    );
    expect([...codes]).toEqual([127, 3, -3, 1, -1]);
  });

  it("round-trips values on the grid exactly and bounds the error by d/2 elsewhere", () => {
    const rand = rng(1);
    for (const [scale, exp] of [
      [1e-6, -20],
      [0.01, -6],
      [1, 0],
      [300, 8],
      [60000, 2],
    ] as const) {
      const code = (i: number) => (i % 32 === 5 ? 127 : Math.round(rand() * 254 - 127)) + 0; // + 0: no -0
      const grid = Array.from({ length: 8 * 64 }, (_, i) => code(i) * 2 ** exp);
      expect(dequantize(quantize(Tensor.from(grid, [8, 64]), "q8_0")).toArray()).toEqual(grid);
      const x = Float32Array.from({ length: 8 * 64 }, () => (rand() * 2 - 1) * scale);
      const back = dequantize(quantize(Tensor.wrap(x, [8, 64], "f32"), "q8_0")).data();
      for (let b = 0; b < 16; b++) {
        const blk = x.subarray(b * 32, b * 32 + 32);
        const d = Math.fround(Math.max(...blk.map(Math.abs)) / 127);
        const dh = f16BitsToF32(f32ToF16Bits(d));
        const bound = d / 2 + 127 * Math.abs(d - dh) + d * 1e-6;
        for (let j = 0; j < 32; j++)
          expect(Math.abs(blk[j]! - back[b * 32 + j]!)).toBeLessThanOrEqual(bound);
      }
    }
  });
});

describe("q4_0", () => {
  it("lays out a hand-built block exactly as ggml: f16 d, low nibbles 0..15, high nibbles 16..31", () => {
    // codes c: element j < 16 gets j, element 16 + j gets 15 - j; x = (c - 8) * 0.5, so the value
    // of largest magnitude is x[0] = -4 and d = -4 / -8 = 0.5 (f16 0x3800).
    const c = [
      ...Array.from({ length: 16 }, (_, j) => j),
      ...Array.from({ length: 16 }, (_, j) => 15 - j),
    ];
    const x = c.map((v) => (v - 8) * 0.5);
    const q = quantize(Tensor.from(x, [1, 32]), "q4_0");
    expect(q.data.length).toBe(18);
    expect(block(q, 0, 18)).toEqual([
      0x00,
      0x38,
      ...Array.from({ length: 16 }, (_, j) => j | ((15 - j) << 4)),
    ]);
    expect(dequantize(q).toArray()).toEqual(x);
  });

  it("rounds half up through trunc(x/d + 8.5) and clamps the opposite extreme to 15", () => {
    // max = -8 -> d = 1; x/d + 8.5 gives codes 11 (2.5), 6 (-2.5), 16 -> 15 (+8)
    const x = [-8, 2.5, -2.5, 8, ...new Array(28).fill(0)];
    const bytes = quantize(Tensor.from(x, [32]), "q4_0").data as Uint8Array;
    expect([bytes[0], bytes[1]]).toEqual([0x00, 0x3c]);
    expect([bytes[2]! & 15, bytes[3]! & 15, bytes[4]! & 15, bytes[5]! & 15]).toEqual([
      0, 11, 6, 15,
    ]);
    expect(
      dequantize(quantize(Tensor.from(x, [32]), "q4_0"))
        .toArray()
        .slice(0, 4),
    ).toEqual([-8, 3, -2, 7]);
  });

  it("round-trips grid values and keeps |err| <= |d|/2, or |d| past 7.5 d where codes clamp", () => {
    const rand = rng(2);
    for (const scale of [1e-5, 0.1, 1, 4000]) {
      const code = (i: number) => (i % 32 === 3 ? -8 : Math.floor(rand() * 16) - 8);
      const grid = Array.from(
        { length: 4 * 32 },
        (_, i) => code(i) * 2 ** Math.round(Math.log2(scale)),
      );
      expect(dequantize(quantize(Tensor.from(grid, [4, 32]), "q4_0")).toArray()).toEqual(grid);
      const x = Float32Array.from({ length: 4 * 64 }, () => (rand() * 2 - 1) * scale);
      const back = dequantize(quantize(Tensor.wrap(x, [4, 64], "f32"), "q4_0")).data();
      for (let b = 0; b < 8; b++) {
        const blk = [...x.subarray(b * 32, b * 32 + 32)];
        const max = blk.reduce((m, v) => (Math.abs(v) > Math.abs(m) ? v : m), 0);
        const d = Math.fround(max / -8);
        const dh = f16BitsToF32(f32ToF16Bits(d));
        for (let j = 0; j < 32; j++) {
          const base = blk[j]! / d > 7.5 ? Math.abs(d) : Math.abs(d) / 2;
          const bound = base + 8 * Math.abs(d - dh) + Math.abs(d) * 1e-6;
          expect(Math.abs(blk[j]! - back[b * 32 + j]!)).toBeLessThanOrEqual(bound);
        }
      }
    }
  });
});

describe("ggml quantize errors", () => {
  it("throws typed errors for bad shapes, dtypes and values", () => {
    expect(() => quantize(Tensor.empty([4, 48]), "q8_0")).toThrow(ShapeError);
    expect(() => quantize(Tensor.from([1]).reshape([]), "q4_0")).toThrow(ShapeError);
    expect(() => quantize(Tensor.empty([32], "i32"), "q8_0")).toThrow(DTypeError);
    const nan = Tensor.empty([32]);
    (nan.data() as Float32Array)[7] = Number.NaN;
    expect(() => quantize(nan, "q8_0")).toThrow(ValueError);
    expect(() => quantize(Tensor.from([1e10, ...new Array(31).fill(0)], [32]), "q4_0")).toThrow(
      ValueError,
    );
    expect(() => new QTensor({ format: "q8_0", shape: [32], data: new Uint8Array(33) })).toThrow(
      ValueError,
    );
  });

  it("accepts f16, bf16 and f64 inputs and strided views", () => {
    const x = Array.from({ length: 64 }, (_, i) => (i - 32) / 4);
    const ref = dequantize(quantize(Tensor.from(x, [2, 32]), "q8_0")).toArray();
    for (const dtype of ["f16", "bf16", "f64"] as const) {
      expect(dequantize(quantize(Tensor.from(x, [2, 32], dtype), "q8_0")).toArray()).toEqual(ref);
    }
    const t = Tensor.from(x, [32, 2]).transpose(0, 1);
    expect(quantize(t, "q4_0").shape).toEqual([2, 32]);
  });
});
