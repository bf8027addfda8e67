import { describe, expect, it } from "vitest";
import { f16BitsToF32 } from "../../half.js";
import { packTiles } from "../../quant/cpu-tiles.js";
import { dequantizeBlocks, quantizeBlocks } from "../../quant/ggml-blocks.js";
import { qmatmulBlocks } from "../../quant/qmatmul.js";
import type {
  DequantizeKernel,
  MoveTilesKernel,
  QMatmulKernel,
  QMatmulTilesKernel,
  QuantizeKernel,
} from "../kernels.js";
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
  uniform,
  view,
} from "./testkit.js";

const FORMATS = ["q8_0", "q4_0"] as const;
type Format = (typeof FORMATS)[number];
const BYTES: Record<Format, number> = { q8_0: 34, q4_0: 18 };

// A Uint8Array of n bytes at an odd offset of a larger buffer (unaligned f16 scales).
function bytesView(r: () => number, n: number): Uint8Array {
  const offset = 2 * int(r, 0, 3) + 1;
  return new Uint8Array(n + offset + 3).fill(0xa5).subarray(offset, offset + n);
}

// Blocks that stress the rounding rules: exact .5 ties (roundf goes away from zero), sign ties
// of the largest magnitude (q4_0 keeps the first), zeros, -0, tiny and large values.
function trickyBlocks(): Float32Array {
  const rows: number[][] = [];
  rows.push(Array.from({ length: 32 }, (_, j) => (j === 0 ? 127 : (j % 2 ? -1 : 1) * (j + 0.5))));
  rows.push(Array.from({ length: 32 }, (_, j) => (j === 3 ? -8 : j === 9 ? 8 : (j - 16) / 2)));
  rows.push(Array.from({ length: 32 }, (_, j) => (j === 5 ? 3 : j === 2 ? -3 : 0)));
  rows.push(new Array(32).fill(0));
  rows.push(Array.from({ length: 32 }, (_, j) => (j % 3 ? -0 : 0)));
  rows.push(Array.from({ length: 32 }, (_, j) => (j + 1) * 1e-30));
  rows.push(Array.from({ length: 32 }, (_, j) => (j - 15.5) * 1e4));
  rows.push(Array.from({ length: 32 }, () => 1));
  return Float32Array.from(rows.flat());
}

// Independent f64 decoding of one block's values (the test's own reading of the ggml layout).
function decode(format: Format, blocks: Uint8Array, b: number): number[] {
  const o = b * BYTES[format];
  const d = f16BitsToF32(blocks[o]! | (blocks[o + 1]! << 8));
  if (format === "q8_0")
    return Array.from({ length: 32 }, (_, j) => ((blocks[o + 2 + j]! << 24) >> 24) * d);
  return Array.from({ length: 32 }, (_, j) => {
    const byte = blocks[o + 2 + (j % 16)]!;
    return ((j < 16 ? byte & 15 : byte >> 4) - 8) * d;
  });
}

