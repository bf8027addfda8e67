// Held-out perplexity of the default model, passage by passage: each passage (BOS, ids, EOS) is
// scored on its own with @x/llm's sliding-window perplexity (window W, stride S: a passage longer
// than W is read in windows starting every S tokens, each token scored once with up to W - 1
// tokens of context), so the targets are exactly every passage's ids and EOS, never its BOS.
import { type CausalLM, perplexity } from "@x/llm";
import { passageTokens, type TokenSplit } from "./token-stream.js";
import type { UnigramModel } from "./unigram.js";

/** How the held-out text is read. */
export interface HeldOutOptions {
  /** Tokens of context per window (default 256, the training sequence length). */
  window?: number;
  /** Tokens between window starts within a long passage (default window / 2). */
  stride?: number;
  /** Score only the first N passages of the split. */
  maxPassages?: number;
  /** Called after each passage with the passages done and the total. */
  onPassage?: (done: number, total: number) => void;
}

/** Perplexity over a split's passages (model and, when given, the unigram baseline). */
export interface HeldOutResult {
  split: string;
  passages: number;
  /** Tokens scored (each passage's ids and EOS). */
  tokens: number;
  /** UTF-8 bytes of the scored passages' text. */
  bytes: number;
  window: number;
  stride: number;
  windows: number;
  /** Mean negative log-likelihood per token (nats), exp of it, and bits per UTF-8 byte. */
  nll: number;
  ppl: number;
  bitsPerByte: number;
  unigram?: { nll: number; ppl: number; bitsPerByte: number };
}

/**
 * Scores the passages of `split` with `model` (and `unigram` on the same targets).
 *
 * ```ts
 * const r = heldOutPerplexity(model, readSplit(dir, "validation"), { window: 256, stride: 128 });
 * console.log(r.ppl, r.unigram?.ppl);
 * ```
 */
export function heldOutPerplexity(
  model: CausalLM,
  split: TokenSplit,
  opts: HeldOutOptions & { unigram?: UnigramModel } = {},
): HeldOutResult {
  const window = Math.min(opts.window ?? 256, model.config.maxPositionEmbeddings);
  const stride = opts.stride ?? Math.max(1, Math.floor(window / 2));
  const n = Math.min(split.index.spans.length, opts.maxPassages ?? Number.POSITIVE_INFINITY);
  let nllSum = 0;
  let uniSum = 0;
  let tokens = 0;
  let bytes = 0;
  let windows = 0;
  for (let i = 0; i < n; i++) {
    const ids = passageTokens(split, i);
    // A passage that fits one window is one window (stride = its length).
    const w = Math.min(window, ids.length);
    const r = perplexity(model, ids, { window: w, stride: ids.length <= window ? w : stride });
    if (r.tokens !== ids.length - 1)
      throw new Error(
        `passage ${split.index.spans[i]!.id}: ${r.tokens} tokens scored, expected ${ids.length - 1}`,
      );
    nllSum += r.nll * r.tokens;
    tokens += r.tokens;
    windows += r.windows;
    bytes += split.index.spans[i]!.bytes;
    if (opts.unigram) uniSum += opts.unigram.nllSum(ids.subarray(1));
    opts.onPassage?.(i + 1, n);
  }
  const nll = nllSum / tokens;
  const bpb = (sum: number) => sum / Math.LN2 / bytes;
  const result: HeldOutResult = {
    split: split.index.split,
    passages: n,
    tokens,
    bytes,
    window,
    stride,
    windows,
    nll,
    ppl: Math.exp(nll),
    bitsPerByte: bpb(nllSum),
  };
  if (opts.unigram) {
    const u = uniSum / tokens;
    result.unigram = { nll: u, ppl: Math.exp(u), bitsPerByte: bpb(uniSum) };
  }
  return result;
}
