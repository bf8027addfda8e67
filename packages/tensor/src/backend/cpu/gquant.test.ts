import { describe, expect, it } from "vitest";
import { DTypeError, ValueError } from "../../errors.js";
import { groupDequantize, groupQuantize, packCodes, unpackCodes } from "../../quant/group-quant.js";
import type { GroupFormat, QTensor } from "../../quant/qtensor.js";
import { dequantize } from "../../quant/quantize.js";
import type { GroupQuantizeKernel } from "../kernels.js";
import { withBackend } from "../registry.js";
import { cpuKernel, forEachConfig, int, normal, pick, rng, skipNative } from "./testkit.js";
import { expectSameBits } from "./viewkit.js";

const FORMATS: GroupFormat[] = ["u2", "u4", "u8"];
const hex = (a: ArrayBufferView) =>
  Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString("hex");

describe.skipIf(skipNative)("cpu group quantization", () => {
  it("writes the js backend's codes, scales and zeros and decodes identically, every ISA and thread count", () => {
    const r = rng(61);
    const cases = Array.from({ length: 24 }, (_, c) => {
      const g = pick(r, [1, 2, 3, 8, 16, 17, 32, 64]);
      const shape = [int(r, 1, 3), g * int(r, 1, 3), pick(r, [1, 2, 5, 16, 17])];
      if (r() < 0.5) shape.reverse();
      const axis = pick(r, [-1, -2, 0] as const);
      const len = shape[(axis + 3) % 3]!;
      if (len % g !== 0) shape[(axis + 3) % 3] = g * int(r, 1, 2);
      const metaDtype = pick(r, ["f16", "f32"] as const);
      const scale = 10 ** int(r, -3, metaDtype === "f16" ? 1 : 5);
      const shift = r() < 0.3 ? 1000 * scale : 0;
      const n = shape.reduce((p, d) => p * d, 1);
      const gen = normal(r);
      const values = Float32Array.from({ length: n }, (_, i) =>
        r() < 0.05 ? 0.25 : c % 5 === 0 && i % 7 ? 1.5 : gen() * scale + shift,
      );
      const opts = { groupSize: g, axis, metaDtype };
      return {
        values,
        shape,
        format: FORMATS[c % 3]!,
        opts,
        label: `${FORMATS[c % 3]} ${shape} g ${g} axis ${axis} ${opts.metaDtype}`,
      };
    });
    const run = () =>
      cases.map(({ values, shape, format, opts }) => {
        const q = groupQuantize(values, shape, format, opts);
        return { q, back: groupDequantize(q) };
      });
    const want = withBackend("js", run);
    forEachConfig((cfg) => {
      const got = withBackend("cpu", run);
      cases.forEach(({ label }, c) => {
        const a = got[c]!.q,
          b = want[c]!.q;
        expect(hex(a.data), `${cfg} ${label} codes`).toBe(hex(b.data));
        expect(hex(a.scales!), `${cfg} ${label} scales`).toBe(hex(b.scales!));
        expect(hex(a.zeros!), `${cfg} ${label} zeros`).toBe(hex(b.zeros!));
        expectSameBits(`${cfg} ${label} dequantized`, got[c]!.back, want[c]!.back);
        // decoding the js codes natively too (the kernel, not just a round trip of its own)
        withBackend("cpu", () =>
          expectSameBits(`${cfg} ${label} decode js codes`, groupDequantize(b), want[c]!.back),
        );
      });
    });
  });

  it("raises the js backend's ValueError for values the metadata cannot hold", () => {
    const bad: [number[], "f16" | "f32"][] = [
      [[1, 2, 70000, 3], "f16"],
      [[1, 2, 3, 4, 5, Number.NaN, 1, 1], "f16"],
      [[0, 1, 2, 3, 3e38, -3e38, 1, 2], "f32"],
      [[1, 2, 3, Number.POSITIVE_INFINITY], "f32"],
    ];
    for (const [vals, metaDtype] of bad) {
      const values = Float32Array.from(vals);
      const call = () => groupQuantize(values, [values.length], "u4", { groupSize: 2, metaDtype });
      const message = withBackend("js", () => {
        try {
          call();
        } catch (err) {
          expect(err).toBeInstanceOf(ValueError);
          return (err as Error).message;
        }
        return "no error";
      });
      withBackend("cpu", () => expect(call).toThrow(new ValueError(message)));
    }
  });

  it("the kernel writes every word and rejects bad arguments; bad bit widths and inputs are typed errors", () => {
    const quantize = cpuKernel<GroupQuantizeKernel>("groupQuantize");
    const x = Float32Array.from({ length: 16 }, (_, i) => i);
    const words = new Uint32Array(2).fill(0xa5a5a5a5);
    const scales = new Float32Array(2).fill(Number.NaN),
      zeros = new Float32Array(2).fill(Number.NaN);
    expect(quantize(x, 1, 16, 1, 8, 4, words, scales, zeros)).toBeUndefined();
    expect([...zeros]).toEqual([0, 8]);
    expect(
      unpackCodes(words, 4, 16).every(
        (q, i) =>
          q === (i % 8) * 2 + (i % 8 === 7 ? 1 : 0) || Math.abs(q - (i % 8) * (15 / 7)) <= 0.5,
      ),
    ).toBe(true);
    expect(() => quantize(x, 1, 16, 1, 8, 3, words, scales, zeros)).toThrow(
      /bits must be 2, 4 or 8/,
    );
    expect(() => quantize(x, 1, 16, 1, 5, 4, words, scales, zeros)).toThrow(/does not divide/);
    expect(() => quantize(x, 1, 16, 1, 8, 2, words.subarray(1), scales, zeros)).toThrow(
      /argument words .*too short/,
    );
    expect(() => quantize(x, 1, 16, 1, 8, 4, words, new Uint16Array(2), zeros)).toThrow(TypeError);
    expect(() => packCodes([1, 2], 3 as never)).toThrow(ValueError);
    expect(() => unpackCodes(new Uint32Array(1), 16 as never, 2)).toThrow(ValueError);
    expect(() => groupQuantize(x, [16], "u3" as never, { groupSize: 8 })).toThrow(ValueError);
    expect(() => dequantize({ format: "u4" } as unknown as QTensor)).toThrow(DTypeError);
    expect(() => dequantize(null as unknown as QTensor)).toThrow(DTypeError);
  });
});
