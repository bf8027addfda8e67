import { describe, expect, it } from "vitest";
import { gradcheck } from "../autograd/gradcheck.js";
import { withBackend } from "../backend/registry.js";
import type { DType } from "../dtype.js";
import { DTypeError, ShapeError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { erf, gelu, geluTanh, silu, swiglu } from "./activation.js";
import { expectClose, hasNative, rnd } from "./nn-testkit.js";

const f64 = (values: number[]) => Tensor.from(values, [values.length], "f64");

describe("erf", () => {
  it("matches reference values within 2 ulp", () => {
    const ref: [number, number][] = [
      [0, 0],
      [0.1, 0.1124629160182849],
      [0.5, 0.5204998778130465],
      [1, 0.8427007929497149],
      [2, 0.9953222650189527],
      [3, 0.9999779095030014],
      [5.5, 0.9999999999999927],
      [-1, -0.8427007929497149],
      [40, 1],
    ];
    for (const [x, y] of ref) expect(Math.abs(erf(x) - y)).toBeLessThanOrEqual(4.5e-16);
    expect(erf(Number.NaN)).toBeNaN();
  });
});

describe("activations", () => {
  it("match closed forms", () => {
    expectClose(silu(f64([0, 1, -1000, 1000])).toArray(), [0, 0.7310585786300049, 0, 1000], 1e-15);
    expectClose(
      gelu(f64([0, 1, -1])).toArray(),
      [0, 0.8413447460685429, -0.15865525393145707],
      1e-15,
    );
    expectClose(geluTanh(f64([0, 1])).toArray(), [0, 0.8411919906082768], 1e-15);
    expectClose(swiglu(f64([1, 0]), f64([2, 5])).toArray(), [2 * 0.7310585786300049, 0], 1e-15);
  });

  it.each(["f32", "f16", "bf16"] as DType[])("keep the dtype and match f64 (%s)", (dtype) => {
    const x = rnd([3, 17], 1, dtype, 3);
    const x64 = Tensor.from(x.toArray(), x.shape, "f64");
    const tol = { f32: 1e-6, f16: 1e-3, bf16: 8e-3 }[dtype as "f32"];
    for (const fn of [silu, gelu, geluTanh]) {
      const y = fn(x);
      expect(y.dtype).toBe(dtype);
      expectClose(y.toArray(), fn(x64).toArray(), tol, tol);
    }
    const up = rnd([3, 17], 2, dtype);
    expectClose(
      swiglu(x, up).toArray(),
      swiglu(x64, Tensor.from(up.toArray(), up.shape, "f64")).toArray(),
      tol * 4,
      tol,
    );
  });

  it("swiglu reads strided halves of one tensor (a fused gate/up projection) like copies", () => {
    const both = rnd([2, 3, 34], 4);
    const [gate, up] = [both.slice(2, 0, 17), both.slice(2, 17, 34)];
    const want = swiglu(gate.contiguous(), up.contiguous()).toArray();
    expect(swiglu(gate, up).toArray()).toEqual(want);
    // and up with a transposed layout
    const upT = rnd([17, 3], 5).transpose(0, 1);
    expect(swiglu(rnd([3, 17], 6), upT).toArray()).toEqual(
      swiglu(rnd([3, 17], 6), upT.contiguous()).toArray(),
    );
  });

  it("raise typed errors", () => {
    expect(() => silu(Tensor.from([1], [1], "i32"))).toThrow(DTypeError);
    expect(() => swiglu(rnd([2, 3], 1), rnd([3, 2], 2))).toThrow(ShapeError);
    expect(() => swiglu(rnd([2], 1, "f32"), rnd([2], 2, "f16"))).toThrow(DTypeError);
  });

  it("have finite-difference gradients", () => {
    const x = rnd([2, 7], 3, "f64", 2);
    gradcheck((t) => silu(t), [x]);
    gradcheck((t) => gelu(t), [x]);
    gradcheck((t) => geluTanh(t), [x]);
    gradcheck((g, u) => swiglu(g, u), [x, rnd([2, 7], 4)]);
  });
});

describe.skipIf(!hasNative("unary"))("activations native vs js", () => {
  it("agree on odd lengths and views", () => {
    for (const n of [1, 7, 33, 1031]) {
      const x = rnd([n], n, "f32", 4);
      const up = rnd([n], n + 1, "f32");
      for (const fn of [silu, gelu, geluTanh, (t: Tensor) => swiglu(t, up)]) {
        expectClose(
          withBackend("cpu", () => fn(x)).toArray(),
          withBackend("js", () => fn(x)).toArray(),
          1e-5,
          1e-5,
        );
      }
    }
    const view = rnd([9, 13], 5, "f32", 3).transpose(0, 1);
    expectClose(
      withBackend("cpu", () => gelu(view)).toArray(),
      withBackend("js", () => gelu(view)).toArray(),
      1e-5,
      1e-5,
    );
  });
});
