// Hand-written strings that probe the pre-tokenizer and the byte map where implementations are
// most likely to disagree (white-space runs, contractions, non-Latin scripts, emoji, special
// tokens inside text, Unicode spaces that JavaScript and Oniguruma may class differently).
export const EDGE_CASES: readonly string[] = [
  "Call me Ishmael.",
  "Hello world",
  "  two leading spaces",
  "trailing spaces   ",
  "tabs\tand\nnewlines\n\nand a blank line",
  "   \n\t  ",
  "I've they'll we'd it's DON'T you're I'm",
  "numbers 12345 3.14 1,000,000 $13,000,000 1863",
  "émigré naïve café — “quotes” ‘single’ – dash",
  "日本語のテキストと中文",
  "emoji 🐋🐳 and a family 👩‍👩‍👧 and flags 🇺🇸",
  "combining e\u0301 versus é",
  "non\u00a0breaking\u2003em space\u3000ideographic",
  "next\u0085line and\u2028line separator",
  "\ufeffbyte order mark",
  "a<|end_of_text|>b<|begin_of_text|>c",
  "<|begin_of_text|>",
  "control \u0001\u0002\u007f bytes",
  "Ahab's 'whale'!!! ...?!",
  "x".repeat(200),
  "the the the the the the the the",
  "",
];
