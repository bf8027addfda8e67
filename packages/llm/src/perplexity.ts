// Perplexity over a long token sequence with a sliding window (the transformers recipe):
// each window re-reads up to `window` tokens of context but scores only tokens not scored before.
import { noGrad, Tensor, tidy } from "@x/tensor";
import { UsageError } from "./errors.js";
import type { CausalLM } from "./protocols.js";
import { causalLmLoss } from "./train/loss.js";

/** Result of {@link perplexity}. */
export interface PerplexityResult {
  /** Mean negative log-likelihood per scored token (nats). */
  nll: number;
  /** exp(nll). */
  ppl: number;
  /** Tokens scored: all but the first with overlapping windows; disjoint windows also skip each window's first token. */
  tokens: number;
  windows: number;
}

/**
 * Sliding-window perplexity (the transformers recipe): windows of `window` tokens start every
 * `stride` tokens and each scores only the tokens after the previous window's end, with up to
 * `window - 1` tokens of context. With stride < window every token but the first is scored
 * once; with stride = window (disjoint windows) each window's first token is not scored.
 *
 * ```ts
 * const { ppl } = perplexity(model, ids, { window: 1024, stride: 512 });
 * ```
 */
export function perplexity(
  model: CausalLM,
  tokens: ArrayLike<number>,
  opts: {
    window?: number;
    stride?: number;
    /** Called after each window with the tokens scored so far and the total to score. */
    onWindow?: (scored: number, total: number) => void;
  } = {},
): PerplexityResult {
  const n = tokens.length;
  const window = opts.window ?? model.config.maxPositionEmbeddings;
  const stride = opts.stride ?? window;
  if (n < 2) throw new UsageError(`perplexity needs at least 2 tokens, got ${n}`);
  if (!Number.isInteger(window) || window < 2)
    throw new UsageError(`perplexity: window must be an integer >= 2, got ${window}`);
  if (!Number.isInteger(stride) || stride < 1 || stride > window)
    throw new UsageError(
      `perplexity: stride must be an integer in 1..window (${window}), got ${stride}`,
    );
  return noGrad(() => {
    let sum = 0;
    let count = 0;
    let windows = 0;
    let prevEnd = 0;
    for (let begin = 0; begin < n; begin += stride) {
      const end = Math.min(begin + window, n);
      const ids = Int32Array.from({ length: end - begin }, (_, i) => tokens[begin + i]!);
      const labels = Int32Array.from(ids);
      const fresh = end - prevEnd; // the last `fresh` tokens were not scored before
      labels.fill(-100, 0, ids.length - fresh);
      const scored = labels.slice(1).filter((x) => x !== -100).length;
      // tidy frees a device window's activations at once (a no-op scope on the CPU).
      const loss = tidy(() => {
        const logits = model.forward({ inputIds: Tensor.wrap(ids, [1, ids.length], "i32") });
        if (scored === 0) return 0;
        const lab = Tensor.wrap(labels, [1, labels.length], "i32");
        return causalLmLoss(logits, lab, { reduction: "sum" }).item();
      });
      if (scored > 0) {
        sum += loss;
        count += scored;
      }
      windows++;
      prevEnd = end;
      opts.onWindow?.(count, n - 1);
      if (end === n) break;
    }
    const nll = sum / count;
    return { nll, ppl: Math.exp(nll), tokens: count, windows };
  });
}
