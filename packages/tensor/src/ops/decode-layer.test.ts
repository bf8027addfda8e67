import { describe, expect, it } from "vitest";
import { skipNative } from "../backend/cpu/testkit.js";
import { ShapeError, ValueError } from "../errors.js";
import { qmatmul } from "../quant/qmatmul.js";
import type { QTensor } from "../quant/qtensor.js";
import { quantize } from "../quant/quantize.js";
import { Tensor } from "../tensor.js";
import { swiglu } from "./activation.js";
import { scaledDotProductAttention } from "./attention.js";
import { attendHeads } from "./attention-heads.js";
import { decodeLayer } from "./decode-layer.js";
import { add, mul } from "./elementwise.js";
import { linear } from "./matmul.js";
import { rmsNorm } from "./norm.js";
import { randn } from "./random.js";
import { rope } from "./rope.js";

const [hidden, hq, hkv, d, inter, count] = [64, 4, 2, 32, 96, 5];
const dims = {
  heads: hq,
  kvHeads: hkv,
  headDim: d,
  intermediate: inter,
  scale: 1 / Math.sqrt(d),
  eps: 1e-5,
};
const w = (rows: number, cols: number, offset: number, format: "q4_0" | "q8_0"): QTensor =>
  quantize(randn([rows, cols], { seed: 7, offset }), format).toTiles();

