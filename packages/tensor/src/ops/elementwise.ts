// Binary elementwise ops with numpy broadcasting and torch-like dtype promotion. Unary ops live in
// unary.ts and are re-exported from here so callers can import every elementwise op from one place.
import { record } from "../autograd/tape.js";
import { deviceOp, onDevice } from "../backend/device.js";
import { type BinaryKernel, BinaryOp } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import { isFloat } from "../dtype.js";
import { broadcastShapes, sameShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import {
  compute,
  type Fn2,
  type Operand,
  operandShape,
  resultDType,
  values,
} from "./binary-core.js";
import { castRaw } from "./cast.js";
import { scalar } from "./creation.js";
import { broadcastStrides, fromF64, readF64, sumToShapeF64 } from "./strided.js";
import { neg } from "./unary.js";

export { type Operand, resultDType } from "./binary-core.js";
export * from "./compare.js";
export * from "./unary.js";

/** Partial derivative times the incoming gradient, per element: (g, x, y, out). */
type PartialDerivative = (g: number, x: number, y: number, o: number) => number;

const ARITH: Record<string, Fn2> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  div: (x, y) => x / y,
  pow: (x, y) => x ** y,
  // NaN in either operand propagates, as in numpy/torch.
  max: (x, y) => (x > y || Number.isNaN(x) ? x : y),
  min: (x, y) => (x < y || Number.isNaN(x) ? x : y),
};

function nativeBinary(
  op: keyof typeof BinaryOp,
  a: Operand,
  b: Operand,
  shape: readonly number[],
): Tensor | undefined {
  if (shape.length > 8) return undefined;
  const kernel = nativeKernel<BinaryKernel>("binary");
  if (!kernel) return undefined;
  const ta = a instanceof Tensor ? castRaw(a, "f32") : scalar(a, "f32");
  const tb = b instanceof Tensor ? castRaw(b, "f32") : scalar(b, "f32");
  const out = Tensor.empty(shape, "f32");
  kernel(
    BinaryOp[op],
    (ta.storage.data as Float32Array).subarray(ta.offset),
    Int32Array.from(broadcastStrides(ta, shape)),
    (tb.storage.data as Float32Array).subarray(tb.offset),
    Int32Array.from(broadcastStrides(tb, shape)),
    out.storage.data as Float32Array,
    Int32Array.from(shape),
  );
  return out;
}

function arith(
  op: keyof typeof BinaryOp,
  a: Operand,
  b: Operand,
  da: PartialDerivative,
  db: PartialDerivative,
  saves: (out: Tensor) => Tensor[],
): Tensor {
  if (onDevice(a, b)) return deviceOp("binary")(op, a, b);
  let dtype = resultDType(a, b);
  if (op === "div" && !isFloat(dtype)) dtype = "f32";
  const shape = broadcastShapes(operandShape(a), operandShape(b));
  const out =
    (dtype === "f32" ? nativeBinary(op, a, b, shape) : undefined) ??
    compute(ARITH[op]!, a, b, shape, dtype);
  if (!isFloat(dtype)) return out;
  const inputs = [a, b].filter((v): v is Tensor => v instanceof Tensor);
  const direct = dtype === "f32" && inputs.every((t) => sameShape(t.shape, shape));
  return record(
    out,
    inputs,
    (g) => {
      const exact = direct ? EXACT_F32_GRADS[op] : undefined;
      if (exact && nativeKernel<BinaryKernel>("binary")) {
        const [ga, gb] = exact(g, a, b);
        return [...(a instanceof Tensor ? [ga] : []), ...(b instanceof Tensor ? [gb] : [])];
      }
      const gv = readF64(g, shape);
      const x = values(a, shape);
      const y = values(b, shape);
      const o = readF64(out);
      const grad = (t: Tensor, d: PartialDerivative): Tensor | undefined => {
        if (!isFloat(t.dtype)) return undefined;
        const full = new Float64Array(gv.length);
        for (let i = 0; i < full.length; i++) full[i] = d(gv[i]!, x[i]!, y[i]!, o[i]!);
        return fromF64(sumToShapeF64(full, shape, t.shape), t.shape, t.dtype);
      };
      const grads: (Tensor | undefined)[] = [];
      if (a instanceof Tensor) grads.push(grad(a, da));
      if (b instanceof Tensor) grads.push(grad(b, db));
      return grads;
    },
    saves(out),
  );
}

