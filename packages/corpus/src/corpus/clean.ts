// Text cleaning shared by every source: Unicode NFC, no control characters, one space between
// words inside a paragraph, paragraphs separated by exactly one blank line.

/** Control characters other than tab/newline/carriage return (e.g. a stray U+0002 in SOTU). */
const CONTROL = /(?![\t\n\r])[\p{Cc}\u200b\ufeff]/gu;
/** Any run of horizontal or Unicode white space that is not a line break. */
const SPACES = /[^\S\n]+/g;

/**
 * Normalizes one paragraph: NFC, control characters removed, every white-space run (newlines
 * included) turned into one ASCII space, trimmed.
 *
 * ```ts
 * cleanParagraph("  Call\u00a0me \n Ishmael. "); // "Call me Ishmael."
 * ```
 */
export function cleanParagraph(text: string): string {
  return text.normalize("NFC").replace(CONTROL, "").replace(/\s+/g, " ").trim();
}

/**
 * Splits `text` into cleaned, non-empty paragraphs at blank lines (a line holding only white
 * space counts as blank).
 *
 * ```ts
 * splitParagraphs("One.\n\n  \nTwo\nlines."); // ["One.", "Two lines."]
 * ```
 */
export function splitParagraphs(text: string): string[] {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(SPACES, " ")
    .split(/\n[ ]*\n/)
    .map(cleanParagraph)
    .filter((p) => p.length > 0);
}

/**
 * Number of white-space separated words of a cleaned paragraph.
 *
 * ```ts
 * wordCount("Call me Ishmael."); // 3
 * ```
 */
export function wordCount(text: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const space = text.charCodeAt(i) === 32;
    if (!space && !inWord) n++;
    inWord = !space;
  }
  return n;
}
