import { describe, expect, it } from "vitest";
import { valueAndGrad } from "../autograd/api.js";
import { gradcheck } from "../autograd/gradcheck.js";
import { withBackend } from "../backend/registry.js";
import { DTypeError, ShapeError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { type AttentionOptions, scaledDotProductAttention as sdpa } from "./attention.js";
import { mul } from "./elementwise.js";
import { expectClose, hasNative, rnd } from "./nn-testkit.js";
import { sum } from "./reduce.js";

/**
 * Test-local oracle: softmax(Q K^T * scale + mask) V with explicit 4-D indexing, GQA by repeating
 * KV head floor(h / rep), and the causal rule j <= i + (Skv - Sq). `mask(b, h, i, j)` is additive.
 */
function naiveAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  causal: boolean,
  scale?: number,
  mask?: (b: number, h: number, i: number, j: number) => number,
): { out: number[]; probs: number[] } {
  const [B, Hq, Sq, D] = q.shape as number[];
  const [, Hkv, Skv] = k.shape as number[];
  const qv = q.toArray();
  const kv = k.toArray();
  const vv = v.toArray();
  const s = scale ?? 1 / Math.sqrt(D!);
  const out: number[] = [];
  const probs: number[] = [];
  for (let b = 0; b < B!; b++) {
    for (let h = 0; h < Hq!; h++) {
      const kh = Math.floor(h / (Hq! / Hkv!));
      for (let i = 0; i < Sq!; i++) {
        const scores: number[] = [];
        for (let j = 0; j < Skv!; j++) {
          let dot = 0;
          for (let c = 0; c < D!; c++) {
            dot +=
              qv[((b * Hq! + h) * Sq! + i) * D! + c]! * kv[((b * Hkv! + kh) * Skv! + j) * D! + c]!;
          }
          const visible = !causal || j <= i + Skv! - Sq!;
          scores.push(visible ? dot * s + (mask ? mask(b, h, i, j) : 0) : Number.NEGATIVE_INFINITY);
        }
        const e = scores.map(Math.exp);
        const z = e.reduce((x, y) => x + y, 0);
        const p = e.map((x) => x / z);
        probs.push(...p);
        for (let c = 0; c < D!; c++) {
          let acc = 0;
          for (let j = 0; j < Skv!; j++) acc += p[j]! * vv[((b * Hkv! + kh) * Skv! + j) * D! + c]!;
          out.push(acc);
        }
      }
    }
  }
  return { out, probs };
}

function qkv(b: number, hq: number, hkv: number, sq: number, skv: number, d: number, seed: number) {
  return [
    rnd([b, hq, sq, d], seed),
    rnd([b, hkv, skv, d], seed + 1),
    rnd([b, hkv, skv, d], seed + 2),
  ] as const;
}

