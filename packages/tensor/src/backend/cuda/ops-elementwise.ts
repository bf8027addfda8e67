// Elementwise ops on cuda: broadcast binary arithmetic, unary functions and dtype casts, each
// recorded on the tape with a backward made of cuda ops.
import { record } from "../../autograd/tape.js";
import type { DType } from "../../dtype.js";
import { DeviceError, DTypeError } from "../../errors.js";
import { add, div, mul, neg, type Operand } from "../../ops/elementwise.js";
import { broadcastStrides } from "../../ops/strided.js";
import type { UnarySpec } from "../../ops/unary.js";
import { broadcastShapes, type Shape, sameShape } from "../../shape.js";
import { Tensor } from "../../tensor.js";
import { BinaryOp, type BinaryOpName } from "../kernels.js";
import { cuda } from "./addon.js";
import { sumAxes } from "./ops-reduce.js";
import { addr, devContiguous, devEmpty, devScalar, expectCuda, release } from "./tensors.js";

const HALF_CODE: Partial<Record<DType, number>> = { f32: 0, f16: 1, bf16: 2 };

function expectF32(what: string, t: Tensor): void {
  if (t.dtype !== "f32")
    throw new DTypeError(`${what} on cuda supports f32 tensors, got ${t.dtype}`);
}

/** Sums a gradient over the axes along which an operand of `shape` was broadcast. */
export function sumTo(g: Tensor, shape: Shape): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < g.ndim; i++)
    if (i < lead || (shape[i - lead] === 1 && g.shape[i] !== 1)) axes.push(i);
  return sumAxes(g, axes, true).reshape(shape);
}

type Grad2 = (
  g: Tensor,
  a: Tensor | number,
  b: Tensor | number,
  out: Tensor,
) => [Tensor | undefined, Tensor | undefined];

const GRADS: Partial<Record<BinaryOpName, Grad2>> = {
  add: (g) => [g, g],
  sub: (g) => [g, neg(g)],
  mul: (g, a, b) => [mul(g, b), mul(g, a)],
  div: (g, _a, b, out) => [div(g, b), neg(mul(g, div(out, b)))],
};

/** a (op) b with broadcasting; numbers become one-element device scalars. */
export function binary(op: BinaryOpName, a: Operand, b: Operand): Tensor {
  // Addresses first: a disposed operand throws before anything is allocated.
  if (a instanceof Tensor && a.device === "cuda") addr(a);
  if (b instanceof Tensor && b.device === "cuda") addr(b);
  const ta = a instanceof Tensor ? a : devScalar(a);
  const tb = b instanceof Tensor ? b : devScalar(b);
  expectCuda(op, ta, tb);
  expectF32(op, ta);
  expectF32(op, tb);
  const shape = broadcastShapes(ta.shape, tb.shape);
  const out = devEmpty(shape, "f32");
  cuda().binary(
    BinaryOp[op],
    addr(ta),
    addr(tb),
    addr(out),
    Int32Array.from(shape),
    Int32Array.from(broadcastStrides(ta, shape)),
    Int32Array.from(broadcastStrides(tb, shape)),
  );
  if (ta !== a) release(ta);
  if (tb !== b) release(tb);
  const inputs = [a, b].filter((v): v is Tensor => v instanceof Tensor);
  return record(
    out,
    inputs,
    (g) => {
      const grad = GRADS[op];
      if (!grad) throw new DeviceError(`the gradient of ${op} is not implemented on cuda`);
      const [ga, gb] = grad(g, a, b, out);
      const res: (Tensor | undefined)[] = [];
      if (a instanceof Tensor) res.push(ga && sumTo(ga, a.shape));
      if (b instanceof Tensor) res.push(gb && sumTo(gb, b.shape));
      return res;
    },
    inputs,
  );
}

/** A unary function with a native op code, and its derivative. */
export function unary(x: Tensor, spec: UnarySpec): Tensor {
  expectF32("unary op", x);
  if (spec.code === undefined)
    throw new DeviceError("this unary op has no cuda kernel; use toHost() first");
  const code = spec.code;
  const src = devContiguous(x);
  const out = devEmpty(x.shape, "f32");
  cuda().unary(code, addr(src), addr(out), x.size);
  return record(
    out,
    [x],
    (g) => {
      const gc = devContiguous(g);
      const dx = devEmpty(x.shape, "f32");
      cuda().unaryBackward(code, addr(gc), addr(src), addr(out), addr(dx), x.size);
      return [dx];
    },
    [x, out],
  );
}

/** Converts between f32, f16 and bf16 on the device (same dtype: `t` itself). */
export function castRaw(t: Tensor, dtype: DType): Tensor {
  if (t.dtype === dtype) return t;
  const from = HALF_CODE[t.dtype];
  const to = HALF_CODE[dtype];
  if (from === undefined || to === undefined)
    throw new DTypeError(`cast from ${t.dtype} to ${dtype} is not supported on cuda`);
  const src = devContiguous(t);
  const out = devEmpty(t.shape, dtype);
  cuda().cast(addr(src), from, addr(out), to, t.size);
  return out;
}

/** The device addition used by the autograd tape to accumulate gradients. */
export function accumulate(a: Tensor, b: Tensor): Tensor {
  return add(a, b);
}
