import { describe, expect, it } from "vitest";
import { BpeError } from "../errors.js";
import { BpeEncoder } from "./encoder.js";
import { PairHeap } from "./pair-heap.js";
import { trainBpe, trainBpeOnCounts } from "./trainer.js";
import { countWords } from "./word-counts.js";

// The classic toy corpus (words and frequencies); merges worked out by hand:
// pairs u-g 20, u-n 16, p-u 17 ... -> "ug" (20); then u-n 16 -> "un"; h-ug 15 -> "hug";
// p-un 12 -> "pun"; then p-ug 5 and hug-s 5 tie, the pair of smaller ids (p = 112) wins;
// hug-s 5; b-un 4.
const TOY = new Map([
  ["hug", 10],
  ["pug", 5],
  ["pun", 12],
  ["bun", 4],
  ["hugs", 5],
]);
const TOY_MERGES = [
  ["u", "g"],
  ["u", "n"],
  ["h", "ug"],
  ["p", "un"],
  ["p", "ug"],
  ["hug", "s"],
  ["b", "un"],
];

describe("BPE trainer", () => {
  it("reproduces hand-computed merges on a toy corpus", () => {
    const v = trainBpeOnCounts(TOY, { vocabSize: 1000, specialTokens: [] });
    expect(v.merges).toEqual(TOY_MERGES);
    expect(v.tokens.length).toBe(256 + 7);
    expect(v.tokens.slice(256)).toEqual(["ug", "un", "hug", "pun", "pug", "hugs", "bun"]);
  });

  it("stops at the vocabulary size and at the minimum frequency", () => {
    expect(trainBpeOnCounts(TOY, { vocabSize: 259, specialTokens: [] }).merges).toEqual(
      TOY_MERGES.slice(0, 3),
    );
    expect(
      trainBpeOnCounts(TOY, { vocabSize: 1000, specialTokens: [], minFrequency: 5 }).merges,
    ).toEqual(TOY_MERGES.slice(0, 6));
  });

  it("puts special tokens first and bytes next", () => {
    const v = trainBpeOnCounts(TOY, { vocabSize: 300, specialTokens: ["<s>", "</s>"] });
    expect(v.tokens.slice(0, 3)).toEqual(["<s>", "</s>", "Ā"]);
    expect(v.tokens[2 + 0x20]).toBe("Ġ");
    expect(v.specialTokens).toEqual(["<s>", "</s>"]);
  });

  it("counts pre-tokenized words and merges across the leading space", () => {
    expect([...countWords(["the cat", "the hat<|e|>the"], ["<|e|>"])]).toEqual([
      ["the", 3],
      [" cat", 1],
      [" hat", 1],
    ]);
    const v = trainBpe(["ab ab ab ab"], { vocabSize: 1000, specialTokens: [] });
    expect(v.merges).toEqual([
      ["a", "b"],
      ["Ġ", "ab"],
    ]);
  });

  it("merges overlapping pairs left to right", () => {
    const v = trainBpeOnCounts(new Map([["aaaaa", 3]]), { vocabSize: 1000, specialTokens: [] });
    // aaaaa -> aa aa a; then (aa,aa) and (aa,a) tie at 3 and "a" (97) < "aa" (256):
    // aa aaa -> aaaaa
    expect(v.merges).toEqual([
      ["a", "a"],
      ["aa", "a"],
      ["aa", "aaa"],
    ]);
    expect(new BpeEncoder(v).encodeWord("aaaaaaa").length).toBe(2);
  });

  it("is deterministic", () => {
    const texts = Array.from(
      { length: 200 },
      (_, i) => `passage ${i} about whales and ${i % 7} ships`,
    );
    const a = trainBpe(texts, { vocabSize: 400 });
    const b = trainBpe(texts, { vocabSize: 400 });
    expect(a).toEqual(b);
  });

  it("rejects bad options", () => {
    expect(() => trainBpeOnCounts(TOY, { vocabSize: 100 })).toThrow(BpeError);
    expect(() => trainBpeOnCounts(TOY, { vocabSize: 300, specialTokens: ["a"] })).toThrow(BpeError);
  });
});

describe("pair heap", () => {
  it("pops by count, then by smaller key", () => {
    const h = new PairHeap();
    const entries = [
      [3, 9],
      [7, 4],
      [7, 2],
      [1, 1],
      [5, 5],
      [7, 8],
    ] as const;
    for (const [c, k] of entries) h.push(c, k);
    const out: number[][] = [];
    for (let e = h.pop(); e; e = h.pop()) out.push([e.count, e.key]);
    expect(out).toEqual([
      [7, 2],
      [7, 4],
      [7, 8],
      [5, 5],
      [3, 9],
      [1, 1],
    ]);
    expect(h.size).toBe(0);
  });
});
