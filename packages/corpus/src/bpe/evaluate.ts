// Cheap measures of a tokenizer on held-out text: bytes per token, and the cross-entropy of a
// unigram model over its tokens versus a unigram model over raw bytes (both fit on train text,
// add-one smoothed). The second pair is the zeroth-order baseline a language model must beat.
import type { BpeEncoder } from "./encoder.js";

/** What {@link evaluateTokenizer} measures. */
export interface TokenizerStats {
  /** UTF-8 bytes of the evaluation texts. */
  bytes: number;
  tokens: number;
  /** bytes / tokens (higher compresses better). */
  bytesPerToken: number;
  /** Bits per byte of the token-unigram model. */
  tokenUnigramBitsPerByte: number;
  /** Bits per byte of the byte-unigram model (no tokenizer). */
  byteUnigramBitsPerByte: number;
  /** Vocabulary entries never produced on the fit texts. */
  unusedTokens: number;
}

function unigramBits(fit: Float64Array, evalCounts: Float64Array): number {
  let total = 0;
  for (const c of fit) total += c + 1;
  let bits = 0;
  for (let i = 0; i < evalCounts.length; i++) {
    if (evalCounts[i]! > 0) bits -= evalCounts[i]! * Math.log2((fit[i]! + 1) / total);
  }
  return bits;
}

/**
 * Measures `encoder` on `evalTexts`, with unigram models fit on `fitTexts`.
 *
 * ```ts
 * const stats = evaluateTokenizer(enc, train.map((p) => p.text), validation.map((p) => p.text));
 * stats.bytesPerToken; // about 4.7 for the default tokenizer on the validation split
 * ```
 */
export function evaluateTokenizer(
  encoder: BpeEncoder,
  fitTexts: readonly string[],
  evalTexts: readonly string[],
): TokenizerStats {
  const utf8 = new TextEncoder();
  const count = (texts: readonly string[]) => {
    const tok = new Float64Array(encoder.size);
    const byte = new Float64Array(256);
    let bytes = 0;
    let tokens = 0;
    for (const t of texts) {
      for (const id of encoder.encode(t)) tok[id]!++;
      for (const b of utf8.encode(t)) byte[b]!++;
    }
    for (const c of tok) tokens += c;
    for (const c of byte) bytes += c;
    return { tok, byte, bytes, tokens };
  };
  const fit = count(fitTexts);
  const ev = count(evalTexts);
  return {
    bytes: ev.bytes,
    tokens: ev.tokens,
    bytesPerToken: ev.bytes / ev.tokens,
    tokenUnigramBitsPerByte: unigramBits(fit.tok, ev.tok) / ev.bytes,
    byteUnigramBitsPerByte: unigramBits(fit.byte, ev.byte) / ev.bytes,
    unusedTokens: fit.tok.filter((c) => c === 0).length,
  };
}
