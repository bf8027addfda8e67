// What BPE training produces and a tokenizer.json holds: the token strings by id, the merges
// in rank order, and the special tokens.

/** Beginning-of-text marker of the default tokenizer (Llama 3's spelling). */
export const BOS_TOKEN = "<|begin_of_text|>";
/** End-of-text marker of the default tokenizer. */
export const EOS_TOKEN = "<|end_of_text|>";

/**
 * A byte-level BPE vocabulary. Ids are: the special tokens first, then the 256 byte tokens in
 * byte order, then one token per new merge result.
 *
 * ```ts
 * const v: BpeVocabulary = trainBpe(texts, { vocabSize: 4096 });
 * v.tokens[v.specialTokens.length + 0x20]; // "Ġ", the space byte
 * ```
 */
export interface BpeVocabulary {
  /** Token strings by id: special tokens verbatim, the rest in GPT-2's byte-to-unicode alphabet. */
  tokens: string[];
  /** Merges in rank order, as pairs of token strings. */
  merges: [string, string][];
  /** The special tokens (ids 0 .. n-1); the first is BOS and the second EOS in this package. */
  specialTokens: string[];
}
