// Public autograd entry points: grad / valueAndGrad over arbitrary argument structures, and
// customOp for fused ops that control their own backward and saved tensors.
import { deviceOp } from "../backend/device.js";
import { isFloat } from "../dtype.js";
import { DTypeError, IndexError, ShapeError, ValueError } from "../errors.js";
import { castRaw } from "../ops/cast.js";
import { full, zerosLike } from "../ops/creation.js";
import { add } from "../ops/elementwise.js";
import { fmtShape, sameShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { backpropagate, isRecording, isTracked, noGrad, record, withTape } from "./tape.js";

/** What a differentiated function returns: a one-element loss, optionally with auxiliary data. */
export type LossResult<Aux> = Tensor | { loss: Tensor; aux: Aux };

/**
 * The gradient structure mirroring an argument: a Tensor per Tensor leaf (zeros when the loss does
 * not depend on it; undefined at run time for non-float tensors), arrays and records mapped
 * element by element, anything else undefined.
 */
export type GradOf<T> = T extends Tensor
  ? Tensor
  : T extends readonly unknown[]
    ? { -readonly [K in keyof T]: GradOf<T[K]> }
    : T extends object
      ? { -readonly [K in keyof T]: GradOf<T[K]> }
      : undefined;

type GradsOf<A extends readonly unknown[], N> = N extends number
  ? GradOf<A[N]>
  : N extends readonly number[]
    ? { -readonly [K in keyof N]: GradOf<A[N[K] & number]> }
    : never;

/** Result of a function built by {@link valueAndGrad}. */
export interface ValueAndGrad<G, Aux> {
  value: Tensor;
  grads: G;
  aux: Aux;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function collect(tree: unknown, out: Tensor[]): void {
  if (tree instanceof Tensor) {
    if (isFloat(tree.dtype)) out.push(tree);
  } else if (Array.isArray(tree)) {
    for (const v of tree) collect(v, out);
  } else if (isRecord(tree)) {
    for (const v of Object.values(tree)) collect(v, out);
  }
}

function mapTree(tree: unknown, f: (t: Tensor) => Tensor | undefined): unknown {
  if (tree instanceof Tensor) return f(tree);
  if (Array.isArray(tree)) return tree.map((v) => mapTree(v, f));
  if (isRecord(tree))
    return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, mapTree(v, f)]));
  return undefined;
}

/**
 * Wraps `fn` so that calling it returns the loss, the gradient of the loss with respect to the
 * arguments chosen by `argnums` (default 0; an array gives an array of gradients), and `aux` when
 * `fn` returns `{loss, aux}`. Arguments may be Tensors or nested arrays/records of Tensors; the
 * gradients come back in the same structure.
 *
 * ```ts
 * const f = valueAndGrad((w: Tensor, x: Tensor) => sum(mul(w, x)));
 * const { value, grads } = f(Tensor.from([1, 2]), Tensor.from([3, 4]));
 * value.item();     // 11
 * grads.toArray();  // [3, 4]
 * ```
 */
export function valueAndGrad<
  A extends unknown[],
  Aux = undefined,
  const N extends number | readonly number[] = 0,
>(
  fn: (...args: A) => LossResult<Aux>,
  argnums?: N,
): (...args: A) => ValueAndGrad<GradsOf<A, N>, Aux> {
  return (...args: A) => {
    const many = typeof argnums === "object";
    const list: readonly number[] = many
      ? (argnums as readonly number[])
      : [(argnums as number | undefined) ?? 0];
    const chosen = list.map((n) => {
      const i = n < 0 ? n + args.length : n;
      if (!Number.isInteger(i) || i < 0 || i >= args.length) {
        throw new IndexError(`argnums ${n} is out of range for ${args.length} arguments`);
      }
      return i;
    });
    const leaves: Tensor[] = [];
    for (const i of chosen) collect(args[i], leaves);
    const { value: result, tape } = withTape(leaves, () => fn(...args));
    const loss = result instanceof Tensor ? result : result.loss;
    const aux = (result instanceof Tensor ? undefined : result.aux) as Aux;
    if (!(loss instanceof Tensor) || loss.size !== 1) {
      throw new ShapeError(
        `the differentiated function must return a one-element tensor, got ${loss instanceof Tensor ? fmtShape(loss.shape) : typeof loss}`,
      );
    }
    if (!isFloat(loss.dtype)) throw new DTypeError(`cannot differentiate a ${loss.dtype} loss`);
    const seed =
      loss.device === "cpu" ? full(loss.shape, 1, loss.dtype) : deviceOp("ones")(loss.shape);
    const raw = backpropagate(tape, loss, seed, leaves, (a, b) => add(a, b));
    const byLeaf = new Map<Tensor, Tensor>();
    leaves.forEach((leaf, k) => {
      const g = raw[k];
      if (g && !sameShape(g.shape, leaf.shape)) {
        throw new ShapeError(
          `internal: gradient ${fmtShape(g.shape)} does not match its input ${fmtShape(leaf.shape)}`,
        );
      }
      byLeaf.set(
        leaf,
        g
          ? castRaw(g, leaf.dtype)
          : leaf.device === "cpu"
            ? zerosLike(leaf)
            : zerosLike(leaf).to(leaf.device),
      );
    });
    const pick = (t: Tensor) => byLeaf.get(t);
    const grads = many
      ? chosen.map((i) => mapTree(args[i], pick))
      : mapTree(args[chosen[0]!], pick);
    return { value: loss, grads: grads as GradsOf<A, N>, aux };
  };
}

