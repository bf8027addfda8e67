import { describe, expect, it } from "vitest";
import { f16BitsToF32, f32ToF16Bits } from "../../half.js";
import type { AttentionKernel } from "../kernels.js";
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
  view,
} from "./testkit.js";

interface Case {
  b: number;
  hq: number;
  hkv: number;
  sq: number;
  skv: number;
  d: number;
  causal: boolean;
  half: boolean;
}

// f64 reference: two-pass softmax per query row; query head h reads KV head floor(h / (hq/hkv)).
// Also returns sum_j p_j |v_j| per element, the scale rounding errors grow with.
function reference(
  c: Case,
  q: Float32Array,
  k: ArrayLike<number>,
  v: ArrayLike<number>,
  scale: number,
) {
  const { b, hq, hkv, sq, skv, d } = c;
  const out = new Float64Array(b * hq * sq * d),
    mag = new Float64Array(out.length);
  for (let bi = 0; bi < b; bi++)
    for (let h = 0; h < hq; h++) {
      const kvBase = (bi * hkv + Math.floor(h / (hq / hkv))) * skv * d;
      for (let i = 0; i < sq; i++) {
        const row = ((bi * hq + h) * sq + i) * d;
        const seen = c.causal ? Math.min(skv, i + skv - sq + 1) : skv;
        if (seen <= 0) continue; // no visible key: zeros
        const s = Array.from({ length: seen }, (_, j) => {
          let dot = 0;
          for (let e = 0; e < d; e++) dot += q[row + e]! * k[kvBase + j * d + e]!;
          return dot * scale;
        });
        const m = Math.max(...s),
          p = s.map((x) => Math.exp(x - m)),
          l = p.reduce((a, x) => a + x, 0);
        for (let j = 0; j < seen; j++)
          for (let e = 0; e < d; e++) {
            const vv = v[kvBase + j * d + e]!;
            out[row + e]! += (p[j]! / l) * vv;
            mag[row + e]! += (p[j]! / l) * Math.abs(vv);
          }
      }
    }
  return { out, mag };
}

function run(
  attention: AttentionKernel,
  c: Case,
  r: () => number,
  label: string,
  spread = 1,
): void {
  const qLen = c.b * c.hq * c.sq * c.d,
    kvLen = c.b * c.hkv * c.skv * c.d;
  const q = view(r, qLen, () => normal(r)() * spread);
  const kf = Float32Array.from({ length: kvLen }, normal(r)),
    vf = Float32Array.from({ length: kvLen }, normal(r));
  const scale = 1 / Math.sqrt(c.d);
  let k: Float32Array | Uint16Array = view(r, kvLen, (i) => kf[i]!),
    v: Float32Array | Uint16Array = view(r, kvLen, (i) => vf[i]!);
  let kRef: ArrayLike<number> = kf,
    vRef: ArrayLike<number> = vf;
  if (c.half) {
    const kh = new Uint16Array(kvLen + 3).subarray(1, kvLen + 1),
      vh = new Uint16Array(kvLen + 5).subarray(3, kvLen + 3);
    for (let i = 0; i < kvLen; i++) {
      kh[i] = f32ToF16Bits(kf[i]!);
      vh[i] = f32ToF16Bits(vf[i]!);
    }
    k = kh;
    v = vh;
    kRef = Array.from(kh, f16BitsToF32);
    vRef = Array.from(vh, f16BitsToF32);
  }
  const out = view(r, qLen, () => Number.NaN);
  attention(q, k, v, out, c.b, c.hq, c.hkv, c.sq, c.skv, c.d, scale, c.causal, c.half);
  const ref = reference(c, q, kRef, vRef, scale);
  // exp is within a few ulp; sums run over skv keys and d channels in f32
  const rtol = 16 * EPS + (c.skv + c.d) * EPS;
  expectClose(`${label} ${JSON.stringify(c)}`, out, ref.out, rtol, 1e-30, ref.mag);
}

describe.skipIf(skipNative)("cpu attention", () => {
  it("matches an f64 softmax reference over GQA, causal, decode/prefill, f16 K/V, ISAs and threads", () => {
    const attention = cpuKernel<AttentionKernel>("attention");
    const r = rng(21);
    const cases: Case[] = [
      { b: 1, hq: 1, hkv: 1, sq: 1, skv: 1, d: 64, causal: false, half: false },
      { b: 2, hq: 4, hkv: 2, sq: 1, skv: 300, d: 128, causal: true, half: false },
      { b: 1, hq: 4, hkv: 1, sq: 37, skv: 37, d: 80, causal: true, half: true },
      { b: 1, hq: 2, hkv: 2, sq: 5, skv: 3, d: 64, causal: true, half: false }, // rows that see no key
      { b: 1, hq: 2, hkv: 1, sq: 65, skv: 129, d: 33, causal: false, half: true }, // d off the vector width
    ];
    for (let t = 0; t < 6; t++) {
      const hkv = pick(r, [1, 2, 4]),
        skv = int(r, 1, 300);
      cases.push({
        b: int(r, 1, 2),
        hkv,
        hq:
          hkv *
          pick(
            r,
            [1, 2, 4].filter((x) => hkv * x <= 4),
          ),
        sq: pick(r, [1, 1, int(r, 1, skv)]),
        skv,
        d: pick(r, [64, 80, 128]),
        causal: r() < 0.5,
        half: r() < 0.5,
      });
    }
    forEachConfig((cfg) => {
      for (const c of cases) run(attention, c, r, cfg);
    });
  });

  it("stays finite and exact-softmax-like with large logits (online max rescaling)", () => {
    const attention = cpuKernel<AttentionKernel>("attention");
    const r = rng(4);
    forEachConfig((cfg) =>
      run(
        attention,
        { b: 1, hq: 2, hkv: 1, sq: 3, skv: 200, d: 64, causal: true, half: false },
        r,
        cfg,
        30,
      ),
    );
  });

  it("rejects bad heads, types and lengths, naming the argument", () => {
    const attention = cpuKernel<AttentionKernel>("attention");
    const f = (n: number) => new Float32Array(n);
    expect(() => attention(f(64), f(64), f(64), f(64), 1, 3, 2, 1, 1, 32, 1, false, false)).toThrow(
      /argument hq .*multiple of hkv/,
    );
    expect(() => attention(f(63), f(64), f(64), f(64), 1, 1, 1, 1, 1, 64, 1, false, false)).toThrow(
      /argument q .*too short/,
    );
    expect(() => attention(f(64), f(64), f(60), f(64), 1, 1, 1, 1, 1, 64, 1, false, false)).toThrow(
      /argument v .*too short/,
    );
    expect(() => attention(f(64), f(64), f(64), f(6), 1, 1, 1, 1, 1, 64, 1, false, false)).toThrow(
      /argument out .*too short/,
    );
    expect(() => attention(f(64), f(64), f(64), f(64), 1, 1, 1, 1, 1, 64, 1, false, true)).toThrow(
      /argument k must be a Uint16Array/,
    );
    expect(() => attention(f(64), f(64), f(64), f(64), 1, 1, 0, 1, 1, 64, 1, false, false)).toThrow(
      /argument hkv/,
    );
    expect(() =>
      attention(f(64), f(64), f(64), f(64), 1, 1, 1, 1, 1, 64, Number.NaN, false, false),
    ).toThrow(/argument scale/);
  });
});
