// Elementwise comparisons with broadcasting: bool tensors, computed on the f64 values.
import { broadcastShapes } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { compute, type Fn2, type Operand, operandShape } from "./binary-core.js";

const COMPARE: Record<string, Fn2> = {
  eq: (x, y) => (x === y ? 1 : 0),
  ne: (x, y) => (x !== y ? 1 : 0),
  lt: (x, y) => (x < y ? 1 : 0),
  le: (x, y) => (x <= y ? 1 : 0),
  gt: (x, y) => (x > y ? 1 : 0),
  ge: (x, y) => (x >= y ? 1 : 0),
};

function compare(op: string, a: Operand, b: Operand): Tensor {
  return compute(COMPARE[op]!, a, b, broadcastShapes(operandShape(a), operandShape(b)), "bool");
}

/**
 * `a == b` as a bool tensor.
 *
 * ```ts
 * eq(Tensor.from([1, 2]), 2).toArray(); // [0, 1]
 * ```
 */
export function eq(a: Operand, b: Operand): Tensor {
  return compare("eq", a, b);
}

/**
 * `a != b` as a bool tensor.
 *
 * ```ts
 * ne(Tensor.from([1, 2]), 2).toArray(); // [1, 0]
 * ```
 */
export function ne(a: Operand, b: Operand): Tensor {
  return compare("ne", a, b);
}

/**
 * `a < b` as a bool tensor.
 *
 * ```ts
 * lt(Tensor.from([1, 2]), 2).toArray(); // [1, 0]
 * ```
 */
export function lt(a: Operand, b: Operand): Tensor {
  return compare("lt", a, b);
}

/**
 * `a <= b` as a bool tensor.
 *
 * ```ts
 * le(Tensor.from([1, 2]), 2).toArray(); // [1, 1]
 * ```
 */
export function le(a: Operand, b: Operand): Tensor {
  return compare("le", a, b);
}

/**
 * `a > b` as a bool tensor.
 *
 * ```ts
 * gt(Tensor.from([1, 3]), 2).toArray(); // [0, 1]
 * ```
 */
export function gt(a: Operand, b: Operand): Tensor {
  return compare("gt", a, b);
}

/**
 * `a >= b` as a bool tensor.
 *
 * ```ts
 * ge(Tensor.from([1, 2]), 2).toArray(); // [0, 1]
 * ```
 */
export function ge(a: Operand, b: Operand): Tensor {
  return compare("ge", a, b);
}