const asList = (...v: Operand[]) => v.filter((t): t is Tensor => t instanceof Tensor);

/**
 * Gradients of f32 ops (operands not broadcast) that the native kernels give bit for bit as the
 * f64 loop would: g passes through, and a product of two f32 values is exact in f64, so rounding
 * it once to f32 is what the f32 multiply does. Training then runs them natively.
 */
const EXACT_F32_GRADS: {
  [op in keyof typeof BinaryOp]?: (g: Tensor, a: Operand, b: Operand) => [Tensor, Tensor];
} = {
  add: (g) => [g, g],
  sub: (g) => [g, neg(g)],
  mul: (g, a, b) => [mul(g, b), mul(g, a)],
};

/**
 * `a + b` with broadcasting.
 *
 * ```ts
 * add(Tensor.from([1, 2, 3]), 1).toArray(); // [2, 3, 4]
 * ```
 */
export function add(a: Operand, b: Operand): Tensor {
  return arith(
    "add",
    a,
    b,
    (g) => g,
    (g) => g,
    () => [],
  );
}

/**
 * `a - b` with broadcasting.
 *
 * ```ts
 * sub(Tensor.from([1, 2], [2, 1]), Tensor.from([1, 2])).toArray(); // [0, -1, 1, 0]
 * ```
 */
export function sub(a: Operand, b: Operand): Tensor {
  return arith(
    "sub",
    a,
    b,
    (g) => g,
    (g) => -g,
    () => [],
  );
}

/**
 * `a * b` with broadcasting.
 *
 * ```ts
 * mul(Tensor.from([1, 2]), 3).toArray(); // [3, 6]
 * ```
 */
export function mul(a: Operand, b: Operand): Tensor {
  return arith(
    "mul",
    a,
    b,
    (g, _x, y) => g * y,
    (g, x) => g * x,
    () => asList(a, b),
  );
}

/**
 * `a / b` with broadcasting; integer operands give f32 (true division).
 *
 * ```ts
 * div(Tensor.from([1, 2], [2], "i32"), 2).toArray(); // [0.5, 1]
 * ```
 */
export function div(a: Operand, b: Operand): Tensor {
  return arith(
    "div",
    a,
    b,
    (g, _x, y) => g / y,
    (g, _x, y, o) => (-g * o) / y,
    (o) => [...asList(b), o],
  );
}

/**
 * `a ** b` with broadcasting.
 *
 * ```ts
 * pow(Tensor.from([2, 3]), 2).toArray(); // [4, 9]
 * ```
 */
export function pow(a: Operand, b: Operand): Tensor {
  return arith(
    "pow",
    a,
    b,
    (g, x, y) => (y === 0 ? 0 : g * y * x ** (y - 1)),
    (g, x, _y, o) => (x === 0 ? 0 : g * o * Math.log(x)),
    (o) => [...asList(a, b), o],
  );
}

/**
 * Elementwise maximum (NaN propagates); on ties the gradient is split evenly.
 *
 * ```ts
 * maximum(Tensor.from([1, 5]), 3).toArray(); // [3, 5]
 * ```
 */
export function maximum(a: Operand, b: Operand): Tensor {
  const pick = (g: number, x: number, y: number) => (x > y ? g : x === y ? g / 2 : 0);
  return arith(
    "max",
    a,
    b,
    pick,
    (g, x, y) => pick(g, y, x),
    () => asList(a, b),
  );
}

/**
 * Elementwise minimum (NaN propagates); on ties the gradient is split evenly.
 *
 * ```ts
 * minimum(Tensor.from([1, 5]), 3).toArray(); // [1, 3]
 * ```
 */
export function minimum(a: Operand, b: Operand): Tensor {
  const pick = (g: number, x: number, y: number) => (x < y ? g : x === y ? g / 2 : 0);
  return arith(
    "min",
    a,
    b,
    pick,
    (g, x, y) => pick(g, y, x),
    () => asList(a, b),
  );
}
