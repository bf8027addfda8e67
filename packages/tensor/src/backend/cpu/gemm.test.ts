import { describe, expect, it } from "vitest";
import type { SgemmKernel } from "../kernels.js";
import {
  cpuKernel,
  EPS,
  expectClose,
  forEachConfig,
  int,
  pick,
  rng,
  skipNative,
  TAILS,
  uniform,
  view,
} from "./testkit.js";

// f64 reference and the per-element bound sum_p |a_ip b_pj| (rounding error scales with it).
function reference(
  a: Float32Array,
  b: Float32Array,
  m: number,
  n: number,
  k: number,
  tA: boolean,
  tB: boolean,
) {
  const c = new Float64Array(m * n),
    mag = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0,
        t = 0;
      for (let p = 0; p < k; p++) {
        const x = (tA ? a[p * m + i]! : a[i * k + p]!) * (tB ? b[j * k + p]! : b[p * n + j]!);
        s += x;
        t += Math.abs(x);
      }
      c[i * n + j] = s;
      mag[i * n + j] = t;
    }
  return { c, mag };
}

describe.skipIf(skipNative)("cpu sgemm", () => {
  it("matches an f64 reference over shapes, transposes, batches, ISAs and threads", () => {
    const sgemm = cpuKernel<SgemmKernel>("sgemm");
    const r = rng(1);
    const dims = [...TAILS, 96, 101, 130];
    const cases: [number, number, number][] = [
      [1, 1, 1],
      [2, 67, 300],
      [7, 4100, 3],
      [101, 37, 257],
      [1, 1536, 64],
    ];
    for (let t = 0; t < 14; t++) cases.push([pick(r, dims), pick(r, dims), pick(r, dims)]);
    forEachConfig((cfg) => {
      for (const [m, n, k] of cases) {
        const tA = r() < 0.5,
          tB = r() < 0.5,
          batch = int(r, 1, 3),
          shareB = r() < 0.3;
        const sA = m * k,
          sB = shareB ? 0 : k * n,
          sC = m * n;
        const a = view(r, (batch - 1) * sA + m * k, uniform(r));
        const b = view(r, (batch - 1) * sB + k * n, uniform(r));
        const c = view(r, batch * sC, () => Number.NaN);
        sgemm(a, b, c, m, n, k, tA, tB, batch, sA, sB, sC);
        for (let bi = 0; bi < batch; bi++) {
          const ref = reference(a.subarray(bi * sA), b.subarray(bi * sB), m, n, k, tA, tB);
          const label = `${cfg} ${m}x${n}x${k} tA=${tA} tB=${tB} batch ${bi}`;
          expectClose(label, c.subarray(bi * sC, (bi + 1) * sC), ref.c, k * EPS, 1e-30, ref.mag);
        }
      }
    });
  });

  it("writes zeros when k = 0 and nothing when m or n is 0", () => {
    const sgemm = cpuKernel<SgemmKernel>("sgemm");
    const c = new Float32Array(6).fill(5);
    sgemm(new Float32Array(0), new Float32Array(0), c, 2, 3, 0, false, false, 1, 0, 0, 6);
    expect([...c]).toEqual([0, 0, 0, 0, 0, 0]);
    const d = new Float32Array(2).fill(5);
    sgemm(new Float32Array(4), new Float32Array(0), d, 2, 0, 2, false, false, 1, 4, 0, 0);
    expect([...d]).toEqual([5, 5]);
  });

  it("rejects short arrays, wrong types and bad sizes, naming the argument", () => {
    const sgemm = cpuKernel<SgemmKernel>("sgemm");
    const f = (n: number) => new Float32Array(n);
    expect(() => sgemm(f(5), f(6), f(4), 2, 2, 3, false, false, 1, 6, 6, 4)).toThrow(
      /argument a .*too short/,
    );
    expect(() => sgemm(f(6), f(6), f(3), 2, 2, 3, false, false, 1, 6, 6, 4)).toThrow(RangeError);
    expect(() => sgemm(f(12), f(6), f(8), 2, 2, 3, false, false, 2, 6, 0, 4)).not.toThrow();
    expect(() => sgemm(f(12), f(6), f(7), 2, 2, 3, false, false, 2, 6, 0, 4)).toThrow(/argument c/);
    expect(() =>
      sgemm(new Float64Array(6) as never, f(6), f(4), 2, 2, 3, false, false, 1, 6, 6, 4),
    ).toThrow(TypeError);
    expect(() => sgemm(f(6), f(6), f(4), -1, 2, 3, false, false, 1, 6, 6, 4)).toThrow(/argument m/);
    expect(() => sgemm(f(6), f(6), f(4), 2.5, 2, 3, false, false, 1, 6, 6, 4)).toThrow(RangeError);
  });
});
