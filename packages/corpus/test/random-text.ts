// Seeded random strings for property tests: a mix of ASCII words, white-space runs,
// punctuation, contractions, accented letters, CJK, emoji and astral symbols.

/** A small seeded generator (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PIECES = [
  "the",
  " the",
  "whale",
  " Ahab",
  "'s",
  "'ll",
  "'T",
  " ",
  "  ",
  "\n",
  "\n\n",
  "\t",
  ".",
  ",",
  "!?",
  "—",
  "“",
  "”",
  "1863",
  " 42",
  "3.14",
  "é",
  "e\u0301",
  "naïve",
  "日本",
  "語",
  "🐋",
  "👩‍👧",
  "\u00a0",
  "\u3000",
  "\u0001",
  "ÿ",
  "<",
  "|",
  ">",
  "$",
  "%",
  "Ġ",
  "Ċ",
  "x",
  "q",
  "Z",
];

/**
 * A random string of `n` pieces drawn from a fixed list.
 *
 * ```ts
 * randomText(rng(1), 10);
 * ```
 */
export function randomText(next: () => number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) {
    if (next() < 0.1) {
      const cp = 0x20 + Math.floor(next() * 0x2ffff);
      // Lone surrogates are not Unicode text (UTF-8 encoding turns them into U+FFFD).
      s += String.fromCodePoint(cp >= 0xd800 && cp <= 0xdfff ? cp + 0x800 : cp);
    } else s += PIECES[Math.floor(next() * PIECES.length)]!;
  }
  return s;
}
