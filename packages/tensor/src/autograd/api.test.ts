import { describe, expect, it } from "vitest";
import { DTypeError, IndexError, ShapeError, ValueError } from "../errors.js";
import { cast } from "../ops/cast.js";
import {
  arange,
  eye,
  full,
  linspace,
  ones,
  onesLike,
  scalar,
  zeros,
  zerosLike,
} from "../ops/creation.js";
import { add, exp, mul, square, tanh } from "../ops/elementwise.js";
import { randn } from "../ops/random.js";
import { max, sum } from "../ops/reduce.js";
import { Tensor } from "../tensor.js";
import { customOp, grad, valueAndGrad } from "./api.js";
import { GradcheckError, gradcheck } from "./gradcheck.js";
import { isRecording, noGrad, savedBytes } from "./tape.js";

describe("grad / valueAndGrad", () => {
  it("differentiates with respect to chosen arguments", () => {
    const f = (w: Tensor, x: Tensor) => sum(mul(w, x));
    const w = Tensor.from([1, 2]);
    const x = Tensor.from([3, 4]);
    expect(grad(f)(w, x).toArray()).toEqual([3, 4]);
    expect(grad(f, 1)(w, x).toArray()).toEqual([1, 2]);
    const [gw, gx] = grad(f, [0, 1])(w, x);
    expect(gw.toArray()).toEqual([3, 4]);
    expect(gx.toArray()).toEqual([1, 2]);
    const r = valueAndGrad(f, -1)(w, x);
    expect(r.value.item()).toBe(11);
    expect(r.grads.toArray()).toEqual([1, 2]);
    expect(() => grad(f, 2)(w, x)).toThrow(IndexError);
  });

  it("returns gradients in the structure of the arguments", () => {
    const params = {
      a: Tensor.from([1, 2]),
      layers: [Tensor.from([3]), Tensor.from([0, 1], [2], "i32")],
      name: "p",
    };
    const loss = (p: typeof params, x: Tensor) => sum(mul(add(mul(p.a, x), p.layers[0]!), 2));
    const g = grad(loss)(params, Tensor.from([5, 6]));
    expect(g.a.toArray()).toEqual([10, 12]);
    expect(g.layers[0]!.toArray()).toEqual([4]);
    expect(g.layers[1]).toBeUndefined(); // non-float input
    expect(g.name).toBeUndefined();
  });

  it("gives zeros for unused inputs and passes aux through", () => {
    const f = (a: Tensor, _b: Tensor) => ({ loss: sum(square(a)), aux: { note: 42 } });
    const r = valueAndGrad(f, [0, 1])(Tensor.from([3]), Tensor.from([1, 2], [2], "f16"));
    expect(r.grads[0].toArray()).toEqual([6]);
    expect(r.grads[1].toArray()).toEqual([0, 0]);
    expect(r.grads[1].dtype).toBe("f16");
    expect(r.aux.note).toBe(42);
  });

  it("accumulates when a tensor is used several times and keeps input dtypes", () => {
    const x = Tensor.from([2, 3], [2], "f16");
    const g = grad((t: Tensor) => sum(add(mul(t, t), cast(t, "f32"))))(x);
    expect(g.dtype).toBe("f16");
    expect(g.toArray()).toEqual([5, 7]);
  });

  it("records only inside grad and never under noGrad", () => {
    expect(isRecording()).toBe(false);
    const seen: boolean[] = [];
    grad((t: Tensor) => {
      seen.push(isRecording());
      noGrad(() => seen.push(isRecording()));
      return sum(t);
    })(Tensor.from([1]));
    expect(seen).toEqual([true, false]);
    const g = grad((t: Tensor) =>
      add(
        sum(t),
        noGrad(() => sum(mul(t, 100))),
      ),
    )(Tensor.from([1, 2]));
    expect(g.toArray()).toEqual([1, 1]);
  });

  it("rejects non-scalar and non-float losses", () => {
    expect(() => grad((t: Tensor) => mul(t, 2))(Tensor.from([1, 2]))).toThrow(ShapeError);
    expect(() => grad((t: Tensor) => cast(sum(t), "i32"))(Tensor.from([1, 2]))).toThrow(DTypeError);
  });

  it("shares the gradient evenly between tied maxima", () => {
    expect(grad((t: Tensor) => max(t))(Tensor.from([1, 3, 3])).toArray()).toEqual([0, 0.5, 0.5]);
  });
});

describe("view gradients", () => {
  const a = randn([2, 3, 4], { seed: 31 });
  it.each([
    ["reshape", (t: Tensor) => t.reshape([4, -1])],
    ["transpose", (t: Tensor) => t.transpose(0, 2)],
    ["permute", (t: Tensor) => t.permute([1, 2, 0])],
    ["slice", (t: Tensor) => t.slice(2, 1, 4, 2)],
    [
      "slice of transpose",
      (t: Tensor) => t.transpose(1, 2).slice(1, -3, undefined, 2).reshape([-1]),
    ],
    ["select", (t: Tensor) => t.select(1, -1)],
    ["expand", (t: Tensor) => t.slice(1, 0, 1).expand([5, 2, 3, 4])],
    ["squeeze", (t: Tensor) => t.slice(1, 1, 2).squeeze()],
    ["squeeze axis", (t: Tensor) => t.slice(1, 1, 2).squeeze(1)],
    ["unsqueeze", (t: Tensor) => t.unsqueeze(1).expand([2, 3, 3, 4])],
    ["contiguous", (t: Tensor) => t.transpose().contiguous()],
    ["clone", (t: Tensor) => mul(t.clone(), t)],
  ])("%s", (_name, f) => {
    gradcheck((t) => f(t!), [a]);
  });
});

