import { describe, expect, it } from "vitest";
import { gradcheck } from "../autograd/gradcheck.js";
import { withBackend } from "../backend/registry.js";
import type { DType } from "../dtype.js";
import { ShapeError, ValueError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { expectClose, hasNative, rnd } from "./nn-testkit.js";
import { type RopeLayout, rope, ropeFrequencies } from "./rope.js";

const LAYOUTS: RopeLayout[] = ["rotate-half", "interleaved"];

describe("ropeFrequencies", () => {
  it("computes base^(-2i/dim)", () => {
    expectClose(ropeFrequencies({ dim: 4 }), [1, 0.01], 1e-17);
    expectClose(ropeFrequencies({ dim: 6, base: 8 }), [1, 0.5, 0.25], 1e-16);
  });

  it("applies linear scaling", () => {
    expectClose(
      ropeFrequencies({ dim: 4, scaling: { type: "linear", factor: 4 } }),
      [0.25, 0.0025],
      1e-17,
    );
  });

  it("applies Llama 3 scaling to hand-computed values", () => {
    // dim 8, base 5e5: wavelengths 2*pi/f = 6.28, 167.1, 4442.9, 118142; with an original context
    // of 8192, low factor 1 and high factor 4, the first two are short (< 2048, kept), the last is
    // long (> 8192, divided by 8) and the third is blended with t = (8192/4442.88 - 1) / 3.
    const freqs = ropeFrequencies({
      dim: 8,
      base: 500000,
      scaling: {
        type: "llama3",
        factor: 8,
        lowFreqFactor: 1,
        highFreqFactor: 4,
        originalMaxPositionEmbeddings: 8192,
      },
    });
    expectClose(
      freqs,
      [1, 0.03760603093086393, 0.0005248461609929547, 6.647869871181235e-6],
      1e-15,
      1e-12,
    );
  });

  it("rejects bad arguments", () => {
    expect(() => ropeFrequencies({ dim: 5 })).toThrow(ValueError);
    expect(() => ropeFrequencies({ dim: 4, base: 0 })).toThrow(ValueError);
    const bad = {
      type: "llama3",
      factor: 8,
      lowFreqFactor: 4,
      highFreqFactor: 1,
      originalMaxPositionEmbeddings: 8192,
    } as const;
    expect(() => ropeFrequencies({ dim: 4, scaling: bad })).toThrow(ValueError);
  });
});

describe("rope", () => {
  it("rotates pairs by position * frequency in both layouts", () => {
    const x = Tensor.from([1, 2, 3, 4], [1, 4], "f64");
    const freqs = [1, 0.5];
    const [c1, s1, c2, s2] = [Math.cos(3), Math.sin(3), Math.cos(1.5), Math.sin(1.5)];
    // rotate-half pairs (0, 2) and (1, 3); interleaved pairs (0, 1) and (2, 3).
    const half = rope(x, [3], freqs).toArray();
    expectClose(half, [1 * c1 - 3 * s1, 2 * c2 - 4 * s2, 3 * c1 + 1 * s1, 4 * c2 + 2 * s2], 1e-15);
    const inter = rope(x, [3], freqs, { layout: "interleaved" }).toArray();
    expectClose(inter, [1 * c1 - 2 * s1, 2 * c1 + 1 * s1, 3 * c2 - 4 * s2, 4 * c2 + 3 * s2], 1e-15);
    expectClose(rope(x, [0], freqs).toArray(), [1, 2, 3, 4], 0);
  });

  it.each(LAYOUTS)("preserves norms and makes q(m).k(n) depend only on m - n (%s)", (layout) => {
    const freqs = ropeFrequencies({ dim: 8, base: 100 });
    const q = rnd([1, 1, 1, 8], 1);
    const k = rnd([1, 1, 1, 8], 2);
    const dotAt = (m: number, n: number) => {
      const a = rope(q, [m], freqs, { layout }).toArray();
      const b = rope(k, [n], freqs, { layout }).toArray();
      return a.reduce((s, v, i) => s + v * b[i]!, 0);
    };
    for (const [m, n, shift] of [
      [5, 2, 7],
      [0, 9, 3],
      [100, 40, 1000],
    ]) {
      expect(dotAt(m!, n!)).toBeCloseTo(dotAt(m! + shift!, n! + shift!), 10);
    }
    const x = rnd([2, 3, 5, 8], 3);
    const y = rope(x, [0, 1, 2, 3, 4], freqs, { layout }).toArray();
    const xv = x.toArray();
    for (let o = 0; o < xv.length; o += 8) {
      const nx = Math.hypot(...xv.slice(o, o + 8));
      expect(Math.hypot(...y.slice(o, o + 8))).toBeCloseTo(nx, 12);
    }
  });

  it("takes per-batch positions [batch, seq] on [batch, heads, seq, dim]", () => {
    const freqs = ropeFrequencies({ dim: 4 });
    const x = rnd([2, 3, 2, 4], 4);
    const y = rope(x, Tensor.from([5, 6, 0, 9], [2, 2], "i32"), freqs);
    expectClose(y.select(0, 0).toArray(), rope(x.select(0, 0), [5, 6], freqs).toArray(), 1e-15);
    expectClose(y.select(0, 1).toArray(), rope(x.select(0, 1), [0, 9], freqs).toArray(), 1e-15);
  });

  it.each(["f32", "f16", "bf16"] as DType[])("keeps the dtype and matches f64 (%s)", (dtype) => {
    const freqs = ropeFrequencies({ dim: 16 });
    const x = rnd([2, 4, 16], 5, dtype);
    const y = rope(x, [0, 1, 2, 3], freqs);
    expect(y.dtype).toBe(dtype);
    const tol = { f32: 1e-6, f16: 2e-3, bf16: 1.6e-2 }[dtype as "f32"];
    expectClose(
      y.toArray(),
      rope(Tensor.from(x.toArray(), x.shape, "f64"), [0, 1, 2, 3], freqs).toArray(),
      tol * 4,
      tol,
    );
  });

  it("raises ShapeError on mismatched shapes", () => {
    const freqs = ropeFrequencies({ dim: 8 });
    expect(() => rope(rnd([2, 6], 1), [0, 1], freqs)).toThrow(ShapeError);
    expect(() => rope(rnd([2, 8], 1), [0, 1, 2], freqs)).toThrow(/positions \[3\]/);
    expect(() =>
      rope(rnd([2, 1, 2, 8], 1), Tensor.from([0, 1, 2, 3, 4, 5], [3, 2]), freqs),
    ).toThrow(ShapeError);
  });

  it.each(LAYOUTS)("has finite-difference gradients (%s)", (layout) => {
    const freqs = ropeFrequencies({ dim: 6, base: 50 });
    gradcheck((x) => rope(x, [2, 7, 11], freqs, { layout }), [rnd([2, 3, 6], 1)]);
  });
});

describe.skipIf(!hasNative("rope"))("rope native vs js", () => {
  it.each(LAYOUTS)("agrees on odd shapes, batched positions and views (%s)", (layout) => {
    for (const [b, h, s, d] of [
      [1, 1, 1, 2],
      [2, 3, 7, 10],
      [1, 5, 33, 64],
      [3, 2, 5, 130],
    ] as number[][]) {
      const freqs = ropeFrequencies({ dim: d!, base: 10000 });
      const x = rnd([b!, h!, s!, d!], s! + d!, "f32");
      const pos = Tensor.from(
        Array.from({ length: b! * s! }, (_, i) => (i * 37) % 101),
        [b!, s!],
        "i32",
      );
      const fn = () => rope(x, pos, freqs, { layout });
      expectClose(withBackend("cpu", fn).toArray(), withBackend("js", fn).toArray(), 1e-5, 1e-5);
      const view = rnd([b!, s!, h!, d!], 3, "f32").transpose(1, 2);
      const fv = () => rope(view, pos, freqs, { layout });
      expectClose(withBackend("cpu", fv).toArray(), withBackend("js", fv).toArray(), 1e-5, 1e-5);
    }
  });
});
