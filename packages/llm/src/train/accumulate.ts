// Gradient accumulation over micro-batches. Each micro-batch's loss is a *sum* over its targets;
// the accumulated sum is divided once by the step's total target count, so k micro-batches give
// the gradient of one big batch's mean loss (equal up to f32 summation order).
import { add, mul, Tensor, tidy, valueAndGrad } from "@x/tensor";
import type { CausalLM } from "../protocols.js";
import { TrainingError } from "./errors.js";
import { type TokenBatch, tokenLoss } from "./loss.js";

/** Result of {@link accumulateGradients}. */
export interface AccumulatedGradients {
  /** Gradient of the mean loss over every target of every micro-batch, per parameter. */
  grads: Record<string, Tensor>;
  /** Mean loss over all targets. */
  loss: number;
  /** Number of targets counted. */
  targets: number;
  /** Input tokens processed (B·T summed over micro-batches). */
  tokens: number;
}

/** Options of {@link accumulateGradients}. */
export interface AccumulateOptions {
  /** Parameters to differentiate (default: every dense parameter). */
  names?: readonly string[];
  /** Called before each micro-batch's forward pass (e.g. WTA-CRS `beginStep(exampleIds)`). */
  onMicroBatch?: (batch: TokenBatch, index: number) => void;
}

function countTargets(batch: TokenBatch): number {
  const [b, t] =
    batch.inputIds.shape.length === 1
      ? [1, batch.inputIds.shape[0]!]
      : (batch.inputIds.shape as [number, number]);
  if (batch.mask === undefined) return b * (t - 1);
  const m = batch.mask;
  const flat: ArrayLike<number | boolean> =
    m instanceof Tensor ? m.toArray() : m instanceof Uint8Array ? m : m.flat();
  let n = 0;
  for (let i = 0; i < flat.length; i++) if (flat[i] && i % t !== 0) n++;
  return n;
}

/**
 * Runs forward and backward on each micro-batch (through the model's own forward, so its
 * pluggable LinearOp is used) and returns the gradient of the mean token loss over all of them.
 *
 * ```ts
 * const { grads, loss } = accumulateGradients(model, [batchA, batchB]);
 * ```
 */
export function accumulateGradients(
  model: CausalLM,
  batches: readonly TokenBatch[],
  opts: AccumulateOptions = {},
): AccumulatedGradients {
  if (batches.length === 0)
    throw new TrainingError("TRAIN_DATA", "accumulateGradients: no micro-batches");
  const all = model.namedParameters();
  const names = opts.names ?? Object.keys(all);
  for (const n of names)
    if (!all[n])
      throw new TrainingError("TRAIN_CONFIG", `${n} is not a dense parameter of the model`);
  const vg = valueAndGrad((chosen: Record<string, Tensor>, batch: TokenBatch) =>
    tokenLoss(model, batch, { params: { ...all, ...chosen }, reduction: "sum" }),
  );
  const acc = new Map<string, Float32Array>();
  const dev = new Map<string, Tensor>();
  let lossSum = 0;
  let targets = 0;
  let tokens = 0;
  batches.forEach((batch, k) => {
    opts.onMicroBatch?.(batch, k);
    const chosen = Object.fromEntries(names.map((n) => [n, all[n]!]));
    const onDevice = chosen[names[0]!]?.device !== "cpu";
    const { value, grads } = onDevice ? tidy(() => vg(chosen, batch)) : vg(chosen, batch);
    lossSum += value.item();
    if (value.device !== "cpu") value.dispose();
    targets += countTargets(batch);
    tokens += batch.inputIds.size;
    for (const n of names) {
      const gt = (grads as Record<string, Tensor>)[n]!;
      if (gt.device !== "cpu") {
        // On a device the sum stays there (one add per micro-batch after the first).
        const prev = dev.get(n);
        dev.set(n, prev ? add(prev, gt) : gt);
        if (prev) {
          prev.dispose();
          gt.dispose();
        }
        continue;
      }
      const g = gt.data() as Float32Array;
      const a = acc.get(n);
      if (!a) acc.set(n, Float32Array.from(g));
      else for (let i = 0; i < a.length; i++) a[i] = a[i]! + g[i]!;
    }
  });
  if (targets === 0)
    throw new TrainingError(
      "TRAIN_DATA",
      "the step's micro-batches have no target tokens (check the loss mask)",
    );
  if (!Number.isFinite(lossSum))
    throw new TrainingError(
      "TRAIN_NONFINITE",
      `loss is ${lossSum} (summed over ${targets} targets)`,
    );
  const out: Record<string, Tensor> = {};
  for (const n of names) {
    const d = dev.get(n);
    if (d) {
      out[n] = mul(d, 1 / targets);
      d.dispose();
      continue;
    }
    const a = acc.get(n)!;
    for (let i = 0; i < a.length; i++) a[i] = a[i]! / targets;
    out[n] = Tensor.wrap(a, all[n]!.shape, "f32");
  }
  return { grads: out, loss: lossSum / targets, targets, tokens };
}
