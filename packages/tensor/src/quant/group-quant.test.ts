import { describe, expect, it } from "vitest";
import { ShapeError, ValueError } from "../errors.js";
import { f16BitsToF32 } from "../half.js";
import { Tensor } from "../tensor.js";
import { packCodes, unpackCodes } from "./group-quant.js";
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

describe("uN packing", () => {
  it("matches the golden words of specs/kivi.md §2.2", () => {
    expect(
      packCodes(
        Array.from({ length: 16 }, (_, j) => j % 4),
        2,
      ),
    ).toEqual(Uint32Array.of(0xe4e4e4e4));
    expect(packCodes([0, 1, 2, 3, 4, 5, 6, 7], 4)).toEqual(Uint32Array.of(0x76543210));
    expect(packCodes([1, 2, 3, 4, 255], 8)).toEqual(Uint32Array.of(0x04030201, 0xff));
  });

  it("puts code j at bits j*N..j*N+N-1 and leaves padding bits zero", () => {
    for (const bits of [2, 4, 8] as const) {
      const per = 32 / bits;
      for (let j = 0; j < per; j++) {
        const codes = new Array(per + 1).fill(0);
        codes[j] = (1 << bits) - 1;
        const w = packCodes(codes, bits);
        expect(w[0]).toBe((((1 << bits) - 1) << (j * bits)) >>> 0);
        expect(w[1]).toBe(0);
      }
    }
    expect(packCodes([3, 3, 3], 2)).toEqual(Uint32Array.of(0x3f));
  });

  it("unpacks what it packs", () => {
    const rand = rng(3);
    for (const bits of [2, 4, 8] as const) {
      const codes = Uint8Array.from({ length: 77 }, () => Math.floor(rand() * 2 ** bits));
      expect(unpackCodes(packCodes(codes, bits), bits, 77)).toEqual(codes);
    }
  });
});