describe("customOp", () => {
  const cube = customOp({
    name: "cube",
    forward: (x: Tensor) => mul(mul(x, x), x),
    save: ([x]) => [x],
    backward: (g, [x]) => [mul(g, mul(square(x!), 3))],
  });

  it("uses the given backward and counts what it saves", () => {
    const x = Tensor.from([1, 2, 3]);
    expect(cube(x).toArray()).toEqual([1, 8, 27]);
    let held = -1;
    const g = grad((t: Tensor) => {
      const y = cube(t);
      held = savedBytes();
      return sum(y);
    })(x);
    expect(g.toArray()).toEqual([3, 12, 27]);
    expect(held).toBe(12); // x only: the forward's intermediates were not recorded
    expect(savedBytes()).toBe(0);
    gradcheck((t) => cube(t!), [randn([4], { seed: 2 })]);
  });

  it("takes saved tensors from forward", () => {
    const expOp = customOp({
      forward: (x: Tensor) => {
        const y = exp(x);
        return { output: y, saved: [y] };
      },
      backward: (g, [y]) => [mul(g, y!)],
    });
    gradcheck((t) => expOp(t!), [randn([5], { seed: 3 })]);
  });

  it("validates what backward returns", () => {
    const bad = customOp({
      name: "bad",
      forward: (x: Tensor) => mul(x, 2),
      backward: (g) => [g, g],
    });
    expect(() => grad((t: Tensor) => sum(bad(t)))(Tensor.from([1]))).toThrow(ValueError);
    const badShape = customOp({
      name: "badShape",
      forward: (x: Tensor) => mul(x, 2),
      backward: () => [zeros([3])],
    });
    expect(() => grad((t: Tensor) => sum(badShape(t)))(Tensor.from([1]))).toThrow(/badShape/);
  });
});

describe("gradcheck", () => {
  it("fails on a wrong backward", () => {
    const wrong = customOp({ forward: (x: Tensor) => tanh(x), backward: (g) => [g] });
    expect(() => gradcheck((t) => wrong(t!), [randn([3], { seed: 1 })])).toThrow(GradcheckError);
  });
  it("reports what it compared", () => {
    const r = gradcheck(
      (t, u) => mul(t!, u!),
      [randn([2, 3], { seed: 1 }), randn([3], { seed: 2 })],
    );
    expect(r.checked).toBe(9);
    expect(r.maxAbsError).toBeLessThan(1e-8);
  });
});

describe("creation and cast", () => {
  it("creates filled tensors", () => {
    expect(zeros([2, 2]).toArray()).toEqual([0, 0, 0, 0]);
    expect(ones([2], "bf16").toArray()).toEqual([1, 1]);
    expect(full([3], 0.1, "f16").toArray()[0]).toBeCloseTo(0.1, 3);
    expect(scalar(5).shape).toEqual([]);
    expect(zerosLike(ones([2], "i32")).dtype).toBe("i32");
    expect(onesLike(zeros([1, 2])).shape).toEqual([1, 2]);
    expect(arange(4).toArray()).toEqual([0, 1, 2, 3]);
    expect(arange(4).dtype).toBe("i32");
    expect(arange(1, 2, 0.25).toArray()).toEqual([1, 1.25, 1.5, 1.75]);
    expect(arange(5, 0, -2).toArray()).toEqual([5, 3, 1]);
    expect(linspace(0, 1, 5).toArray()).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(eye(2, 3).toArray()).toEqual([1, 0, 0, 0, 1, 0]);
    expect(() => arange(0, 1, 0)).toThrow(ValueError);
    expect(() => zeros([-1])).toThrow(ShapeError);
  });

  it("casts with rounding and truncation, gradients through floats", () => {
    expect(cast(Tensor.from([1.7, -2.5]), "i32").toArray()).toEqual([1, -2]);
    expect(cast(Tensor.from([0, 2, -0.5]), "bool").toArray()).toEqual([0, 1, 1]);
    expect(cast(Tensor.from([1 + 2 ** -11]), "f16").toArray()).toEqual([1]);
    expect(cast(Tensor.from([1 + 3 * 2 ** -11]), "f16").toArray()).toEqual([1 + 2 ** -9]);
    expect(cast(cast(Tensor.from([65504, 1e6]), "f16"), "f32").toArray()).toEqual([
      65504,
      Infinity,
    ]);
    const x = Tensor.from([1, 2]);
    expect(cast(x, "f32")).toBe(x);
    const g = grad((t: Tensor) => sum(mul(cast(t, "bf16"), 3)))(x);
    expect(g.dtype).toBe("f32");
    expect(g.toArray()).toEqual([3, 3]);
  });
});
