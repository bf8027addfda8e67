import { describe, expect, it } from "vitest";
import { DTypeError, ShapeError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { adamwUpdate } from "./optim.js";

const coefficients = (t: number, lr: number, decay: number) => ({
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
  shrink: 1 - lr * decay,
  stepSize: lr / (1 - 0.9 ** t),
  sqrtBias2: Math.sqrt(1 - 0.999 ** t),
});

describe("adamwUpdate", () => {
  it("moves each weight by lr against the gradient's sign on the first step (closed form)", () => {
    // At t = 1, m̂ = g and √v̂ = |g|, so θ ← θ(1 − lr·λ) − lr·g / (|g| + ε).
    const p = Tensor.from([1, -2, 0.5]);
    const g = Tensor.from([0.5, -3, 0]);
    const m = Tensor.from([0, 0, 0]);
    const v = Tensor.from([0, 0, 0]);
    adamwUpdate(p, g, m, v, coefficients(1, 0.1, 0.1));
    const want = [1 * 0.99 - 0.1, -2 * 0.99 + 0.1, 0.5 * 0.99];
    const near = (got: number[], want: number[], digits: number) => {
      for (const [i, x] of got.entries()) expect(x).toBeCloseTo(want[i]!, digits);
    };
    near(p.toArray(), want, 6);
    near(m.toArray(), [0.05, -0.3, 0], 7);
    near(v.toArray(), [0.00025, 0.009, 0], 9);
  });

  it("follows the constant-gradient closed form over many steps", () => {
    // With a constant g, m̂ = g and v̂ = g² at every t: each step subtracts lr·g/(|g| + ε).
    const p = Tensor.from([3]);
    const [m, v] = [Tensor.from([0]), Tensor.from([0])];
    for (let t = 1; t <= 20; t++) adamwUpdate(p, Tensor.from([2]), m, v, coefficients(t, 0.01, 0));
    expect(p.item()).toBeCloseTo(3 - 20 * 0.01, 5);
  });

  it("rejects other dtypes, mismatched sizes and strided views without writing anything", () => {
    const p = Tensor.from([1, 2, 3, 4], [2, 2]);
    const z = () => Tensor.from([0, 0, 0, 0], [2, 2]);
    const c = coefficients(1, 0.1, 0);
    expect(() => adamwUpdate(p, Tensor.from([1, 2, 3, 4], [2, 2], "f64"), z(), z(), c)).toThrow(
      DTypeError,
    );
    expect(() => adamwUpdate(p, Tensor.from([1, 2, 3]), z(), z(), c)).toThrow(ShapeError);
    expect(() => adamwUpdate(p, z().transpose(0, 1), z(), z(), c)).toThrow(ShapeError);
    expect(p.toArray()).toEqual([1, 2, 3, 4]);
  });
});