describe("group quantization", () => {
  it("groups along tokens (per-channel) and channels (per-token) with the documented layout", () => {
    // [T = 4, D = 2]: channel 0 holds 0,1,2,3 and channel 1 holds 6,4,2,0 over the tokens.
    const x = Tensor.from([0, 6, 1, 4, 2, 2, 3, 0], [4, 2]);
    const k = quantize(x, "u2", { groupSize: 4, axis: "per-channel" });
    expect(k.axis).toBe(0);
    expect([...k.data]).toEqual([0b11100100, 0b00011011]); // codes 0,1,2,3 and 3,2,1,0
    expect([...k.scales!].map(f16BitsToF32)).toEqual([1, 2]);
    expect([...k.zeros!].map(f16BitsToF32)).toEqual([0, 0]);
    expect(dequantize(k).toArray()).toEqual(x.toArray());
    // per-token: groups of 2 channels per token; token t holds (x[t,0], x[t,1]).
    const v = quantize(x, "u8", { groupSize: 2, axis: "per-token" });
    expect(v.data.length).toBe(4); // one word per group even when half of it is padding
    expect([...v.data]).toEqual([0xff00, 0xff00, 0, 0x00ff]); // token 3 = (3, 0): codes 255, 0
    expect([...v.zeros!].map(f16BitsToF32)).toEqual([0, 1, 2, 0]);
  });

  it("writes scales [..., D, T/G] for keys [B, H, T, D] grouped along tokens", () => {
    const keys = Tensor.from(
      Array.from({ length: 2 * 3 * 64 * 8 }, (_, i) => Math.sin(i)),
      [2, 3, 64, 8],
    );
    const q = quantize(keys, "u4", { groupSize: 32, axis: -2 });
    expect(q.scales!.length).toBe(2 * 3 * 8 * 2);
    expect(q.data.length).toBe(2 * 3 * 8 * 2 * 4); // 32 codes * 4 bits = 4 words per group
    // group (b=1, h=2, d=5, g=1) covers tokens 32..63 of channel 5.
    const gi = ((1 * 3 + 2) * 8 + 5) * 2 + 1;
    const col = Array.from({ length: 32 }, (_, t) =>
      Math.fround(Math.sin(((1 * 3 + 2) * 64 + 32 + t) * 8 + 5)),
    );
    expect(f16BitsToF32(q.zeros![gi]!)).toBeLessThanOrEqual(Math.min(...col));
    expect(f16BitsToF32(q.zeros![gi]!)).toBeGreaterThan(Math.min(...col) - 1e-3);
  });

  it("rounds ties to even", () => {
    const q = quantize(Tensor.from([0, 0.5, 1.5, 2.5, 3]), "u2", { groupSize: 5 });
    expect([...q.data]).toEqual([0 | (0 << 2) | (2 << 4) | (2 << 6) | (3 << 8)]);
  });

  it("bounds |x - x'| by s/2 for every format, axis and metadata dtype, never making NaN", () => {
    const rand = rng(4);
    for (const format of ["u2", "u4", "u8"] as const) {
      for (const metaDtype of ["f16", "f32"] as const) {
        for (const [shape, axis, groupSize] of [
          [[3, 64, 8], -2, 32],
          [[3, 16, 24], -1, 8],
          [[5, 7], 0, 5],
        ] as const) {
          const n = shape.reduce((a: number, b) => a * b, 1);
          const x = Float32Array.from({ length: n }, () => (rand() - 0.3) * 10 ** (rand() * 6 - 3));
          const q = quantize(Tensor.wrap(x, shape, "f32"), format, { groupSize, axis, metaDtype });
          expect(q.metaDtype).toBe(metaDtype);
          const back = dequantize(q).data();
          const meta = (a: Uint16Array | Float32Array, i: number) =>
            a instanceof Uint16Array ? f16BitsToF32(a[i]!) : a[i]!;
          // map each element to its group through the same enumeration as the layout docs
          const len = shape[(axis + shape.length) % shape.length]!;
          const inner = shape
            .slice(((axis + shape.length) % shape.length) + 1)
            .reduce((a: number, b) => a * b, 1);
          for (let p = 0; p < n; p++) {
            const o = Math.floor(p / (len * inner));
            const e = Math.floor(p / inner) % len;
            const gi = (o * inner + (p % inner)) * (len / groupSize) + Math.floor(e / groupSize);
            const s = meta(q.scales!, gi);
            const err = Math.abs(x[p]! - back[p]!);
            expect(err).toBeLessThanOrEqual(s / 2 + Math.abs(x[p]!) * 2 ** -22 + 1e-30);
            expect(Number.isNaN(back[p])).toBe(false);
          }
        }
      }
    }
    const constant = quantize(Tensor.from(new Array(8).fill(0.1)), "u2", { groupSize: 4 });
    expect([...constant.scales!]).toEqual([0, 0]);
    expect(dequantize(constant).toArray()).toEqual(
      new Array(8).fill(f16BitsToF32(constant.zeros![0]!)),
    );
    const zeros = quantize(Tensor.empty([8]), "u4", { groupSize: 8 });
    expect(dequantize(zeros).toArray()).toEqual(new Array(8).fill(0));
  });

  it("reproduces the minimum of f16 inputs exactly", () => {
    const x = Tensor.from([-3.140625, 2, 0.5, 1.25], [4], "f16");
    const q = quantize(x, "u2", { groupSize: 4 });
    expect(f16BitsToF32(q.zeros![0]!)).toBe(-3.140625);
    expect(dequantize(q).toArray()[0]).toBe(-3.140625);
  });

  it("throws typed errors for bad shapes and out-of-range values", () => {
    expect(() => quantize(Tensor.empty([4, 6]), "u4", { groupSize: 4 })).toThrow(ShapeError);
    expect(() => quantize(Tensor.empty([4, 6]), "u4", { groupSize: 0 })).toThrow(ValueError);
    expect(() => quantize(Tensor.from([1, 70000]), "u2", { groupSize: 2 })).toThrow(
      /metaDtype: 'f32'/,
    );
    expect(
      dequantize(
        quantize(Tensor.from([1, 70000]), "u2", { groupSize: 2, metaDtype: "f32" }),
      ).toArray(),
    ).toEqual([1, 70000]);
    expect(() => quantize(Tensor.from([1, Number.NaN]), "u8", { groupSize: 2 })).toThrow(
      ValueError,
    );
    expect(() => quantize(Tensor.from([1, 2]), "u8", undefined as never)).toThrow(ValueError);
    const bad = { format: "u2", shape: [4], data: new Uint32Array(2), groupSize: 4 } as const;
    expect(
      () => new QTensor({ ...bad, scales: new Uint16Array(1), zeros: new Uint16Array(1) }),
    ).toThrow(ValueError);
  });
});
