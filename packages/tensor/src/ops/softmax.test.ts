import { describe, expect, it } from "vitest";
import { gradcheck } from "../autograd/gradcheck.js";
import { withBackend } from "../backend/registry.js";
import type { DType } from "../dtype.js";
import { DTypeError, IndexError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { expectClose, hasNative, rnd } from "./nn-testkit.js";
import { logSoftmax, softmax } from "./softmax.js";

/** Test-local oracle: softmax of each row from the definition, without max subtraction. */
function naiveSoftmaxRows(values: number[], cols: number): number[] {
  const out: number[] = [];
  for (let o = 0; o < values.length; o += cols) {
    const e = values.slice(o, o + cols).map(Math.exp);
    const s = e.reduce((a, b) => a + b, 0);
    out.push(...e.map((x) => x / s));
  }
  return out;
}

describe("softmax / logSoftmax", () => {
  it("gives uniform probabilities for constant rows", () => {
    expectClose(softmax(Tensor.from([7, 7, 7, 7], [2, 2])).toArray(), [0.5, 0.5, 0.5, 0.5], 1e-7);
    expectClose(
      logSoftmax(Tensor.from([3, 3, 3], [3], "f64")).toArray(),
      [0, 0, 0].map(() => -Math.log(3)),
      1e-15,
    );
  });

  it("is stable for large logits", () => {
    const y = softmax(Tensor.from([1000, 1000 + Math.log(3)], [2], "f64")).toArray();
    expectClose(y, [0.25, 0.75], 1e-12);
    const ly = logSoftmax(Tensor.from([0, -1000], [2], "f64")).toArray();
    expectClose(ly, [0, -1000], 1e-12);
  });

  it.each(["f64", "f32", "f16", "bf16"] as DType[])(
    "matches the definition along any axis (%s)",
    (dtype) => {
      const tol = { f64: 1e-14, f32: 1e-6, f16: 1e-3, bf16: 8e-3 }[dtype as "f64"];
      const x = rnd([3, 4, 5], 1, dtype);
      for (const axis of [0, 1, 2, -1]) {
        const y = softmax(x, axis);
        expect(y.dtype).toBe(dtype);
        const ax = axis < 0 ? axis + 3 : axis;
        // Reference: move the axis last with an explicit permutation, then compute rows.
        const order = [0, 1, 2].filter((a) => a !== ax).concat(ax);
        const want = naiveSoftmaxRows(x.permute(order).contiguous().toArray(), x.shape[ax]!);
        expectClose(y.permute(order).contiguous().toArray(), want, tol, tol);
        const ly = logSoftmax(x, axis).permute(order).contiguous().toArray();
        expectClose(ly, want.map(Math.log), tol * 4, tol);
      }
    },
  );

  it("raises typed errors", () => {
    expect(() => softmax(Tensor.from([1, 2], [2], "i32"))).toThrow(DTypeError);
    expect(() => softmax(rnd([2, 3], 1), 2)).toThrow(IndexError);
  });

  it("has finite-difference gradients", () => {
    gradcheck((x) => softmax(x), [rnd([3, 5], 1)]);
    gradcheck((x) => softmax(x, 0), [rnd([4, 3], 2)]);
    gradcheck((x) => logSoftmax(x), [rnd([2, 6], 3)]);
    gradcheck((x) => logSoftmax(x, 1), [rnd([2, 3, 4], 4)]);
  });
});

describe.skipIf(!hasNative("softmax"))("softmax native vs js", () => {
  it("agrees on odd shapes and transposed views", () => {
    for (const [shape, axis] of [
      [[1, 1], -1],
      [[7, 33], -1],
      [[3, 5, 129], -1],
      [[17, 9], 0],
    ] as [number[], number][]) {
      const x = rnd(shape, shape.length * 31 + shape[0]!, "f32", 4);
      for (const fn of [softmax, logSoftmax]) {
        const js = withBackend("js", () => fn(x, axis));
        expectClose(withBackend("cpu", () => fn(x, axis)).toArray(), js.toArray(), 1e-5, 1e-5);
      }
    }
    const view = rnd([20, 11], 5, "f32").transpose(0, 1);
    const js = withBackend("js", () => softmax(view));
    expectClose(withBackend("cpu", () => softmax(view)).toArray(), js.toArray(), 1e-6, 1e-5);
  });
});
