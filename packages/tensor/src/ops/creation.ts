import type { DType } from "../dtype.js";
import { ValueError } from "../errors.js";
import { checkShape, type Shape } from "../shape.js";
import { encoder, Tensor } from "../tensor.js";

/**
 * A tensor of zeros.
 *
 * ```ts
 * zeros([2, 3]).toArray(); // [0, 0, 0, 0, 0, 0]
 * ```
 */
export function zeros(shape: Shape, dtype: DType = "f32"): Tensor {
  return Tensor.empty(shape, dtype);
}

/**
 * A tensor of ones.
 *
 * ```ts
 * ones([2], "i32").toArray(); // [1, 1]
 * ```
 */
export function ones(shape: Shape, dtype: DType = "f32"): Tensor {
  return full(shape, 1, dtype);
}

/**
 * A tensor with every element equal to `value` (rounded to `dtype`).
 *
 * ```ts
 * full([2, 2], 0.5).toArray(); // [0.5, 0.5, 0.5, 0.5]
 * ```
 */
export function full(shape: Shape, value: number, dtype: DType = "f32"): Tensor {
  checkShape(shape);
  const t = Tensor.empty(shape, dtype);
  t.storage.data.fill(encoder(dtype)(value));
  return t;
}

/**
 * A scalar (0-d) tensor.
 *
 * ```ts
 * scalar(3).shape; // []
 * ```
 */
export function scalar(value: number, dtype: DType = "f32"): Tensor {
  return full([], value, dtype);
}

/**
 * Zeros with the shape (and, by default, dtype) of `t`.
 *
 * ```ts
 * zerosLike(ones([3])).toArray(); // [0, 0, 0]
 * ```
 */
export function zerosLike(t: Tensor, dtype: DType = t.dtype): Tensor {
  return zeros(t.shape, dtype);
}

/**
 * Ones with the shape (and, by default, dtype) of `t`.
 *
 * ```ts
 * onesLike(zeros([2])).toArray(); // [1, 1]
 * ```
 */
export function onesLike(t: Tensor, dtype: DType = t.dtype): Tensor {
  return ones(t.shape, dtype);
}

/**
 * `value` everywhere, with the shape (and, by default, dtype) of `t`.
 *
 * ```ts
 * fullLike(zeros([2]), 7).toArray(); // [7, 7]
 * ```
 */
export function fullLike(t: Tensor, value: number, dtype: DType = t.dtype): Tensor {
  return full(t.shape, value, dtype);
}

/**
 * Evenly spaced values in `[start, stop)`; with one argument, `[0, start)`. Integer dtype by
 * default when every argument is an integer, else f32.
 *
 * ```ts
 * arange(4).toArray();          // [0, 1, 2, 3]
 * arange(1, 2, 0.25).toArray(); // [1, 1.25, 1.5, 1.75]
 * ```
 */
export function arange(start: number, stop?: number, step = 1, dtype?: DType): Tensor {
  const [lo, hi] = stop === undefined ? [0, start] : [start, stop];
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || !Number.isFinite(step) || step === 0) {
    throw new ValueError(
      `arange(${start}, ${stop}, ${step}) needs finite bounds and a non-zero step`,
    );
  }
  const n = Math.max(0, Math.ceil((hi - lo) / step));
  const dt = dtype ?? ([lo, hi, step].every(Number.isInteger) ? "i32" : "f32");
  const t = Tensor.empty([n], dt);
  const encode = encoder(dt);
  const data = t.storage.data;
  // lo + i*step rather than repeated addition, so long ranges do not drift.
  for (let i = 0; i < n; i++) data[i] = encode(lo + i * step);
  return t;
}

/**
 * Evenly spaced values from `start` to `stop` inclusive.
 *
 * ```ts
 * linspace(0, 1, 5).toArray(); // [0, 0.25, 0.5, 0.75, 1]
 * ```
 */
export function linspace(start: number, stop: number, num: number, dtype: DType = "f32"): Tensor {
  if (!Number.isInteger(num) || num < 0)
    throw new ValueError(`linspace num must be a non-negative integer, got ${num}`);
  const t = Tensor.empty([num], dtype);
  const encode = encoder(dtype);
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  for (let i = 0; i < num; i++) t.storage.data[i] = encode(i === num - 1 ? stop : start + i * step);
  return t;
}

/**
 * An `n x m` matrix with ones on the diagonal.
 *
 * ```ts
 * eye(2).toArray(); // [1, 0, 0, 1]
 * ```
 */
export function eye(n: number, m: number = n, dtype: DType = "f32"): Tensor {
  const t = zeros([n, m], dtype);
  const one = encoder(dtype)(1);
  for (let i = 0; i < Math.min(n, m); i++) t.storage.data[i * m + i] = one;
  return t;
}
