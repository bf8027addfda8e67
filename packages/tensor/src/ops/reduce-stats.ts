// Statistical reductions: logsumexp, vector norms, variance and standard deviation.
import { record } from "../autograd/tape.js";
import { isFloat } from "../dtype.js";
import { ValueError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import {
  type Axes,
  extremeGrad,
  finish,
  floatOf,
  plan,
  recordReduce,
  reduceRaw,
  spread,
} from "./reduce-core.js";
import { fromF64, readF64, sumToShapeF64 } from "./strided.js";

/**
 * `log(sum(exp(x)))` over `axes`, computed stably (the maximum is subtracted first).
 *
 * ```ts
 * logsumexp(Tensor.from([0, 0])).item(); // Math.log(2)
 * ```
 */
export function logsumexp(x: Tensor, axes?: Axes, keepdims = false): Tensor {
  const p = plan(x, axes);
  const out = finish(reduceRaw(x, p, "logsumexp", floatOf(x.dtype)), p, keepdims);
  return recordReduce(
    out,
    x,
    p,
    (g, v, o) => (o === Number.NEGATIVE_INFINITY ? 0 : g * Math.exp(v - o)),
    [x, out],
  );
}

/**
 * Vector p-norm over `axes` (all by default): p = 2 (Euclidean), 1, or Infinity (max |x|).
 *
 * ```ts
 * norm(Tensor.from([3, 4])).item();          // 5
 * norm(Tensor.from([3, -4]), 1).item();      // 7
 * norm(Tensor.from([3, -4]), Infinity).item(); // 4
 * ```
 */
export function norm(x: Tensor, p: 1 | 2 | number = 2, axes?: Axes, keepdims = false): Tensor {
  const pl = plan(x, axes);
  const dtype = floatOf(x.dtype);
  if (p === 2) {
    const v = readF64(reduceRaw(x, pl, "sumsq", "f64"));
    for (let i = 0; i < v.length; i++) v[i] = Math.sqrt(v[i]!);
    const out = finish(fromF64(v, pl.kept, dtype), pl, keepdims);
    return recordReduce(out, x, pl, (g, xv, o) => (o === 0 ? 0 : (g * xv) / o), [x, out]);
  }
  if (p === 1) {
    const a = fromF64(readF64(x).map(Math.abs), x.shape, "f64");
    const out = finish(reduceRaw(a, pl, "sum", dtype), pl, keepdims);
    return recordReduce(out, x, pl, (g, xv) => g * Math.sign(xv), [x]);
  }
  if (p === Number.POSITIVE_INFINITY) {
    const xv = readF64(x);
    const a = xv.map(Math.abs);
    const out = finish(reduceRaw(fromF64(a, x.shape, "f64"), pl, "max", dtype), pl, keepdims);
    if (!isFloat(x.dtype)) return out;
    return record(
      out,
      [x],
      (g) => {
        const ga = extremeGrad(g, out, pl, a, x.shape);
        return [
          fromF64(
            ga.map((v, i) => v * Math.sign(xv[i]!)),
            x.shape,
            x.dtype,
          ),
        ];
      },
      [x, out],
    );
  }
  throw new ValueError(`norm: p must be 1, 2 or Infinity, got ${p}`);
}

function moments(x: Tensor, axes: Axes, correction: number) {
  const p = plan(x, axes);
  const xv = readF64(x);
  const mu = readF64(fromF64(sumToShapeF64(xv, x.shape, p.keep), p.keep, "f64"), x.shape).map(
    (v) => v / p.len,
  );
  const dev = xv.map((v, i) => v - mu[i]!);
  const denom = Math.max(0, p.len - correction);
  const sq = fromF64(
    dev.map((d) => d * d),
    x.shape,
    "f64",
  );
  const vars = readF64(reduceRaw(sq, p, "sum", "f64")).map((v) => v / denom);
  return { p, dev, denom, vars };
}

/**
 * Variance over `axes` with `correction` (1 = unbiased, 0 = population); integer inputs give f32.
 *
 * ```ts
 * variance(Tensor.from([1, 2, 3, 4])).item();             // 1.6666...
 * variance(Tensor.from([1, 2, 3, 4]), 0, false, 0).item(); // 1.25
 * ```
 */
export function variance(x: Tensor, axes?: Axes, keepdims = false, correction = 1): Tensor {
  const { p, dev, denom, vars } = moments(x, axes, correction);
  const out = finish(fromF64(vars, p.kept, floatOf(x.dtype)), p, keepdims);
  if (!isFloat(x.dtype)) return out;
  return record(
    out,
    [x],
    (g) => [
      fromF64(
        spread(g, p, x.shape).map((v, i) => (2 * v * dev[i]!) / denom),
        x.shape,
        x.dtype,
      ),
    ],
    [x],
  );
}

/**
 * Standard deviation over `axes` with `correction` (1 = unbiased, 0 = population).
 *
 * ```ts
 * std(Tensor.from([2, 4, 4, 4, 5, 5, 7, 9]), 0, false, 0).item(); // 2
 * ```
 */
export function std(x: Tensor, axes?: Axes, keepdims = false, correction = 1): Tensor {
  const { p, dev, denom, vars } = moments(x, axes, correction);
  const sd = vars.map(Math.sqrt);
  const out = finish(fromF64(sd, p.kept, floatOf(x.dtype)), p, keepdims);
  if (!isFloat(x.dtype)) return out;
  return record(
    out,
    [x],
    (g) => {
      const sv = readF64(fromF64(sd, p.keep, "f64"), x.shape);
      const gv = spread(g, p, x.shape);
      return [
        fromF64(
          gv.map((v, i) => (sv[i] === 0 ? 0 : (v * dev[i]!) / (denom * sv[i]!))),
          x.shape,
          x.dtype,
        ),
      ];
    },
    [x],
  );
}
