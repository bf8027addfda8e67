import { describe, expect, it } from "vitest";
import { gradcheck } from "../autograd/gradcheck.js";
import { withBackend } from "../backend/registry.js";
import { DTypeError, IndexError, ShapeError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { crossEntropy } from "./loss.js";
import { expectClose, hasNative, rnd } from "./nn-testkit.js";

const i32 = (values: number[], shape = [values.length]) => Tensor.from(values, shape, "i32");

/** Test-local oracle: -log(exp(x_t) / sum exp(x)) per row, NaN-free for moderate logits. */
function naiveNll(logits: number[], vocab: number, targets: number[]): number[] {
  return targets.map((t, r) => {
    const row = logits.slice(r * vocab, (r + 1) * vocab);
    return -Math.log(Math.exp(row[t]!) / row.reduce((s, v) => s + Math.exp(v), 0));
  });
}

describe("crossEntropy", () => {
  it("equals -log softmax at the target, with PyTorch's reductions", () => {
    const logits = rnd([4, 5], 1);
    const t = [2, 0, 4, 1];
    const nll = naiveNll(logits.toArray(), 5, t);
    const none = crossEntropy(logits, i32(t), { reduction: "none" });
    expect(none.shape).toEqual([4]);
    expectClose(none.toArray(), nll, 1e-14);
    const sum = nll.reduce((a, b) => a + b, 0);
    expect(crossEntropy(logits, i32(t), { reduction: "sum" }).item()).toBeCloseTo(sum, 13);
    const mean = crossEntropy(logits, i32(t));
    expect(mean.shape).toEqual([]);
    expect(mean.item()).toBeCloseTo(sum / 4, 13);
  });

  it("gives log(V) for uniform logits", () => {
    expect(crossEntropy(Tensor.from([0, 0, 0, 0], [1, 4]), i32([3])).item()).toBeCloseTo(
      Math.log(4),
      6,
    );
  });

  it("averages over non-ignored targets only", () => {
    const logits = rnd([3, 4], 2);
    const nll = naiveNll(logits.toArray(), 4, [1, 0, 3]);
    const loss = crossEntropy(logits, i32([1, -100, 3]));
    expect(loss.item()).toBeCloseTo((nll[0]! + nll[2]!) / 2, 13);
    const none = crossEntropy(logits, i32([1, 7, 3]), {
      ignoreIndex: 7,
      reduction: "none",
    }).toArray();
    expect(none[1]).toBe(0);
    expect(crossEntropy(logits, i32([-100, -100, -100])).item()).toBeNaN();
  });

  it("accepts leading axes [..., V] with targets [...]", () => {
    const logits = rnd([2, 3, 4], 3);
    const t = [0, 1, 2, 3, 2, 1];
    const loss = crossEntropy(logits, i32(t, [2, 3]), { reduction: "none" });
    expect(loss.shape).toEqual([2, 3]);
    expectClose(loss.toArray(), naiveNll(logits.toArray(), 4, t), 1e-14);
  });

  it("raises typed errors", () => {
    const logits = rnd([2, 3], 1);
    expect(() => crossEntropy(logits, i32([0, 3]))).toThrow(IndexError);
    expect(() => crossEntropy(logits, i32([-1, 0]))).toThrow(IndexError);
    expect(() => crossEntropy(logits, Tensor.from([0, 1], [2], "f32"))).toThrow(DTypeError);
    expect(() => crossEntropy(logits, i32([0, 1, 2]))).toThrow(ShapeError);
    expect(() => crossEntropy(logits, i32([0, 1, 2]))).toThrow(/\[2, 3\].*\[3\]/);
  });

  it("has finite-difference gradients for every reduction", () => {
    const t = i32([2, -100, 0, 3]);
    for (const reduction of ["mean", "sum", "none"] as const) {
      gradcheck((x) => crossEntropy(x, t, { reduction }), [rnd([4, 5], 4)]);
    }
  });

  it("keeps the logits dtype", () => {
    for (const dtype of ["f32", "f16", "bf16"] as const) {
      const x = rnd([3, 6], 5, dtype);
      const loss = crossEntropy(x, i32([1, 2, 5]));
      expect(loss.dtype).toBe(dtype);
      const ref = crossEntropy(Tensor.from(x.toArray(), x.shape, "f64"), i32([1, 2, 5])).item();
      expect(Math.abs(loss.item() - ref)).toBeLessThan(dtype === "f32" ? 1e-6 : 2e-2);
    }
  });
});

describe.skipIf(!hasNative("softmax"))("crossEntropy native vs js", () => {
  it("agrees on odd vocabulary sizes", () => {
    for (const v of [1, 7, 129, 1000]) {
      const x = rnd([5, v], v, "f32", 3);
      const t = i32([0, v - 1, -100, Math.floor(v / 2), 0]);
      const fn = () => crossEntropy(x, t, { reduction: "none" });
      expectClose(withBackend("cpu", fn).toArray(), withBackend("js", fn).toArray(), 1e-5, 1e-5);
    }
  });
});
