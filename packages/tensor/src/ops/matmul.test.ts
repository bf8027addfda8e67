import { describe, expect, it } from "vitest";
import { gradcheck } from "../autograd/gradcheck.js";
import { withBackend } from "../backend/registry.js";
import type { DType } from "../dtype.js";
import { DTypeError, ShapeError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { linear, matmul } from "./matmul.js";
import { expectClose, hasNative, rnd } from "./nn-testkit.js";

/** Test-local oracle: explicit index arithmetic over logical values, batch axes broadcast. */
function naiveMatmul(a: Tensor, b: Tensor): { values: number[]; shape: number[] } {
  const av = a.toArray();
  const bv = b.toArray();
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.ndim - 1]!;
  const ab = a.shape.slice(0, -2);
  const bb = b.shape.slice(0, -2);
  const nb = Math.max(ab.length, bb.length);
  const pa = [...Array(nb - ab.length).fill(1), ...ab];
  const pb = [...Array(nb - bb.length).fill(1), ...bb];
  const batch = pa.map((d, i) => Math.max(d, pb[i]!));
  const count = batch.reduce((p, d) => p * d, 1);
  const values: number[] = [];
  for (let f = 0; f < count; f++) {
    // Decompose f into a batch index, then clamp broadcast axes to 0 for each operand.
    let rest = f;
    const idx = batch.map(() => 0);
    for (let ax = nb - 1; ax >= 0; ax--) {
      idx[ax] = rest % batch[ax]!;
      rest = Math.floor(rest / batch[ax]!);
    }
    const flat = (shape: number[]) =>
      idx.reduce((o, i, ax) => o * shape[ax]! + (shape[ax] === 1 ? 0 : i), 0);
    const ao = flat(pa) * m * k;
    const bo = flat(pb) * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += av[ao + i * k + p]! * bv[bo + p * n + j]!;
        values.push(s);
      }
    }
  }
  return { values, shape: [...batch, m, n] };
}

const TOL: Record<string, number> = { f64: 1e-12, f32: 1e-5, f16: 2e-3, bf16: 1.6e-2 };

describe("matmul", () => {
  it("multiplies small matrices and vectors exactly", () => {
    const a = Tensor.from([1, 2, 3, 4], [2, 2]);
    const b = Tensor.from([5, 6, 7, 8], [2, 2]);
    expect(matmul(a, b).toArray()).toEqual([19, 22, 43, 50]);
    const v = Tensor.from([1, -1], [2]);
    expect(matmul(v, b).shape).toEqual([2]);
    expect(matmul(v, b).toArray()).toEqual([-2, -2]);
    expect(matmul(a, v).toArray()).toEqual([-1, -1]);
    const dot = matmul(v, Tensor.from([3, 4], [2]));
    expect(dot.shape).toEqual([]);
    expect(dot.item()).toBe(-1);
    expect(matmul(a, b, { transA: true }).toArray()).toEqual([26, 30, 38, 44]);
    expect(matmul(a, b, { transB: true }).toArray()).toEqual([17, 23, 39, 53]);
  });

  it.each(["f64", "f32", "f16", "bf16"] as DType[])(
    "matches the naive oracle on broadcast batches (%s)",
    (dtype) => {
      const cases: [number[], number[]][] = [
        [
          [3, 5],
          [5, 7],
        ],
        [
          [2, 1, 3, 4],
          [5, 4, 2],
        ],
        [
          [4, 3, 6],
          [1, 6, 5],
        ],
        [
          [1, 9, 17],
          [2, 1, 17, 3],
        ],
      ];
      cases.forEach(([sa, sb], c) => {
        const a = rnd(sa, 10 + c, dtype);
        const b = rnd(sb, 20 + c, dtype);
        const got = matmul(a, b);
        const want = naiveMatmul(a, b);
        expect(got.dtype).toBe(dtype);
        expect(got.shape).toEqual(want.shape);
        expectClose(got.toArray(), want.values, TOL[dtype]! * 4, TOL[dtype]!);
      });
    },
  );

  it("handles transposed views and trans flags without changing results", () => {
    const a = rnd([2, 6, 4], 1);
    const b = rnd([2, 5, 6], 2);
    const want = naiveMatmul(
      a.transpose(-1, -2).contiguous(),
      b.transpose(-1, -2).contiguous(),
    ).values;
    expectClose(matmul(a, b, { transA: true, transB: true }).toArray(), want, 1e-12);
    expectClose(matmul(a.transpose(-1, -2), b.transpose(-1, -2)).toArray(), want, 1e-12);
    const strided = rnd([4, 12], 3).slice(1, 0, 12, 2); // [4, 6] with column stride 2
    const c = rnd([6, 3], 4);
    expectClose(matmul(strided, c).toArray(), naiveMatmul(strided.contiguous(), c).values, 1e-12);
  });

  it("handles empty dimensions", () => {
    expect(matmul(rnd([3, 0], 1), rnd([0, 2], 2)).toArray()).toEqual([0, 0, 0, 0, 0, 0]);
    expect(matmul(rnd([0, 4], 1), rnd([4, 2], 2)).shape).toEqual([0, 2]);
  });

  it("raises typed errors naming both shapes", () => {
    expect(() => matmul(rnd([2, 3], 1), rnd([4, 2], 2))).toThrow(ShapeError);
    expect(() => matmul(rnd([2, 3], 1), rnd([4, 2], 2))).toThrow(/\[2, 3\] and \[4, 2\]/);
    expect(() => matmul(rnd([2, 2, 3], 1), rnd([3, 3, 2], 2))).toThrow(/do not broadcast/);
    expect(() => matmul(rnd([2, 3], 1, "f32"), rnd([3, 2], 2, "f64"))).toThrow(DTypeError);
    expect(() =>
      matmul(Tensor.from([1, 2], [1, 2], "i32"), Tensor.from([1, 2], [2, 1], "i32")),
    ).toThrow(DTypeError);
    expect(() => matmul(Tensor.from([1], [], "f32"), rnd([1, 1], 1, "f32"))).toThrow(ShapeError);
  });

  it("has finite-difference gradients (2-D, batched broadcast, vectors, trans flags)", () => {
    gradcheck((a, b) => matmul(a, b), [rnd([3, 4], 1), rnd([4, 2], 2)]);
    gradcheck((a, b) => matmul(a, b), [rnd([2, 1, 3, 4], 3), rnd([3, 4, 2], 4)]);
    gradcheck((a, b) => matmul(a, b), [rnd([4], 5), rnd([2, 4, 3], 6)]);
    gradcheck((a, b) => matmul(a, b), [rnd([2, 3, 4], 7), rnd([4], 8)]);
    gradcheck(
      (a, b) => matmul(a, b, { transA: true, transB: true }),
      [rnd([2, 4, 3], 9), rnd([5, 4], 10)],
    );
  });
});