describe("scaledDotProductAttention", () => {
  it("matches the explicit formula for prefill, decode, chunks and GQA", () => {
    const cases: [number, number, number, number, number, number, boolean][] = [
      [1, 1, 1, 4, 4, 3, false],
      [2, 2, 2, 5, 5, 4, true], // prefill
      [1, 4, 2, 1, 6, 8, true], // decode against a cache, GQA 2:1
      [2, 6, 3, 3, 7, 5, true], // a chunk of 3 new queries after 4 cached keys
      [1, 4, 1, 3, 2, 4, false], // multi-query attention
    ];
    cases.forEach(([b, hq, hkv, sq, skv, d, causal], c) => {
      const [q, k, v] = qkv(b, hq, hkv, sq, skv, d, 10 * c);
      const want = naiveAttention(q, k, v, causal);
      const got = sdpa(q, k, v, { causal, returnProbs: true });
      expect(got.out.shape).toEqual([b, hq, sq, d]);
      expect(got.probs.shape).toEqual([b, hq, sq, skv]);
      expect(got.probs.dtype).toBe("f64");
      expectClose(got.out.toArray(), want.out, 1e-13);
      expectClose(got.probs.toArray(), want.probs, 1e-14);
      expectClose(sdpa(q, k, v, { causal }).toArray(), want.out, 1e-13);
    });
  });

  it("applies scale and bool or additive masks (combined with causal)", () => {
    const [q, k, v] = qkv(2, 2, 1, 3, 4, 4, 7);
    const keep = (b: number, _h: number, i: number, j: number) => (b + i + j) % 3 !== 0 || j === 3;
    const boolMask = Tensor.from(
      Array.from({ length: 2 * 3 * 4 }, (_, n) =>
        keep(Math.floor(n / 12), 0, Math.floor(n / 4) % 3, n % 4) ? 1 : 0,
      ),
      [2, 1, 3, 4],
      "bool",
    );
    const add = (_b: number, _h: number, i: number, j: number) => 0.3 * i - 0.2 * j;
    const addMask = Tensor.from(
      Array.from({ length: 12 }, (_, n) => add(0, 0, Math.floor(n / 4), n % 4)),
      [3, 4],
      "f64",
    );
    const want1 = naiveAttention(q, k, v, true, 0.7, (b, h, i, j) =>
      keep(b, h, i, j) ? 0 : Number.NEGATIVE_INFINITY,
    );
    expectClose(
      sdpa(q, k, v, { causal: true, scale: 0.7, mask: boolMask }).toArray(),
      want1.out,
      1e-13,
    );
    const want2 = naiveAttention(q, k, v, false, undefined, add);
    expectClose(sdpa(q, k, v, { mask: addMask }).toArray(), want2.out, 1e-13);
  });

  it("gives zeros for query rows that see no key", () => {
    const [q, k, v] = qkv(1, 1, 1, 2, 3, 2, 3);
    const mask = Tensor.from([0, 0, 0, 1, 1, 1], [2, 3], "bool");
    const { out, probs } = sdpa(q, k, v, { mask, returnProbs: true });
    expect(out.toArray().slice(0, 2)).toEqual([0, 0]);
    expect(probs.toArray().slice(0, 3)).toEqual([0, 0, 0]);
    expectClose(out.toArray().slice(2), naiveAttention(q, k, v, false).out.slice(2), 1e-13);
  });

  it("supports f16 k/v under f32 queries and half queries", () => {
    const [q, k, v] = qkv(1, 4, 2, 3, 9, 8, 5);
    const want = naiveAttention(q, k, v, true).out;
    const toD = (t: Tensor, dt: "f32" | "f16" | "bf16") => Tensor.from(t.toArray(), t.shape, dt);
    const mixed = sdpa(toD(q, "f32"), toD(k, "f16"), toD(v, "f16"), { causal: true });
    expect(mixed.dtype).toBe("f32");
    expectClose(mixed.toArray(), want, 5e-3, 5e-3);
    const half = sdpa(toD(q, "bf16"), toD(k, "bf16"), toD(v, "bf16"), {
      causal: true,
      returnProbs: true,
    });
    expect(half.out.dtype).toBe("bf16");
    expect(half.probs.dtype).toBe("f32");
    expectClose(half.out.toArray(), want, 5e-2, 3e-2);
  });

  it("raises typed errors", () => {
    const [q, k, v] = qkv(1, 3, 2, 2, 2, 4, 1);
    expect(() => sdpa(q, k, v)).toThrow(ShapeError); // 3 query heads over 2 KV heads
    expect(() => sdpa(rnd([2, 2, 4], 1), rnd([2, 2, 4], 2), rnd([2, 2, 4], 3))).toThrow(ShapeError);
    const [q2, k2, v2] = qkv(1, 2, 2, 2, 3, 4, 1);
    expect(() => sdpa(q2, k2, rnd([1, 2, 3, 5], 9))).toThrow(/v \[1, 2, 3, 5\]/);
    expect(() => sdpa(q2, k2, v2, { mask: rnd([2, 4], 1) })).toThrow(ShapeError);
    expect(() => sdpa(q2, Tensor.from(k2.toArray(), k2.shape, "f32"), v2)).toThrow(DTypeError);
    const q16 = Tensor.from(q2.toArray(), q2.shape, "f16");
    const k32 = Tensor.from(k2.toArray(), k2.shape, "f32");
    expect(() => sdpa(q16, k32, Tensor.from(v2.toArray(), v2.shape, "f32"))).toThrow(DTypeError);
    expect(() => sdpa(q2, k2, v2, { mask: Tensor.from([1], [1], "i32") })).toThrow(DTypeError);
  });

  it("has finite-difference gradients for q, k and v", () => {
    const mask = Tensor.from([0, -1, 0.5, 0, 0, 2, -0.5, 0, 1, 0, 0, 0], [3, 4], "f64");
    const opts: AttentionOptions[] = [{ causal: true }, { mask, scale: 0.5 }, {}];
    opts.forEach((o, c) => {
      const [q, k, v] = qkv(1, 4, 2, 3, 4, 3, 40 + c);
      gradcheck((a, b, d) => sdpa(a, b, d, o), [q, k, v]);
    });
  });
});

