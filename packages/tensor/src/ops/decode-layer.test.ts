import { describe, expect, it } from "vitest";
import { skipNative } from "../backend/cpu/testkit.js";
import { ValueError } from "../errors.js";
import { qmatmul } from "../quant/qmatmul.js";
import type { QTensor } from "../quant/qtensor.js";
import { quantize } from "../quant/quantize.js";
import { Tensor } from "../tensor.js";
import { swiglu } from "./activation.js";
import { attendHeads } from "./attention-heads.js";
import { decodeLayer } from "./decode-layer.js";
import { add } from "./elementwise.js";
import { rmsNorm } from "./norm.js";
import { randn } from "./random.js";
import { rope } from "./rope.js";

const [hidden, hq, hkv, d, inter, count] = [64, 4, 2, 32, 96, 5];
const w = (rows: number, cols: number, offset: number, format: "q4_0" | "q8_0"): QTensor =>
  quantize(randn([rows, cols], { seed: 7, offset }), format).toTiles();

describe.skipIf(skipNative)("decodeLayer", () => {
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
        eps: 1e-5,
        qkv,
        o,
        gateUp,
        down,
        cos,
        sin,
        kHeads,
        vHeads,
        count,
        heads: hq,
        kvHeads: hkv,
        headDim: d,
        intermediate: inter,
        scale: 1 / Math.sqrt(d),
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
