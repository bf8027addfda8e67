// The baseline of the model card: a unigram model over the same tokenizer, p(t) = (c_t + 1) /
// (N + V) with c_t the count of token t among the train split's targets, N their number and V the
// vocabulary size (add-one smoothing), scored on exactly the tokens the model is scored on.
import { passageTokens, type TokenSplit } from "./token-stream.js";

/**
 * Token frequencies with add-one smoothing.
 *
 * ```ts
 * const u = UnigramModel.fit([[5, 5, 7]], 10); // p(5) = 3/13, p(7) = 2/13, p(0) = 1/13
 * u.nll([5, 7]); // mean of -ln p
 * ```
 */
export class UnigramModel {
  readonly vocabSize: number;
  readonly counts: Float64Array;
  /** Tokens counted (N). */
  readonly total: number;

  constructor(counts: Float64Array) {
    this.vocabSize = counts.length;
    this.counts = counts;
    this.total = counts.reduce((s, c) => s + c, 0);
  }

  /** Counts the tokens of `sequences` (every id must lie in [0, vocabSize)). */
  static fit(sequences: Iterable<ArrayLike<number>>, vocabSize: number): UnigramModel {
    const counts = new Float64Array(vocabSize);
    for (const seq of sequences)
      for (let i = 0; i < seq.length; i++) {
        const id = seq[i]!;
        if (!(id >= 0 && id < vocabSize))
          throw new RangeError(`token ${id} outside [0, ${vocabSize})`);
        counts[id] = counts[id]! + 1;
      }
    return new UnigramModel(counts);
  }

  /** ln p(id) with add-one smoothing. */
  logProb(id: number): number {
    return Math.log((this.counts[id]! + 1) / (this.total + this.vocabSize));
  }

  /** Sum of -ln p over `tokens`. */
  nllSum(tokens: ArrayLike<number>): number {
    let s = 0;
    for (let i = 0; i < tokens.length; i++) s -= this.logProb(tokens[i]!);
    return s;
  }

  /** Mean of -ln p over `tokens` (nats per token). */
  nll(tokens: ArrayLike<number>): number {
    return this.nllSum(tokens) / tokens.length;
  }
}

/**
 * The targets of a passage-by-passage evaluation: every token of each passage after its BOS (the
 * passage's ids and its EOS), one array per passage.
 *
 * ```ts
 * const u = UnigramModel.fit(passageTargets(readSplit(dir, "train")), 8192);
 * ```
 */
export function passageTargets(split: TokenSplit, maxPassages?: number): Uint16Array[] {
  const n = Math.min(split.index.spans.length, maxPassages ?? Number.POSITIVE_INFINITY);
  return Array.from({ length: n }, (_, i) => passageTokens(split, i).subarray(1));
}
