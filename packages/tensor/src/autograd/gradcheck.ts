// Finite-difference verification of analytic gradients, in f64.
import { isFloat } from "../dtype.js";
import { XError } from "../errors.js";
import { mul } from "../ops/elementwise.js";
import { randn } from "../ops/random.js";
import { sum } from "../ops/reduce.js";
import { fromF64, readF64 } from "../ops/strided.js";
import type { Tensor } from "../tensor.js";
import { valueAndGrad } from "./api.js";
import { noGrad } from "./tape.js";

/** Tolerances of {@link gradcheck}: an entry passes when |analytic - numeric| <= atol + rtol * |numeric|. */
export interface GradcheckOptions {
  /** Central-difference step (default 1e-6). */
  eps?: number;
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Absolute tolerance (default 1e-7). */
  atol?: number;
  /** Seed of the random projection applied to non-scalar outputs (default 0). */
  seed?: number;
}

/** What {@link gradcheck} compared. */
export interface GradcheckReport {
  /** Gradient entries compared. */
  checked: number;
  maxAbsError: number;
}

/** A gradient that disagrees with its finite-difference estimate. */
export class GradcheckError extends XError {
  constructor(message: string) {
    super("E_GRADCHECK", message);
  }
}

/**
 * Compares the gradients autograd computes for `fn` with central finite differences. Float
 * inputs are copied to f64 first; non-scalar outputs are reduced with a fixed random projection
 * so every output element contributes. Throws a {@link GradcheckError} naming the first input
 * element that disagrees.
 *
 * ```ts
 * gradcheck((x) => tanh(x), [randn([3, 4], { seed: 1 })]); // throws if tanh's backward is wrong
 * ```
 */
export function gradcheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  opts: GradcheckOptions = {},
): GradcheckReport {
  const eps = opts.eps ?? 1e-6;
  const rtol = opts.rtol ?? 1e-5;
  const atol = opts.atol ?? 1e-7;
  const xs = inputs.map((t) => (isFloat(t.dtype) ? fromF64(readF64(t), t.shape, "f64") : t));
  const probe = noGrad(() => fn(...xs));
  const weights = randn(probe.shape, { seed: opts.seed ?? 0, dtype: "f64" });
  const w = readF64(weights);
  const objective = () => {
    const out = readF64(noGrad(() => fn(...xs)));
    let s = 0;
    for (let i = 0; i < out.length; i++) s += out[i]! * w[i]!;
    return s;
  };
  const floatArgs = xs.map((_, i) => i).filter((i) => isFloat(xs[i]!.dtype));
  const { grads } = valueAndGrad(
    (...args: Tensor[]) => sum(mul(fn(...args), weights)),
    floatArgs,
  )(...xs);
  let checked = 0;
  let maxAbsError = 0;
  floatArgs.forEach((argIndex, k) => {
    const analytic = readF64(grads[k] as Tensor);
    const data = xs[argIndex]!.storage.data as Float64Array;
    for (let j = 0; j < data.length; j++) {
      const orig = data[j]!;
      data[j] = orig + eps;
      const plus = objective();
      data[j] = orig - eps;
      const minus = objective();
      data[j] = orig;
      const numeric = (plus - minus) / (2 * eps);
      const err = Math.abs(analytic[j]! - numeric);
      if (!(err <= atol + rtol * Math.abs(numeric))) {
        throw new GradcheckError(
          `gradcheck: input ${argIndex} element ${j}: analytic ${analytic[j]} vs numeric ${numeric} (|diff| ${err})`,
        );
      }
      maxAbsError = Math.max(maxAbsError, err);
      checked++;
    }
  });
  return { checked, maxAbsError };
}
