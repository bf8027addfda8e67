// Stop conditions on token ids (stop strings are matched by a tokenizer through `shouldStop`).

/**
 * True when `tokens` ends with one of `sequences`.
 *
 * ```ts
 * matchesStopSequence([5, 1, 2], [[1, 2]]); // true
 * ```
 */
export function matchesStopSequence(
  tokens: readonly number[],
  sequences: readonly (readonly number[])[] | undefined,
): boolean {
  if (!sequences) return false;
  outer: for (const s of sequences) {
    if (s.length === 0 || s.length > tokens.length) continue;
    const off = tokens.length - s.length;
    for (let i = 0; i < s.length; i++) if (tokens[off + i] !== s[i]) continue outer;
    return true;
  }
  return false;
}
