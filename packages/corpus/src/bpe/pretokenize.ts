// The pre-tokenizer of byte-level BPE: GPT-2's regular expression, as Hugging Face's ByteLevel
// pre-tokenizer applies it with use_regex = true and add_prefix_space = false, plus the split
// around special tokens that happens before it.

/**
 * GPT-2's split pattern: English contractions, letter runs, digit runs and other-symbol runs,
 * each with at most one leading space, and white space (a run before a non-space keeps its
 * last space for the next word).
 */
export const PRETOKENIZE_PATTERN =
  /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/**
 * Splits text into the pieces BPE merges never cross; concatenated they give `text` back.
 *
 * ```ts
 * pretokenize("I've 2 dogs!  Yes"); // ["I", "'ve", " 2", " dogs", "!", " ", " Yes"]
 * ```
 */
export function pretokenize(text: string): string[] {
  return text.match(PRETOKENIZE_PATTERN) ?? [];
}

/**
 * Splits `text` at every occurrence of a special token (longest match first at a position);
 * returns alternating pieces tagged as text or special.
 *
 * ```ts
 * splitSpecial("a<|end_of_text|>b", ["<|end_of_text|>"]);
 * // [{ text: "a", special: false }, { text: "<|end_of_text|>", special: true }, { text: "b", special: false }]
 * ```
 */
export function splitSpecial(
  text: string,
  specials: readonly string[],
): { text: string; special: boolean }[] {
  const present = specials.filter((s) => s.length > 0 && text.includes(s));
  if (present.length === 0) return text.length > 0 ? [{ text, special: false }] : [];
  const sorted = [...present].sort((a, b) => b.length - a.length);
  const out: { text: string; special: boolean }[] = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const hit = sorted.find((s) => text.startsWith(s, i));
    if (hit === undefined) {
      i++;
      continue;
    }
    if (i > start) out.push({ text: text.slice(start, i), special: false });
    out.push({ text: hit, special: true });
    i += hit.length;
    start = i;
  }
  if (start < text.length) out.push({ text: text.slice(start), special: false });
  return out;
}
