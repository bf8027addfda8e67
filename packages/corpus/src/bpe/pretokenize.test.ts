import { describe, expect, it } from "vitest";
import { pretokenize, splitSpecial } from "./pretokenize.js";

describe("pre-tokenizer", () => {
  it("splits like GPT-2", () => {
    expect(pretokenize("I've 2 dogs!  Yes")).toEqual(["I", "'ve", " 2", " dogs", "!", " ", " Yes"]);
    // A white-space run before a word leaves its last character to stand alone (GPT-2).
    expect(pretokenize("Hello\n\nworld  ")).toEqual(["Hello", "\n", "\n", "world", "  "]);
    // Contractions are lower case only, as in GPT-2.
    expect(pretokenize("DON'T it's")).toEqual(["DON", "'", "T", " it", "'s"]);
    expect(pretokenize("1863, $13,000")).toEqual(["1863", ",", " $", "13", ",", "000"]);
    expect(pretokenize("")).toEqual([]);
  });

  it("loses nothing", () => {
    const s = "  a\tb\u00a0c — “d” 🐋 e\u0301 日本\n\n";
    expect(pretokenize(s).join("")).toBe(s);
  });

  it("splits around special tokens, longest first", () => {
    expect(splitSpecial("a<|x|>b<|xy|>", ["<|x|>", "<|xy|>"])).toEqual([
      { text: "a", special: false },
      { text: "<|x|>", special: true },
      { text: "b", special: false },
      { text: "<|xy|>", special: true },
    ]);
    expect(splitSpecial("", ["<|x|>"])).toEqual([]);
    expect(splitSpecial("plain", [])).toEqual([{ text: "plain", special: false }]);
  });
});