describe.skipIf(skipNative)("cpu quantize / dequantize", () => {
  it("writes the same bytes as the js quantizer on every ISA, incl. ties, zeros and odd offsets", () => {
    const quantize = cpuKernel<QuantizeKernel>("quantize");
    const r = rng(11);
    const inputs = [trickyBlocks()];
    for (let t = 0; t < 6; t++) {
      const gen = t % 2 ? normal(r) : uniform(r, -3, 3);
      inputs.push(view(r, 32 * int(r, 1, 40), () => gen() * 10 ** int(r, -3, 3)));
    }
    forEachConfig((cfg) => {
      for (const format of FORMATS)
        for (const x of inputs) {
          const blocks = x.length / 32;
          const expected = new Uint8Array(blocks * BYTES[format]);
          quantizeBlocks(format, x, expected);
          const got = bytesView(r, blocks * BYTES[format]);
          quantize(format, x, got);
          expect(
            Buffer.from(got).equals(Buffer.from(expected)),
            `${cfg} ${format} ${blocks} blocks`,
          ).toBe(true);
        }
    });
  });

  it("matches the ggml rules checked independently in f64", () => {
    const quantize = cpuKernel<QuantizeKernel>("quantize");
    const x = trickyBlocks();
    const q8 = new Uint8Array((x.length / 32) * 34);
    quantize("q8_0", x, q8);
    // block 0: amax 127 -> d = 1, ties x.5 round away from zero
    expect(decode("q8_0", q8, 0).slice(0, 4)).toEqual([127, -2, 3, -4]);
    const q4 = new Uint8Array((x.length / 32) * 18);
    quantize("q4_0", x, q4);
    // block 1: -8 comes first, so d = -8 / -8 = 1 and +8 -> 16 clamps to 15 (value 7)
    expect(decode("q4_0", q4, 1)[3]).toBe(-8);
    expect(decode("q4_0", q4, 1)[9]).toBe(7);
    // block 2: -3 (index 2) precedes 3: d = 3/8, the -3 maps exactly to code 0
    expect(decode("q4_0", q4, 2)[2]).toBe(-3);
    // all-zero block: d = -0 (f16 0x8000), as ggml
    expect(q4[3 * 18]! | (q4[3 * 18 + 1]! << 8)).toBe(0x8000);
    // error bounds on random data: |x - x'| <= d/2 (q8_0, plus f16 rounding of d), d (q4_0)
    const r = rng(5);
    const y = Float32Array.from({ length: 32 * 64 }, normal(r));
    for (const format of FORMATS) {
      const blocks = new Uint8Array(64 * BYTES[format]);
      quantize(format, y, blocks);
      for (let b = 0; b < 64; b++) {
        const vals = decode(format, blocks, b),
          src = y.subarray(b * 32, b * 32 + 32);
        const amax = Math.max(...src.map(Math.abs));
        const bound =
          format === "q8_0"
            ? (amax / 127) * (0.5 + 127 * 2 ** -11)
            : (amax / 8) * (1 + 8 * 2 ** -11);
        for (let j = 0; j < 32; j++)
          expect(Math.abs(vals[j]! - src[j]!)).toBeLessThanOrEqual(bound);
      }
    }
  });

  it("dequantizes arbitrary blocks exactly like the js decoder", () => {
    const dequantize = cpuKernel<DequantizeKernel>("dequantize");
    const r = rng(3);
    forEachConfig((cfg) => {
      for (const format of FORMATS) {
        const blocks = int(r, 1, 37),
          src = bytesView(r, blocks * BYTES[format]);
        for (let i = 0; i < src.length; i++) src[i] = int(r, 0, 255);
        for (let b = 0; b < blocks; b++) src[b * BYTES[format] + 1]! &= 0x7b; // finite d
        const expected = new Float32Array(blocks * 32);
        dequantizeBlocks(format, src, expected);
        const got = view(r, blocks * 32, () => Number.NaN);
        dequantize(format, src, got);
        expect([...got], `${cfg} ${format}`).toEqual([...expected]);
        expect(got.slice(0, 32).every((v, j) => v === decode(format, src, 0)[j])).toBe(true);
      }
    });
  });

  it("rejects bad formats, types and lengths, naming the argument", () => {
    const quantize = cpuKernel<QuantizeKernel>("quantize");
    const dequantize = cpuKernel<DequantizeKernel>("dequantize");
    expect(() => quantize("q5_0", new Float32Array(32), new Uint8Array(34))).toThrow(/format/);
    expect(() => quantize("q8_0", new Float32Array(33), new Uint8Array(68))).toThrow(
      /argument src .*multiple of 32/,
    );
    expect(() => quantize("q4_0", new Float32Array(64), new Uint8Array(35))).toThrow(
      /argument dst .*too short/,
    );
    expect(() => quantize("q8_0", new Float64Array(32) as never, new Uint8Array(34))).toThrow(
      TypeError,
    );
    expect(() => dequantize("q4_0", new Uint8Array(19), new Float32Array(32))).toThrow(
      /argument src .*multiple of 18/,
    );
    expect(() => dequantize("q8_0", new Uint8Array(68), new Float32Array(63))).toThrow(
      /argument dst .*too short/,
    );
  });
});

