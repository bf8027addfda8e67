import { describe, expect, it } from "vitest";
import { cpuKernel, forEachConfig, normal, rng, skipNative } from "../backend/cpu/testkit.js";
import type { AttentionKernel } from "../backend/kernels.js";
import { withBackend } from "../backend/registry.js";
import { DTypeError, ShapeError } from "../errors.js";
import { f32ToF16Bits } from "../half.js";
import { Tensor } from "../tensor.js";
import { scaledDotProductAttention } from "./attention.js";
import { attendHeads } from "./attention-heads.js";

const [b, hq, hkv, sq, d, length, capacity] = [2, 6, 3, 3, 16, 11, 20];

// Per-head buffers with room beyond `length` (filled with junk the result must not read).
function headBuffers(r: () => number, half: boolean) {
  const gen = normal(r);
  const make = () =>
    Array.from({ length: b * hkv }, () => {
      const values = Float32Array.from({ length: capacity * d }, (_, i) =>
        i < length * d ? gen() : 1e30,
      );
      return half ? Uint16Array.from(values, (x) => f32ToF16Bits(Math.min(x, 6e4))) : values;
    });
  return { k: make(), v: make() };
}

// The same heads as [B, Hkv, length, D] tensors.
function gathered(list: (Float32Array | Uint16Array)[], half: boolean): Tensor {
  const out = half
    ? new Uint16Array(list.length * length * d)
    : new Float32Array(list.length * length * d);
  for (const [i, h] of list.entries()) out.set(h.subarray(0, length * d) as never, i * length * d);
  return Tensor.wrap(out, [b, hkv, length, d], half ? "f16" : "f32");
}

describe.each([false, true])("attendHeads (f16 heads: %s)", (half) => {
  const r = rng(half ? 2 : 1);
  const gen = normal(r);
  const q = Tensor.wrap(Float32Array.from({ length: b * hq * sq * d }, gen), [b, hq, sq, d], "f32");
  const heads = headBuffers(r, half);
  const kv = { ...heads, length, dtype: half ? ("f16" as const) : ("f32" as const) };
  const [k, v] = [gathered(heads.k, half), gathered(heads.v, half)];

  it("equals scaledDotProductAttention on the gathered heads, causal or not, on every backend", () => {
    for (const causal of [false, true]) {
      const want = scaledDotProductAttention(q, k, v, { causal, scale: 0.3 }).data();
      expect(Array.from(attendHeads(q, kv, { causal, scale: 0.3 }).data())).toEqual(
        Array.from(want),
      );
      const js = withBackend("js", () => attendHeads(q, kv, { causal, scale: 0.3 }).data());
      for (let i = 0; i < want.length; i++) expect(Math.abs(js[i]! - want[i]!)).toBeLessThan(1e-5);
    }
  });

  it("rejects a head count that does not fit q, and non-f32 q", () => {
    expect(() => attendHeads(q, { ...kv, k: kv.k.slice(1), v: kv.v.slice(1) })).toThrow(ShapeError);
    const q64 = Tensor.wrap(Float64Array.from(q.data()), q.shape, "f64");
    expect(() => attendHeads(q64, kv)).toThrow(DTypeError);
  });
});

describe.skipIf(skipNative)("native attention over per-head arrays", () => {
  it("reads each head where it lies, on every ISA and thread count", () => {
    const kernel = cpuKernel<AttentionKernel>("attention");
    const r = rng(3);
    const heads = headBuffers(r, false);
    const q = Float32Array.from({ length: b * hq * sq * d }, normal(r));
    const [k, v] = [
      gathered(heads.k, false).data(),
      gathered(heads.v, false).data(),
    ] as Float32Array[];
    forEachConfig((cfg) => {
      const want = new Float32Array(q.length);
      kernel(q, k!, v!, want, b, hq, hkv, sq, length, d, 0.25, true, false);
      const got = new Float32Array(q.length);
      kernel(q, heads.k, heads.v, got, b, hq, hkv, sq, length, d, 0.25, true, false);
      expect(Array.from(got), cfg).toEqual(Array.from(want));
    });
    const out = new Float32Array(q.length);
    expect(() =>
      kernel(q, heads.k.slice(1), heads.v, out, b, hq, hkv, sq, length, d, 1, true, false),
    ).toThrow(/argument k has 5 heads, needs b \* hkv = 6/);
    const short = heads.v.map((h, i) => (i === 4 ? h.subarray(0, 3) : h));
    expect(() => kernel(q, heads.k, short, out, b, hq, hkv, sq, length, d, 1, true, false)).toThrow(
      /argument v\[4\] is too short/,
    );
    expect(() =>
      kernel(
        q,
        heads.k,
        [1, 2, 3, 4, 5, 6] as never,
        out,
        b,
        hq,
        hkv,
        sq,
        length,
        d,
        1,
        true,
        false,
      ),
    ).toThrow(/argument v\[0\] must be a Float32Array/);
  });
});
