// Passages: the training examples of the default model. A paragraph up to `maxWords` long is one
// passage; a longer one (a State of the Union address has no paragraph breaks at all) is cut
// between sentences into the fewest pieces of at most about `maxWords` words, of near-equal size.

import { CorpusError } from "../errors.js";
import { wordCount } from "./clean.js";
import { splitSentences } from "./sentences.js";

/** How paragraphs become passages. */
export interface ChunkOptions {
  /** Longest passage (words) before a paragraph is cut; default 200. */
  maxWords?: number;
}

/** Default of {@link ChunkOptions.maxWords}. */
export const DEFAULT_MAX_WORDS = 200;

/**
 * Cuts one cleaned paragraph into passages at sentence boundaries. A single sentence longer
 * than the limit stays whole.
 *
 * ```ts
 * chunkParagraph("One. Two. Three.", { maxWords: 2 }); // ["One. Two.", "Three."]
 * ```
 */
export function chunkParagraph(paragraph: string, opts: ChunkOptions = {}): string[] {
  const maxWords = opts.maxWords ?? DEFAULT_MAX_WORDS;
  if (!Number.isInteger(maxWords) || maxWords < 1) {
    throw new CorpusError(`chunkParagraph: maxWords must be a positive integer, got ${maxWords}`);
  }
  const total = wordCount(paragraph);
  if (total <= maxWords) return [paragraph];
  const pieces = Math.ceil(total / maxWords);
  const target = total / pieces;
  const out: string[] = [];
  let current: string[] = [];
  let words = 0;
  let done = 0; // words already emitted
  for (const sentence of splitSentences(paragraph)) {
    const n = wordCount(sentence);
    // Close the piece when this sentence would carry it further past its share than stopping short.
    const goal = target * (out.length + 1);
    if (current.length > 0 && done + words + n - goal > goal - (done + words)) {
      out.push(current.join(" "));
      done += words;
      current = [];
      words = 0;
    }
    current.push(sentence);
    words += n;
  }
  if (current.length > 0) out.push(current.join(" "));
  return out;
}

/**
 * Cuts every paragraph of a document and numbers the passages in document order.
 *
 * ```ts
 * documentPassages(["Short paragraph."]); // [{ index: 0, paragraph: 0, text: "Short paragraph." }]
 * ```
 */
export function documentPassages(
  paragraphs: readonly string[],
  opts: ChunkOptions = {},
): { index: number; paragraph: number; text: string }[] {
  const out: { index: number; paragraph: number; text: string }[] = [];
  paragraphs.forEach((p, paragraph) => {
    for (const text of chunkParagraph(p, opts)) out.push({ index: out.length, paragraph, text });
  });
  return out;
}