// f64 reference of x W^T from the exact codes: x rows are quantized to q8_0 by the js
// quantizer (byte-checked above), inner sums are exact integers. Returns values and magnitudes.
function reference(
  format: Format,
  w: Uint8Array,
  x: Float32Array,
  m: number,
  n: number,
  k: number,
) {
  const nb = k / 32,
    xq = new Uint8Array(m * nb * 34);
  quantizeBlocks("q8_0", x, xq);
  const out = new Float64Array(m * n),
    mag = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0,
        t = 0;
      for (let b = 0; b < nb; b++) {
        const wv = decode(format, w, j * nb + b),
          xv = decode("q8_0", xq, i * nb + b);
        for (let e = 0; e < 32; e++) {
          s += wv[e]! * xv[e]!;
          t += Math.abs(wv[e]! * xv[e]!);
        }
      }
      out[i * n + j] = s;
      mag[i * n + j] = t;
    }
  return { out, mag };
}

describe.skipIf(skipNative)("cpu qmatmul", () => {
  it("matches an f64 reference and the js kernel over odd shapes, ISAs, threads and offsets", () => {
    const qmatmul = cpuKernel<QMatmulKernel>("qmatmul");
    const qmatmulTiles = cpuKernel<QMatmulTilesKernel>("qmatmulTiles");
    const r = rng(7);
    const cases: [number, number, number][] = [
      [1, 1, 32],
      [1, 67, 2048],
      [3, 33, 96],
      [5, 17, 160],
      [2, 3, 32],
      [2, 5, 32 * 37], // full 16-block groups plus a tail (the AVX-512 q4_0 path)
      [9, 40, 576], // AVX-512 tiles from 2 rows on: two passes of 4 x rows and one, 2.5 tiles of 16 W rows
      [7, 16, 64], // one full tile; passes of 4 and 3 x rows
      [22, 50, 96],
    ];
    for (let t = 0; t < 6; t++)
      cases.push([int(r, 1, 7), pick(r, [1, 3, 13, 31, 65]), 32 * int(r, 1, 13)]);
    forEachConfig((cfg) => {
      for (const format of FORMATS)
        for (const [m, n, k] of cases) {
          const nb = k / 32,
            w = bytesView(r, n * nb * BYTES[format]);
          if (r() < 0.5) {
            quantizeBlocks(format, Float32Array.from({ length: n * k }, normal(r)), w);
          } else {
            // raw codes, including q8_0's -128 that quantization never writes
            for (let i = 0; i < w.length; i++) w[i] = int(r, 0, 255);
            for (let b = 0; b < n * nb; b++)
              w[b * BYTES[format] + 1] = int(r, 0x20, 0x3b) | (r() < 0.5 ? 0x80 : 0);
          }
          const x = view(r, m * k, normal(r));
          const out = view(r, m * n, () => Number.NaN);
          qmatmul(format, w, x, out, m, n, k);
          const ref = reference(format, w, x, m, n, k);
          const label = `${cfg} ${format} ${m}x${n}x${k}`;
          expectClose(label, out, ref.out, (nb + 8) * EPS, 1e-30, ref.mag);
          const js = new Float32Array(m * n);
          qmatmulBlocks(format, w, x, js, m, n, k);
          expectClose(`${label} vs js`, out, js, (nb + 8) * EPS, 1e-30, ref.mag);
          const packed = packTiles(format, w, n, k);
          const tiles = bytesView(r, packed.length);
          tiles.set(packed);
          const outTiles = view(r, m * n, () => Number.NaN);
          qmatmulTiles(format, tiles, x, outTiles, m, n, k);
          expectClose(`${label} tiles`, outTiles, ref.out, (nb + 8) * EPS, 1e-30, ref.mag);
        }
    });
  });

  it("approximates the float product of the dequantized weights", () => {
    const qmatmul = cpuKernel<QMatmulKernel>("qmatmul");
    const r = rng(9),
      m = 2,
      n = 9,
      k = 256;
    const wf = Float32Array.from({ length: n * k }, normal(r)),
      x = Float32Array.from({ length: m * k }, normal(r));
    const w = new Uint8Array((n * k * 18) / 32);
    quantizeBlocks("q4_0", wf, w);
    const wd = new Float32Array(n * k);
    dequantizeBlocks("q4_0", w, wd);
    const out = new Float32Array(m * n);
    qmatmul("q4_0", w, x, out, m, n, k);
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += x[i * k + p]! * wd[j * k + p]!;
        expect(Math.abs(out[i * n + j]! - s)).toBeLessThan(0.02 * Math.sqrt(k));
      }
  });

  it("rejects bad shapes and short arrays, naming the argument", () => {
    const qmatmul = cpuKernel<QMatmulKernel>("qmatmul");
    const w = new Uint8Array(2 * 18),
      x = new Float32Array(64),
      out = new Float32Array(4);
    expect(() => qmatmul("q4_0", w, x, out, 2, 2, 33)).toThrow(/argument k .*multiple of 32/);
    expect(() => qmatmul("q4_0", w, x, out, 2, 3, 32)).toThrow(/argument w .*too short/);
    const qmatmulTiles = cpuKernel<QMatmulTilesKernel>("qmatmulTiles");
    // x beyond the q8_0 range (65504 * 127) or NaN: false, out untouched
    const tiles16 = new Uint8Array(16 * 2 * 18);
    for (const bad of [Number.NaN, 65504 * 127 * 1.001, -Infinity]) {
      const xb = new Float32Array(64).fill(0.5);
      xb[37] = bad;
      const o = new Float32Array(4).fill(7);
      expect(qmatmul("q4_0", new Uint8Array(2 * 2 * 18), xb, o, 1, 2, 64)).toBe(false);
      expect(qmatmulTiles("q4_0", tiles16, xb, o, 1, 2, 64)).toBe(false);
      expect([...o]).toEqual([7, 7, 7, 7]);
    }
    expect(
      qmatmulTiles(
        "q4_0",
        tiles16,
        new Float32Array(64).fill(65504 * 127),
        new Float32Array(2),
        1,
        2,
        64,
      ),
    ).toBe(true);
    const pack = cpuKernel<MoveTilesKernel>("packTiles");
    expect(() => pack("q4_0", new Uint8Array(18), new Uint8Array(10), 1, 32)).toThrow(
      /argument tiles .*too short/,
    );
    expect(() => pack("q4_0", new Uint8Array(18), new Uint8Array(288), 2, 32)).toThrow(
      /argument rows .*too short/,
    );
    // 2 rows still take a whole tile of 16
    expect(() => qmatmulTiles("q4_0", w, x, out, 2, 2, 32)).toThrow(/argument tiles .*too short/);
    expect(() => qmatmulTiles("q4_0", new Uint8Array(16 * 18), x, out, 2, 2, 33)).toThrow(
      /argument k .*multiple of 32/,
    );
    expect(() => qmatmul("q4_0", w, x, out, 3, 2, 32)).toThrow(/argument x .*too short/);
    expect(() => qmatmul("q8_0", new Uint8Array(68), x, new Float32Array(3), 2, 2, 32)).toThrow(
      /argument out .*too short/,
    );
    expect(() => qmatmul("q4_0", w, x, out, 1.5, 2, 32)).toThrow(/argument m/);
    expect(() => qmatmul("q4_0", new Float32Array(36) as never, x, out, 2, 2, 32)).toThrow(
      TypeError,
    );
    expect(() => qmatmul("f16", w, x, out, 2, 2, 32)).toThrow(/format/);
  });
});
