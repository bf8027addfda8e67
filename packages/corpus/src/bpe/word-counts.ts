// Counting the pre-tokenized words of a training text: BPE training runs over unique words
// with their frequencies, never over the raw text again.
import { pretokenize, splitSpecial } from "./pretokenize.js";

/**
 * Adds the pre-tokenized pieces of every text to `counts` (special-token occurrences are
 * skipped, as the encoder never merges across them).
 *
 * ```ts
 * countWords(["the cat", "the hat"]); // Map { "the" => 2, " cat" => 1, " hat" => 1 }
 * ```
 */
export function countWords(
  texts: Iterable<string>,
  specials: readonly string[] = [],
  counts: Map<string, number> = new Map(),
): Map<string, number> {
  for (const text of texts) {
    for (const part of splitSpecial(text, specials)) {
      if (part.special) continue;
      for (const word of pretokenize(part.text)) counts.set(word, (counts.get(word) ?? 0) + 1);
    }
  }
  return counts;
}