describe("linear", () => {
  it("computes x W^T + b with weight [out, in]", () => {
    const x = Tensor.from([1, 2, 3], [1, 3]);
    const w = Tensor.from([1, 0, 0, 0, 1, 1], [2, 3]);
    const b = Tensor.from([10, 20], [2]);
    expect(linear(x, w, b).toArray()).toEqual([11, 25]);
    expect(linear(Tensor.from([1, 2, 3], [3]), w).toArray()).toEqual([1, 5]);
    expect(() => linear(rnd([2, 4], 1), rnd([2, 3], 2))).toThrow(ShapeError);
    expect(() => linear(rnd([2, 3], 1), rnd([2, 3], 2), rnd([3], 3))).toThrow(ShapeError);
  });

  it("has finite-difference gradients for x, weight and bias", () => {
    gradcheck((x, w, b) => linear(x, w, b), [rnd([2, 3, 4], 1), rnd([5, 4], 2), rnd([5], 3)]);
    gradcheck((x, w) => linear(x, w), [rnd([4], 4), rnd([3, 4], 5)]);
  });
});

function compareWithJs(): void {
  const shapes: [number[], number[], boolean, boolean][] = [
    [[1, 1], [1, 1], false, false],
    [[17, 33], [33, 19], false, false],
    [[3, 65, 7], [3, 7, 129], false, false],
    [[2, 1, 13, 31], [1, 3, 31, 5], false, false],
    [[5, 31, 13], [31, 9], true, false],
    [[6, 40], [2, 23, 40], false, true],
    [[2, 3, 9, 11], [11, 9], true, true],
  ];
  shapes.forEach(([sa, sb, ta, tb], c) => {
    const a = rnd(sa, 100 + c, "f32");
    const b = rnd(sb, 200 + c, "f32");
    const js = withBackend("js", () => matmul(a, b, { transA: ta, transB: tb }));
    const nat = withBackend("cpu", () => matmul(a, b, { transA: ta, transB: tb }));
    expect(nat.shape).toEqual(js.shape);
    expectClose(nat.toArray(), js.toArray(), 1e-4, 1e-4);
  });
  // Non-contiguous operands: a transposed view and a strided slice.
  const a = rnd([2, 24, 10], 7, "f32").transpose(-1, -2).slice(1, 1);
  const b = rnd([24, 6], 8, "f32");
  const js = withBackend("js", () => matmul(a, b));
  expectClose(withBackend("cpu", () => matmul(a, b)).toArray(), js.toArray(), 1e-4, 1e-4);
}

describe.skipIf(!hasNative("sgemm"))("matmul native sgemm vs js", () => {
  it("agrees on random shapes with odd tails, views and broadcast batches", compareWithJs);
});