describe.skipIf(!hasNative("attention"))("attention native vs js", () => {
  it("agrees for f32 and f16 caches, causal and not, with strided queries", () => {
    const cases: number[][] = [
      [1, 1, 1, 1, 1, 1],
      [2, 4, 2, 1, 37, 64],
      [1, 6, 3, 5, 5, 33],
      [2, 8, 1, 3, 130, 16],
      [1, 2, 2, 17, 17, 128],
    ];
    cases.forEach(([b, hq, hkv, sq, skv, d], c) => {
      // q as a transposed view of [B, Sq, Hq, D], as produced by a projection.
      const q = rnd([b!, sq!, hq!, d!], c, "f32").transpose(1, 2);
      for (const kvDtype of ["f32", "f16"] as const) {
        const k = rnd([b!, hkv!, skv!, d!], c + 1, kvDtype);
        const v = rnd([b!, hkv!, skv!, d!], c + 2, kvDtype);
        for (const causal of [false, true]) {
          const fn = () => sdpa(q, k, v, { causal });
          expectClose(
            withBackend("cpu", fn).toArray(),
            withBackend("js", fn).toArray(),
            2e-5,
            2e-4,
          );
        }
      }
    });
  });
});

/** The cpu route (fused kernel or batched GEMMs) against the js f64 route, values and gradients. */
function compareComposed(): void {
  const cases: [number[], boolean, boolean][] = [
    [[1, 4, 2, 1, 9, 8], true, false], // decode with GQA
    [[2, 2, 1, 5, 5, 3], true, true], // prefill with a mask
    [[1, 3, 3, 4, 6, 5], false, true],
  ];
  cases.forEach(([[b, hq, hkv, sq, skv, d], causal, masked], c) => {
    const q = rnd([b!, hq!, sq!, d!], c, "f32");
    const mask = masked
      ? Tensor.from(
          Array.from({ length: sq! * skv! }, (_, n) => (n % 3 !== 1 ? 1 : 0)),
          [sq!, skv!],
          "bool",
        )
      : undefined;
    for (const kvDtype of ["f32", "f16"] as const) {
      const k = rnd([b!, hkv!, skv!, d!], c + 1, kvDtype);
      const v = rnd([b!, hkv!, skv!, d!], c + 2, kvDtype);
      const opts = { causal, mask, returnProbs: true } as const;
      const js = withBackend("js", () => sdpa(q, k, v, opts));
      const cpu = withBackend("cpu", () => sdpa(q, k, v, opts));
      expectClose(cpu.out.toArray(), js.out.toArray(), 1e-5, 1e-4);
      expectClose(cpu.probs.toArray(), js.probs.toArray(), 1e-6, 1e-4);
      const w = rnd(q.shape, c + 3, "f32");
      const loss = valueAndGrad(
        (a: Tensor, bb: Tensor, cc: Tensor) => sum(mul(sdpa(a, bb, cc, { causal, mask }), w)),
        [0, 1, 2],
      );
      const gJs = withBackend("js", () => loss(q, k, v).grads);
      const gCpu = withBackend("cpu", () => loss(q, k, v).grads);
      gJs.forEach((g, i) => {
        expect(gCpu[i]!.dtype).toBe(g.dtype);
        expectClose(
          gCpu[i]!.toArray(),
          g.toArray(),
          kvDtype === "f16" && i > 0 ? 2e-3 : 1e-5,
          1e-3,
        );
      });
    }
  });
}

describe.skipIf(!hasNative("sgemm"))(
  "attention with native GEMMs vs js (probabilities, masks, gradients)",
  () => {
    it("agrees", compareComposed);
  },
);