describe.skipIf(skipNative)("decodeLayer", () => {
  it("dense f32 parts ([q, k, v], [gate, up]) equal the layer composed of linear and friends", () => {
    const dense = (rows: number, cols: number, offset: number) =>
      mul(randn([rows, cols], { seed: 11, offset }), 0.1);
    const [wq, wk, wv] = [
      dense(hq * d, hidden, 1),
      dense(hkv * d, hidden, 2),
      dense(hkv * d, hidden, 3),
    ];
    const [wo, wg, wu, wd] = [
      dense(hidden, hq * d, 4),
      dense(inter, hidden, 5),
      dense(inter, hidden, 6),
      dense(hidden, inter, 7),
    ];
    const h = randn([1, 1, hidden], { seed: 11, offset: 8 });
    const norm = randn([hidden], { seed: 11, offset: 9 });
    const freqs = Float64Array.from({ length: d / 2 }, (_, i) => 10000 ** (-i / (d / 2)));
    const kHeads = Array.from({ length: hkv }, () => new Float32Array(d));
    const vHeads = Array.from({ length: hkv }, () => new Float32Array(d));
    // Reference at position 0 with an empty cache: attention returns each query head's v.
    const x = rmsNorm(h, norm, 1e-5);
    const q = rope(linear(x, wq).reshape([1, 1, hq, d]).transpose(1, 2), [0], freqs);
    const k = rope(linear(x, wk).reshape([1, 1, hkv, d]).transpose(1, 2), [0], freqs);
    const v = linear(x, wv).reshape([1, 1, hkv, d]).transpose(1, 2);
    const att = scaledDotProductAttention(q, k, v, { causal: true });
    const h1 = add(h, linear(att.transpose(1, 2).reshape([1, 1, hq * d]), wo));
    const y = rmsNorm(h1, norm, 1e-5);
    const want = add(h1, linear(swiglu(linear(y, wg), linear(y, wu)), wd)).data();
    const out = new Float32Array(hidden);
    const input = {
      h: h.data() as Float32Array,
      out,
      normIn: norm.data() as Float32Array,
      normPost: norm.data() as Float32Array,
      qkv: [wq, wk, wv],
      o: wo,
      gateUp: [wg, wu],
      down: wd,
      cos: new Float32Array(d / 2).fill(1),
      sin: new Float32Array(d / 2),
      kHeads,
      vHeads,
      count: 0,
      ...dims,
    };
    expect(decodeLayer(input)).toBe(true);
    expect(Array.from(out)).toEqual(Array.from(want));
    expect(Array.from(kHeads[1]!)).toEqual(Array.from(k.slice(1, 1, 2).data()));
    expect(() => decodeLayer({ ...input, qkv: [wq, wk] })).toThrow(/qkv has 2 parts, needs 1 or 3/);
    expect(() => decodeLayer({ ...input, o: wq })).toThrow(ShapeError);
    const strided = dense(hidden, hkv * d, 3).transpose(0, 1); // the right shape, not contiguous
    expect(() => decodeLayer({ ...input, qkv: [wq, wk, strided] })).toThrow(ValueError);
  });

  for (const format of ["q4_0", "q8_0"] as const) {
    it(`${format}: equals the layer composed of @x/tensor ops`, () => {
      const qkv = w((hq + 2 * hkv) * d, hidden, 1, format);
      const o = w(hidden, hq * d, 2, format);
      const gateUp = w(2 * inter, hidden, 3, format);
      const down = w(hidden, inter, 4, format);
      const h = randn([1, 1, hidden], { seed: 7, offset: 5 });
      const normIn = randn([hidden], { seed: 7, offset: 6 });
      const normPost = randn([hidden], { seed: 7, offset: 7 });
      const freqs = Float64Array.from({ length: d / 2 }, (_, i) => 10000 ** (-i / (d / 2)));
      const heads = (seed: number) =>
        Array.from({ length: hkv }, (_, j) => {
          const buf = new Float32Array((count + 4) * d);
          buf.set(randn([count * d], { seed, offset: j }).data() as Float32Array);
          return buf;
        });
      const [kHeads, vHeads] = [heads(8), heads(9)];
      const [kRef, vRef] = [kHeads.map((x) => x.slice()), vHeads.map((x) => x.slice())];
      // The reference: op by op, the new key and value appended to copies of the heads.
      const x = rmsNorm(h, normIn, 1e-5);
      const all = qmatmul(x, qkv).reshape([1, hq + 2 * hkv, 1, d]);
      const rotated = rope(all.slice(1, 0, hq + hkv), [count], freqs).data();
      const vNew = all.slice(1, hq + hkv).data();
      for (let j = 0; j < hkv; j++) {
        kRef[j]!.set(rotated.subarray((hq + j) * d, (hq + j + 1) * d), count * d);
        vRef[j]!.set(vNew.subarray(j * d, (j + 1) * d), count * d);
      }
      const q = Tensor.wrap(Float32Array.from(rotated.subarray(0, hq * d)), [1, hq, 1, d], "f32");
      const att = attendHeads(
        q,
        { k: kRef, v: vRef, length: count + 1, dtype: "f32" },
        { causal: true },
      );
      const h1 = add(h, qmatmul(att.reshape([1, 1, hq * d]), o));
      const gu = qmatmul(rmsNorm(h1, normPost, 1e-5), gateUp);
      const mlp = qmatmul(swiglu(gu.slice(2, 0, inter), gu.slice(2, inter, 2 * inter)), down);
      const want = add(h1, mlp).data();

      const out = new Float32Array(hidden);
      const cos = Float32Array.from(freqs, (f) => Math.cos(count * f));
      const sin = Float32Array.from(freqs, (f) => Math.sin(count * f));
      const input = {
        h: h.data() as Float32Array,
        out,
        normIn: normIn.data() as Float32Array,
        normPost: normPost.data() as Float32Array,
        qkv,
        o,
        gateUp,
        down,
        cos,
        sin,
        kHeads,
        vHeads,
        count,
        ...dims,
      };
      expect(decodeLayer(input)).toBe(true);
      expect(Array.from(out)).toEqual(Array.from(want));
      for (let j = 0; j < hkv; j++) {
        expect(Array.from(kHeads[j]!.subarray(0, (count + 1) * d))).toEqual(
          Array.from(kRef[j]!.subarray(0, (count + 1) * d)),
        );
        expect(Array.from(vHeads[j]!.subarray(0, (count + 1) * d))).toEqual(
          Array.from(vRef[j]!.subarray(0, (count + 1) * d)),
        );
      }
      // Bad inputs: typed errors naming what was wrong.
      expect(() => decodeLayer({ ...input, o: quantize(randn([hidden, hq * d]), format) })).toThrow(
        ValueError,
      );
      expect(() => decodeLayer({ ...input, kHeads: kHeads.slice(1) })).toThrow(
        /argument kHeads has 1 heads, needs 2/,
      );
      expect(() => decodeLayer({ ...input, count: count + 4 })).toThrow(
        /argument kHeads\[0\] is too short/,
      );
      expect(() => decodeLayer({ ...input, cos: new Float32Array(3) })).toThrow(
        /argument cos is too short/,
      );
      const nan = Float32Array.from(input.h);
      nan[3] = Number.NaN;
      expect(decodeLayer({ ...input, h: nan })).toBe(false);
    });
  }
});