/**
 * Wraps `fn` so that calling it returns only the gradients (see {@link valueAndGrad}).
 *
 * ```ts
 * const df = grad((x: Tensor) => sum(square(x)));
 * df(Tensor.from([1, 2])).toArray(); // [2, 4]
 * ```
 */
export function grad<
  A extends unknown[],
  Aux = undefined,
  const N extends number | readonly number[] = 0,
>(fn: (...args: A) => LossResult<Aux>, argnums?: N): (...args: A) => GradsOf<A, N> {
  const vg = valueAndGrad<A, Aux, N>(fn, argnums);
  return (...args: A) => vg(...args).grads;
}

/** Definition of a {@link customOp}. */
export interface CustomOpSpec<I extends readonly Tensor[]> {
  /** Used in error messages. */
  name?: string;
  /**
   * Computes the output (the tape is paused inside). May also return the tensors backward needs,
   * e.g. intermediates of a fused kernel.
   */
  forward: (...inputs: I) => Tensor | { output: Tensor; saved: readonly Tensor[] };
  /** Chooses what backward receives; overrides `saved` from forward. Called only while recording. */
  save?: (inputs: I, output: Tensor) => readonly Tensor[];
  /** Gradient of each input (undefined = none) from the output gradient and the saved tensors. */
  backward: (gradOutput: Tensor, saved: readonly Tensor[]) => readonly (Tensor | undefined)[];
}

/**
 * Builds a differentiable op from a forward and a hand-written backward. Only the tensors it
 * saves are kept for backward, and they count in `savedBytes()`.
 *
 * ```ts
 * const cube = customOp({
 *   forward: (x: Tensor) => mul(mul(x, x), x),
 *   save: ([x]) => [x],
 *   backward: (g, [x]) => [mul(g, mul(square(x!), 3))],
 * });
 * grad((x: Tensor) => sum(cube(x)))(Tensor.from([2])).toArray(); // [12]
 * ```
 */
export function customOp<I extends readonly Tensor[]>(
  spec: CustomOpSpec<I>,
): (...inputs: I) => Tensor {
  const name = spec.name ?? "customOp";
  return (...inputs: I) => {
    const res = noGrad(() => spec.forward(...inputs));
    const output = res instanceof Tensor ? res : res.output;
    if (!isRecording() || !inputs.some((t) => isTracked(t))) return output;
    const saved = spec.save ? spec.save(inputs, output) : res instanceof Tensor ? [] : res.saved;
    const backward = (g: Tensor) => {
      const grads = spec.backward(g, saved);
      if (grads.length !== inputs.length) {
        throw new ValueError(
          `${name}: backward returned ${grads.length} gradients for ${inputs.length} inputs`,
        );
      }
      return grads.map((gi, k) => {
        const input = inputs[k]!;
        if (gi && !sameShape(gi.shape, input.shape)) {
          throw new ShapeError(
            `${name}: gradient ${k} has shape ${fmtShape(gi.shape)}, input has ${fmtShape(input.shape)}`,
          );
        }
        return gi && isFloat(input.dtype) ? castRaw(gi, input.dtype) : undefined;
      });
    };
    return record(output, inputs, backward, saved);
  };
}
