// What every binary op shares: operands (a tensor or a number), the dtype they compute in, and
// the f64 reference evaluation with broadcasting that the js backend (and dtypes without a native
// kernel) use.
import { type DType, isFloat, promote } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { scalar } from "./creation.js";
import { fromF64, readF64 } from "./strided.js";

/** A tensor or a plain number (treated as a 0-d tensor that does not widen a float dtype). */
export type Operand = Tensor | number;

/** An elementwise function of two numbers. */
export type Fn2 = (x: number, y: number) => number;

/** The dtype a binary op computes in: tensors promote; a number only turns integers into f32. */
export function resultDType(a: Operand, b: Operand): DType {
  if (a instanceof Tensor && b instanceof Tensor) return promote(a.dtype, b.dtype);
  const t = a instanceof Tensor ? a : b instanceof Tensor ? b : undefined;
  if (!t) return "f32";
  const s = (t === a ? b : a) as number;
  if (isFloat(t.dtype)) return t.dtype;
  if (!Number.isInteger(s)) return "f32";
  return t.dtype === "bool" ? "i32" : t.dtype;
}

/** The shape an operand broadcasts from ([] for a number). */
export function operandShape(v: Operand): readonly number[] {
  return v instanceof Tensor ? v.shape : [];
}

/** Decodes an operand broadcast to `shape` (numbers kept exact in f64). */
export function values(v: Operand, shape: readonly number[]): Float64Array {
  return readF64(v instanceof Tensor ? v : scalar(v, "f64"), shape);
}

/** fn over a and b broadcast to `shape`, in f64, stored as `dtype`. */
export function compute(
  fn: Fn2,
  a: Operand,
  b: Operand,
  shape: readonly number[],
  dtype: DType,
): Tensor {
  const x = values(a, shape);
  const y = values(b, shape);
  for (let i = 0; i < x.length; i++) x[i] = fn(x[i]!, y[i]!);
  return fromF64(x, shape, dtype);
}
