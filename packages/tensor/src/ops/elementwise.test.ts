import { describe, expect, it } from "vitest";
import { gradcheck } from "../autograd/gradcheck.js";
import { ShapeError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { cast } from "./cast.js";
import { arange } from "./creation.js";
import * as E from "./elementwise.js";
import { rand, randn } from "./random.js";

function close(actual: Tensor, expected: number[], tol = 1e-6): void {
  const a = actual.toArray();
  expect(a.length).toBe(expected.length);
  a.forEach((v, i) => {
    const e = expected[i]!;
    if (Number.isNaN(e)) expect(v).toBeNaN();
    else expect(Math.abs(v - e)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(e)));
  });
}

describe("binary ops", () => {
  it("broadcasts like numpy", () => {
    const col = Tensor.from([1, 2, 3], [3, 1]);
    const row = Tensor.from([10, 20], [2]);
    const s = E.add(col, row);
    expect(s.shape).toEqual([3, 2]);
    expect(s.toArray()).toEqual([11, 21, 12, 22, 13, 23]);
    const a = arange(24, undefined, 1, "f32").reshape([2, 3, 4]);
    const b = Tensor.from([1, 2, 3], [3, 1]);
    expect(E.mul(a, b).shape).toEqual([2, 3, 4]);
    expect(E.mul(a, b).toArray()[5]).toBe(10);
    expect(E.sub(Tensor.from([5]), Tensor.from([1, 2, 3])).toArray()).toEqual([4, 3, 2]);
    expect(E.add(Tensor.from([1], [1, 1, 1]), Tensor.from([2, 3], [2])).shape).toEqual([1, 1, 2]);
    expect(() => E.add(Tensor.from([1, 2]), Tensor.from([1, 2, 3]))).toThrow(ShapeError);
  });

  it("works on strided and offset views", () => {
    const base = arange(12, undefined, 1, "f32").reshape([3, 4]);
    const t = base.transpose().slice(0, 1, 3); // [[1,5,9],[2,6,10]]
    expect(E.add(t, 100).toArray()).toEqual([101, 105, 109, 102, 106, 110]);
    expect(E.mul(t, t.slice(1, 0, 1)).toArray()).toEqual([1, 5, 9, 4, 12, 20]);
  });

  it("promotes dtypes", () => {
    const i = Tensor.from([1, 2], [2], "i32");
    expect(E.add(i, 1).dtype).toBe("i32");
    expect(E.add(i, 0.5).dtype).toBe("f32");
    expect(E.add(i, 0.5).toArray()).toEqual([1.5, 2.5]);
    expect(E.div(i, 2).dtype).toBe("f32");
    expect(E.div(i, 2).toArray()).toEqual([0.5, 1]);
    expect(E.add(cast(i, "f16"), Tensor.from([1, 1])).dtype).toBe("f32");
    expect(E.add(cast(i, "f16"), cast(i, "bf16")).dtype).toBe("f32");
    expect(E.mul(cast(i, "f16"), 3).dtype).toBe("f16");
    expect(E.add(Tensor.from([1], [1], "f64"), Tensor.from([1])).dtype).toBe("f64");
    expect(E.add(Tensor.from([1, 0], [2], "u8"), Tensor.from([-1, 1], [2], "i8")).dtype).toBe(
      "i32",
    );
    // f16 results round once from the exact value.
    expect(E.add(cast(Tensor.from([1]), "f16"), 2 ** -11).toArray()).toEqual([1]);
    expect(E.add(cast(Tensor.from([1]), "f16"), 2 ** -10).toArray()).toEqual([1 + 2 ** -10]);
  });

  it("computes pow, maximum, minimum with NaN propagation", () => {
    close(E.pow(Tensor.from([2, 9, 4]), Tensor.from([3, 0.5, -1])), [8, 3, 0.25]);
    expect(E.maximum(Tensor.from([1, NaN, 3]), Tensor.from([2, 0, NaN])).toArray()).toEqual([
      2,
      NaN,
      NaN,
    ]);
    expect(E.minimum(Tensor.from([1, 4]), 2).toArray()).toEqual([1, 2]);
  });

  it("compares into bool", () => {
    const x = Tensor.from([1, 2, 3, NaN]);
    expect(E.eq(x, 2).dtype).toBe("bool");
    expect(E.eq(x, 2).toArray()).toEqual([0, 1, 0, 0]);
    expect(E.ne(x, 2).toArray()).toEqual([1, 0, 1, 1]);
    expect(E.lt(x, 2).toArray()).toEqual([1, 0, 0, 0]);
    expect(E.le(x, 2).toArray()).toEqual([1, 1, 0, 0]);
    expect(E.gt(x, 2).toArray()).toEqual([0, 0, 1, 0]);
    expect(E.ge(x, 2).toArray()).toEqual([0, 1, 1, 0]);
    expect(E.lt(2, x).toArray()).toEqual([0, 0, 1, 0]);
  });

  it("has correct gradients, reduced over broadcast axes", () => {
    const a = randn([3, 1, 4], { seed: 1 });
    const b = randn([2, 4], { seed: 2 });
    const pos = E.add(rand([3, 1, 4], { seed: 3 }), 0.5);
    const pos2 = E.add(rand([2, 4], { seed: 4 }), 0.5);
    gradcheck((x, y) => E.add(x!, y!), [a, b]);
    gradcheck((x, y) => E.sub(x!, y!), [a, b]);
    gradcheck((x, y) => E.mul(x!, y!), [a, b]);
    gradcheck((x, y) => E.div(x!, y!), [a, pos2]);
    gradcheck((x, y) => E.pow(x!, y!), [pos, b]);
    gradcheck((x, y) => E.maximum(x!, y!), [a, b]);
    gradcheck((x, y) => E.minimum(x!, y!), [a, b]);
    gradcheck((x) => E.sub(1, E.div(x!, 3)), [a]);
    gradcheck((x) => E.pow(2, x!), [a]);
  });
});

