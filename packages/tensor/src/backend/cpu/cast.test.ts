import { describe, expect, it } from "vitest";
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from "../../half.js";
import type { CastKernel } from "../kernels.js";
import { cpuKernel, forEachConfig, int, rng, skipNative } from "./testkit.js";

// Edge values: zeros, f32 subnormals, f16 subnormal/overflow boundaries, rounding ties, specials.
const EDGES = [
  0,
  -0,
  1e-45,
  -1e-40,
  1.1754942e-38,
  6e-8,
  2.98e-8,
  5.96e-8,
  6.1e-5,
  65504,
  65519.99,
  65520,
  1e6,
  1 + 2 ** -11,
  1 + 3 * 2 ** -11,
  1 + 2 ** -8,
  1 + 3 * 2 ** -8,
  3.4e38,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.NaN,
];

// Random f32 bit patterns (every class: NaNs with payloads, subnormals, huge values) plus edges.
function f32Bits(r: () => number, n: number): Float32Array {
  const u = new Uint32Array(n + EDGES.length + 3);
  for (let i = 0; i < n; i++) u[i] = Math.floor(r() * 2 ** 32);
  const f = new Float32Array(u.buffer).subarray(3);
  f.set(EDGES, n - 3 + 3);
  return f;
}

const bitsOf = (f: Float32Array) => new Uint32Array(f.buffer, f.byteOffset, f.length);

describe.skipIf(skipNative)("cpu cast", () => {
  it("f32 -> f16/bf16 is bit-exact with src/half.ts (NaN payloads included)", () => {
    const cast = cpuKernel<CastKernel>("cast");
    const r = rng(8);
    forEachConfig((cfg) => {
      for (const n of [1, 7, 16, 33, 1000]) {
        const src = f32Bits(r, n);
        for (const [dtype, ref] of [
          ["f16", f32ToF16Bits],
          ["bf16", f32ToBf16Bits],
        ] as const) {
          const dst = new Uint16Array(src.length + 2).subarray(1, src.length + 1);
          cast(src, "f32", dst, dtype);
          for (let i = 0; i < src.length; i++) {
            if (dst[i] !== ref(src[i]!))
              expect.fail(
                `${cfg} f32->${dtype} of bits 0x${bitsOf(src)[i]!.toString(16)}: got 0x${dst[i]!.toString(16)}, expected 0x${ref(src[i]!).toString(16)}`,
              );
          }
        }
      }
    });
  });

  it("f16/bf16 -> f32 and f16 <-> bf16 decode every 16-bit pattern like src/half.ts", () => {
    const cast = cpuKernel<CastKernel>("cast");
    const all = new Uint16Array(65536 + 5).subarray(5);
    for (let i = 0; i < 65536; i++) all[i] = i;
    forEachConfig((cfg) => {
      for (const [dtype, ref] of [
        ["f16", f16BitsToF32],
        ["bf16", bf16BitsToF32],
      ] as const) {
        const out = new Float32Array(65536);
        cast(all, dtype, out, "f32");
        for (let i = 0; i < 65536; i++) {
          const e = ref(i);
          if (!(Object.is(out[i], Math.fround(e)) || (Number.isNaN(e) && Number.isNaN(out[i]!)))) {
            expect.fail(`${cfg} ${dtype} 0x${i.toString(16)}: got ${out[i]}, expected ${e}`);
          }
        }
      }
      const viaF32 = new Uint16Array(65536);
      cast(all, "f16", viaF32, "bf16");
      for (let i = 0; i < 65536; i += int(rng(i), 1, 7)) {
        const e = f16BitsToF32(i);
        // half.ts decodes NaN to JS's canonical NaN; native keeps the payload: compare NaN-ness.
        if (Number.isNaN(e))
          expect((viaF32[i]! & 0x7fc0) === 0x7fc0, `${cfg} f16->bf16 NaN ${i}`).toBe(true);
        else expect(viaF32[i], `${cfg} f16->bf16 ${i}`).toBe(f32ToBf16Bits(e));
      }
    });
  });

  it("rejects mismatched arrays, short outputs and unknown dtypes", () => {
    const cast = cpuKernel<CastKernel>("cast");
    expect(() => cast(new Float32Array(4), "f32", new Uint16Array(3), "f16")).toThrow(
      /argument dst .*too short/,
    );
    expect(() => cast(new Float32Array(4), "f16", new Uint16Array(4), "f32")).toThrow(
      /argument src must be a Uint16Array/,
    );
    expect(() => cast(new Float32Array(4), "f32", new Uint16Array(4), "f8")).toThrow(/dtype f8/);
  });
});
