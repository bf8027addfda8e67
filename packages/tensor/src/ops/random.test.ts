import { describe, expect, it } from "vitest";
import { DTypeError, ValueError } from "../errors.js";
import { Generator, manualSeed, mulhi32, philox4x32, rand, randint, randn } from "./random.js";

const hex = (a: Uint32Array) => [...a].map((x) => x.toString(16).padStart(8, "0")).join(" ");

describe("philox4x32-10", () => {
  // Random123 tests/kat_vectors: counter (4 words), key (2 words) -> output (4 words).
  it.each([
    [[0, 0, 0, 0], [0, 0], "6627e8d5 e169c58d bc57ac4c 9b00dbd8"],
    [
      [0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff],
      [0xffffffff, 0xffffffff],
      "408f276d 41c83b0e a20bc7c6 6d5451fd",
    ],
    [
      [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344],
      [0xa4093822, 0x299f31d0],
      "d16cfe09 94fdcceb 5001e420 24126ea1",
    ],
  ])("matches the known answer for counter %j key %j", (ctr, key, want) => {
    expect(hex(philox4x32(ctr, key))).toBe(want);
  });

  it("computes exact 32x32 high words", () => {
    const cases = [
      [0xffffffff, 0xffffffff],
      [0xd2511f53, 0x12345678],
      [0x80000000, 2],
      [1, 1],
      [0, 0xffffffff],
    ];
    let s = 12345;
    for (let i = 0; i < 200; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const t = (Math.imul(s, 69069) + 1) >>> 0;
      cases.push([s, t]);
    }
    for (const [a, b] of cases) {
      expect(mulhi32(a!, b!)).toBe(Number((BigInt(a!) * BigInt(b!)) >> 32n));
    }
  });
});

describe("rand / randn / randint", () => {
  it("is reproducible and depends only on (seed, i)", () => {
    const a = rand([10], { seed: 7 }).toArray();
    expect(rand([10], { seed: 7 }).toArray()).toEqual(a);
    expect(rand([2, 3], { seed: 7 }).toArray()).toEqual(a.slice(0, 6));
    expect(rand([10], { seed: 8 }).toArray()).not.toEqual(a);
    expect(rand([10], { seed: 7, offset: 1 }).toArray()).not.toEqual(a);
    const n = randn([7], { seed: 3 }).toArray();
    expect(randn([3], { seed: 3 }).toArray()).toEqual(n.slice(0, 3));
  });

  it("draws uniforms in [0, 1) with the right moments for every float dtype", () => {
    for (const dtype of ["f32", "f64", "f16", "bf16"] as const) {
      const v = rand([20000], { seed: 11, dtype }).toArray();
      expect(Math.min(...v)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...v)).toBeLessThan(1);
      const m = v.reduce((s, x) => s + x, 0) / v.length;
      // std of the mean is sqrt(1/12 / n) ~ 0.002; allow 5 sigma plus bf16's coarse grid.
      expect(Math.abs(m - 0.5)).toBeLessThan(dtype === "bf16" ? 0.013 : 0.011);
    }
  });

  it("draws standard normals (mean, variance, kurtosis)", () => {
    for (const seed of [0, 1, 2]) {
      const v = randn([50000], { seed, dtype: "f64" }).toArray();
      const n = v.length;
      const m = v.reduce((s, x) => s + x, 0) / n;
      const m2 = v.reduce((s, x) => s + (x - m) ** 2, 0) / n;
      const m4 = v.reduce((s, x) => s + (x - m) ** 4, 0) / n;
      expect(Math.abs(m)).toBeLessThan(5 / Math.sqrt(n));
      expect(Math.abs(m2 - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
      expect(Math.abs(m4 / (m2 * m2) - 3)).toBeLessThan(5 * Math.sqrt(24 / n));
    }
  });

  it("draws integers in [low, high) covering the range evenly", () => {
    const v = randint(-3, 4, [70000], { seed: 5 }).toArray();
    const counts = new Map<number, number>();
    for (const x of v) counts.set(x, (counts.get(x) ?? 0) + 1);
    expect([...counts.keys()].sort((a, b) => a - b)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    for (const c of counts.values()) expect(Math.abs(c - 10000)).toBeLessThan(500);
    expect(
      randint(0, 2 ** 32, [4], { seed: 1, dtype: "f64" })
        .toArray()
        .every((x) => x >= 0 && x < 2 ** 32),
    ).toBe(true);
  });

  it("advances a Generator through successive streams", () => {
    const g = new Generator(42);
    const first = g.rand([5]);
    const second = g.rand([5]);
    expect(first.toArray()).toEqual(rand([5], { seed: 42 }).toArray());
    expect(second.toArray()).toEqual(rand([5], { seed: 42, offset: 1 }).toArray());
    expect(g.offset).toBe(2);
    manualSeed(9);
    const a = randn([4]).toArray();
    const b = randn([4]).toArray();
    manualSeed(9);
    expect(randn([4]).toArray()).toEqual(a);
    expect(randn([4]).toArray()).toEqual(b);
    expect(a).not.toEqual(b);
  });

  it("rejects bad arguments with typed errors", () => {
    expect(() => rand([2], { seed: -1 })).toThrow(ValueError);
    expect(() => rand([2], { seed: 1, dtype: "i32" })).toThrow(DTypeError);
    expect(() => randint(3, 3, [2], { seed: 1 })).toThrow(ValueError);
    expect(() => randint(0, 1.5, [2], { seed: 1 })).toThrow(ValueError);
  });
});