describe("unary ops", () => {
  const x = Tensor.from([-2, -0.5, 0.25, 3]);
  it("match closed forms", () => {
    const v = [-2, -0.5, 0.25, 3];
    close(
      E.neg(x),
      v.map((a) => -a),
    );
    close(E.abs(x), v.map(Math.abs));
    close(E.exp(x), v.map(Math.exp));
    close(
      E.log(E.abs(x)),
      v.map((a) => Math.log(Math.abs(a))),
    );
    close(
      E.sqrt(E.abs(x)),
      v.map((a) => Math.sqrt(Math.abs(a))),
    );
    close(
      E.rsqrt(E.abs(x)),
      v.map((a) => 1 / Math.sqrt(Math.abs(a))),
    );
    close(E.sin(x), v.map(Math.sin));
    close(E.cos(x), v.map(Math.cos));
    close(E.tanh(x), v.map(Math.tanh));
    close(
      E.sigmoid(x),
      v.map((a) => 1 / (1 + Math.exp(-a))),
    );
    close(E.relu(x), [0, 0, 0.25, 3]);
    close(
      E.square(x),
      v.map((a) => a * a),
    );
    close(
      E.reciprocal(x),
      v.map((a) => 1 / a),
    );
    close(E.sign(x), [-1, -1, 1, 1]);
    close(E.clamp(x, -1, 1), [-1, -0.5, 0.25, 1]);
    close(E.sigmoid(Tensor.from([-800, 800])), [0, 1]);
  });

  it("keeps integer dtypes where the result is integral", () => {
    const i = Tensor.from([-2, 3], [2], "i32");
    expect(E.neg(i).dtype).toBe("i32");
    expect(E.abs(i).toArray()).toEqual([2, 3]);
    expect(E.exp(i).dtype).toBe("f32");
    expect(E.clamp(i, 0, 1).dtype).toBe("i32");
  });

  it("has correct gradients", () => {
    const a = randn([2, 3, 5], { seed: 5 });
    const p = E.add(rand([2, 3, 5], { seed: 6 }), 0.2);
    for (const f of [E.neg, E.exp, E.sin, E.cos, E.tanh, E.sigmoid, E.square, E.abs, E.relu]) {
      gradcheck((x) => f(x!), [a]);
    }
    for (const f of [E.log, E.sqrt, E.rsqrt, E.reciprocal]) gradcheck((x) => f(x!), [p]);
    gradcheck((x) => E.clamp(x!, -0.5, 0.5), [a]);
    gradcheck((x) => E.exp(x!.transpose(0, 2)), [a]);
  });
});
