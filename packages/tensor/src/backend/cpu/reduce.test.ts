import { describe, expect, it } from "vitest";
import { type ReduceKernel, ReduceOp, type ReduceOpName } from "../kernels.js";
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
  TAILS,
  view,
} from "./testkit.js";

// f64 reference of one [len] column; NaN wins max/min and the arg ops (first occurrence).
function column(op: ReduceOpName, xs: number[]): { value: number; mag: number } {
  const mag = xs.reduce((s, v) => s + Math.abs(op === "sumsq" ? v * v : v), 0);
  const firstNaN = xs.findIndex(Number.isNaN);
  switch (op) {
    case "sum":
      return { value: xs.reduce((s, v) => s + v, 0), mag };
    case "sumsq":
      return { value: xs.reduce((s, v) => s + v * v, 0), mag };
    case "max":
      return { value: firstNaN >= 0 ? Number.NaN : Math.max(...xs), mag: 0 };
    case "min":
      return { value: firstNaN >= 0 ? Number.NaN : Math.min(...xs), mag: 0 };
    case "argmax":
      return { value: firstNaN >= 0 ? firstNaN : xs.indexOf(Math.max(...xs)), mag: 0 };
    case "argmin":
      return { value: firstNaN >= 0 ? firstNaN : xs.indexOf(Math.min(...xs)), mag: 0 };
    case "logsumexp": {
      const m = Math.max(...xs);
      return {
        value: m + Math.log(xs.reduce((s, v) => s + Math.exp(v - m), 0)),
        mag: Math.abs(m) + 1,
      };
    }
  }
}

describe.skipIf(skipNative)("cpu reduce", () => {
  it("matches f64 references for every op over [outer, len, inner] layouts", () => {
    const reduce = cpuKernel<ReduceKernel>("reduce");
    const r = rng(4);
    forEachConfig((cfg) => {
      for (let t = 0; t < 12; t++) {
        const outer = int(r, 1, 4),
          len = pick(r, [...TAILS, 1000]),
          inner = pick(r, [1, 1, 3, 64, 67]);
        const withNaN = t === 0;
        const x = view(r, outer * len * inner, normal(r));
        if (withNaN) x[int(r, 0, x.length - 1)] = Number.NaN;
        for (const [name, op] of Object.entries(ReduceOp) as [ReduceOpName, number][]) {
          const isArg = name === "argmax" || name === "argmin";
          const out = isArg
            ? new Int32Array(outer * inner + 3).subarray(3)
            : view(r, outer * inner, () => Number.NaN);
          reduce(op, x, out, outer, len, inner);
          const ref = new Float64Array(outer * inner),
            mag = new Float64Array(outer * inner);
          for (let o = 0; o < outer; o++)
            for (let j = 0; j < inner; j++) {
              const xs = Array.from({ length: len }, (_, p) => x[(o * len + p) * inner + j]!);
              const c = column(name, xs);
              ref[o * inner + j] = c.value;
              mag[o * inner + j] = c.mag;
            }
          const rtol = isArg || name === "max" || name === "min" ? 0 : 4 * EPS;
          expectClose(`${cfg} ${name} [${outer},${len},${inner}]`, out, ref, rtol, 1e-30, mag);
        }
      }
    });
  });

  it("handles empty sums and rejects bad sizes", () => {
    const reduce = cpuKernel<ReduceKernel>("reduce");
    const out = new Float32Array(2).fill(7);
    reduce(ReduceOp.sum, new Float32Array(0), out, 2, 0, 1);
    expect([...out]).toEqual([0, 0]);
    reduce(ReduceOp.logsumexp, new Float32Array(0), out, 2, 0, 1);
    expect([...out]).toEqual([Number.NEGATIVE_INFINITY, Number.NEGATIVE_INFINITY]);
    expect(() => reduce(ReduceOp.max, new Float32Array(0), out, 2, 0, 1)).toThrow(
      /len must be > 0/,
    );
    expect(() => reduce(ReduceOp.sum, new Float32Array(5), out, 2, 3, 1)).toThrow(
      /argument x .*too short/,
    );
    expect(() => reduce(ReduceOp.sum, new Float32Array(6), new Float32Array(1), 2, 3, 1)).toThrow(
      /argument out/,
    );
    expect(() =>
      reduce(ReduceOp.argmax, new Float32Array(6), new Float32Array(2), 2, 3, 1),
    ).toThrow(TypeError);
    expect(() => reduce(7, new Float32Array(6), out, 2, 3, 1)).toThrow(/argument op/);
  });
});
