// Causal-LM losses over chosen target tokens, and per-example gradients (what RapidIn sketches
// and what a trainer differentiates).
import { crossEntropy, Tensor, valueAndGrad } from "@x/tensor";
import { UsageError } from "../errors.js";
import type { CausalLM } from "../protocols.js";

/**
 * Hugging Face's causal-LM loss: logits [B, T, V] at position t predict labels[t + 1]
 * (the shift happens here), labels -100 are ignored; mean over counted targets by default.
 *
 * ```ts
 * const loss = causalLmLoss(model.forward({ inputIds }), labels); // labels = inputIds with -100 on the prompt
 * ```
 */
export function causalLmLoss(
  logits: Tensor,
  labels: Tensor,
  opts: { reduction?: "mean" | "sum" | "none" } = {},
): Tensor {
  if (
    logits.ndim !== 3 ||
    labels.ndim !== 2 ||
    logits.shape[0] !== labels.shape[0] ||
    logits.shape[1] !== labels.shape[1]
  ) {
    throw new UsageError(
      `causalLmLoss: logits [${logits.shape.join(", ")}] and labels [${labels.shape.join(", ")}] must be [B, T, V] and [B, T]`,
    );
  }
  const t = logits.shape[1]!;
  const shifted = labels.slice(1, 1, t).contiguous();
  return crossEntropy(logits.slice(1, 0, t - 1), shifted, { reduction: opts.reduction ?? "mean" });
}

/** Which target tokens a loss counts: a [B, T] 0/1 mask (Tensor, typed array or nested arrays); token t is predicted from tokens < t, so column 0 is never counted. */
export type TokenMask = Tensor | Uint8Array | readonly (readonly (number | boolean)[])[];

/** A batch of token ids i32 [B, T] and, optionally, which targets count. */
export interface TokenBatch {
  inputIds: Tensor;
  /** Default: every token after the first. */
  mask?: TokenMask;
}

/**
 * Labels for {@link causalLmLoss}: the ids where `mask` is set, -100 elsewhere.
 *
 * ```ts
 * maskedLabels(ids, [[0, 0, 1, 1]]); // only the last two tokens are targets
 * ```
 */
export function maskedLabels(inputIds: Tensor, mask?: TokenMask): Tensor {
  const ids = inputIds.ndim === 1 ? inputIds.reshape([1, -1]) : inputIds;
  const [b, t] = ids.shape as [number, number];
  const out = Int32Array.from(ids.data() as Int32Array);
  if (mask === undefined) {
    for (let r = 0; r < b; r++) out[r * t] = -100;
    return Tensor.wrap(out, [b, t], "i32");
  }
  const flat: ArrayLike<number | boolean> =
    mask instanceof Tensor ? mask.toArray() : mask instanceof Uint8Array ? mask : mask.flat();
  if (flat.length !== b * t)
    throw new UsageError(`token mask has ${flat.length} entries for a [${b}, ${t}] batch`);
  for (let i = 0; i < flat.length; i++) if (!flat[i] || i % t === 0) out[i] = -100;
  return Tensor.wrap(out, [b, t], "i32");
}

/**
 * Mean (or summed) next-token loss of `batch` over the targets its mask selects.
 *
 * ```ts
 * const loss = tokenLoss(model, { inputIds, mask: responseMask });
 * ```
 */
export function tokenLoss(
  model: CausalLM,
  batch: TokenBatch,
  opts: { params?: Readonly<Record<string, Tensor>>; reduction?: "mean" | "sum" } = {},
): Tensor {
  const ids = batch.inputIds.ndim === 1 ? batch.inputIds.reshape([1, -1]) : batch.inputIds;
  const logits = model.forward({ inputIds: ids, ...(opts.params ? { params: opts.params } : {}) });
  return causalLmLoss(logits, maskedLabels(ids, batch.mask), {
    reduction: opts.reduction ?? "mean",
  });
}

/** Options of {@link perExampleGradients}. */
export interface ExampleGradientOptions {
  /** Parameters to differentiate: names, or a predicate on names (default: all dense parameters). */
  params?: readonly string[] | ((name: string) => boolean);
  reduction?: "mean" | "sum";
}

/** The loss and gradients of one example. */
export interface ExampleGradients {
  index: number;
  loss: number;
  grads: Record<string, Tensor>;
}

/**
 * Gradients of each example's token loss w.r.t. chosen parameters, one example at a time (the
 * per-example access RapidIn sketches). Yields to the event loop between examples.
 *
 * ```ts
 * for await (const { index, grads } of perExampleGradients(model, examples, { params: (n) => n.includes("mlp") })) {
 *   sketcher.sketch(grads);
 * }
 * ```
 */
export async function* perExampleGradients(
  model: CausalLM,
  examples: Iterable<TokenBatch> | AsyncIterable<TokenBatch>,
  opts: ExampleGradientOptions = {},
): AsyncGenerator<ExampleGradients> {
  const all = model.namedParameters();
  const sel = opts.params;
  const names =
    sel === undefined
      ? Object.keys(all)
      : typeof sel === "function"
        ? Object.keys(all).filter(sel)
        : [...sel];
  for (const n of names)
    if (!all[n])
      throw new UsageError(`perExampleGradients: ${n} is not a dense parameter of the model`);
  const vg = valueAndGrad((chosen: Record<string, Tensor>, batch: TokenBatch) =>
    tokenLoss(model, batch, { params: { ...all, ...chosen }, reduction: opts.reduction ?? "mean" }),
  );
  let index = 0;
  for await (const ex of examples) {
    const chosen = Object.fromEntries(names.map((n) => [n, all[n]!]));
    const { value, grads } = vg(chosen, ex);
    yield { index: index++, loss: value.item(), grads: grads as Record<string, Tensor> };
    await new Promise<void>((r) => setImmediate(r));
  }
}
