// A rule-based English sentence splitter, good enough to place passage boundaries between
// sentences of 18th-21st century prose (titles, initials and "U.S." do not end a sentence).

/** Words that end with a period without ending the sentence. */
const ABBREVIATIONS = new Set(
  (
    "mr mrs ms messrs dr st jr sr gen col maj capt lt sgt adm hon rev gov sen rep pres prof " +
    "no nos vs etc co corp inc ltd bros mt ft jan feb mar apr aug sept sep oct nov dec viz " +
    "cf e.g i.e ch art sec secs vol pp p u.s u.s.a d.c a.m p.m esq"
  ).split(" "),
);

/** A candidate end: terminal punctuation, closing quotes/brackets, white space. */
const BOUNDARY = /[.!?]+["'”’)\]]*\s+/g;

/** True when the text after a boundary can start a sentence. */
function startsSentence(rest: string): boolean {
  return /^["'“‘([]*[\p{Lu}\p{N}]/u.test(rest);
}

/** True when the period that ends `before` belongs to an abbreviation or an initial. */
function isAbbreviation(before: string): boolean {
  const m = /(\S+)$/.exec(before);
  if (!m) return false;
  const word = m[1]!.replace(/^["'“‘([]+/, "");
  if (!word.endsWith(".")) return false;
  const bare = word.slice(0, -1).toLowerCase();
  if (ABBREVIATIONS.has(bare)) return true;
  // Initials and dotted acronyms: "J.", "U.S.", "H.R."
  return /^(\p{L}\.)*\p{L}$/u.test(bare) && bare.replace(/\./g, "").length <= 3;
}

/**
 * Splits one cleaned paragraph into sentences; joining them with single spaces gives the
 * paragraph back.
 *
 * ```ts
 * splitSentences("Mr. Lincoln spoke. The U.S. Senate listened!");
 * // ["Mr. Lincoln spoke.", "The U.S. Senate listened!"]
 * ```
 */
export function splitSentences(paragraph: string): string[] {
  const out: string[] = [];
  let start = 0;
  BOUNDARY.lastIndex = 0;
  for (let m = BOUNDARY.exec(paragraph); m !== null; m = BOUNDARY.exec(paragraph)) {
    const end = m.index + m[0].trimEnd().length;
    const next = m.index + m[0].length;
    if (!startsSentence(paragraph.slice(next, next + 8))) continue;
    if (
      m[0].startsWith(".") &&
      m[0].trimEnd() === "." &&
      isAbbreviation(paragraph.slice(start, end))
    )
      continue;
    out.push(paragraph.slice(start, end));
    start = next;
  }
  if (start < paragraph.length) out.push(paragraph.slice(start));
  return out;
}
