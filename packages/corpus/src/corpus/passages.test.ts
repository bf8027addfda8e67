import { describe, expect, it } from "vitest";
import { CorpusError } from "../errors.js";
import { wordCount } from "./clean.js";
import { chunkParagraph, documentPassages } from "./passages.js";
import { splitSentences } from "./sentences.js";

describe("sentences", () => {
  it("does not end sentences at titles, initials or U.S.", () => {
    expect(splitSentences("Mr. Lincoln spoke. The U.S. Senate listened! Did it? Yes.")).toEqual([
      "Mr. Lincoln spoke.",
      "The U.S. Senate listened!",
      "Did it?",
      "Yes.",
    ]);
    expect(splitSentences("John F. Kennedy came. He left.")).toEqual([
      "John F. Kennedy came.",
      "He left.",
    ]);
    expect(splitSentences('He said "Go." Then went.')).toEqual(['He said "Go."', "Then went."]);
    expect(splitSentences("no end in sight")).toEqual(["no end in sight"]);
  });
});

describe("passages", () => {
  const sentence = (i: number) => `Sentence number ${i} has exactly seven words.`;
  const long = Array.from({ length: 100 }, (_, i) => sentence(i)).join(" "); // 700 words

  it("keeps short paragraphs whole", () => {
    expect(chunkParagraph("A short one.")).toEqual(["A short one."]);
  });

  it("cuts long paragraphs between sentences into near-equal pieces", () => {
    const pieces = chunkParagraph(long, { maxWords: 200 });
    expect(pieces.length).toBe(4);
    expect(pieces.join(" ")).toBe(long);
    for (const p of pieces) {
      expect(p.endsWith(".")).toBe(true);
      expect(Math.abs(wordCount(p) - 175)).toBeLessThanOrEqual(7);
    }
  });

  it("numbers passages across paragraphs", () => {
    const out = documentPassages(["First.", long], { maxWords: 350 });
    expect(out.map((p) => [p.index, p.paragraph])).toEqual([
      [0, 0],
      [1, 1],
      [2, 1],
    ]);
  });

  it("rejects a bad limit", () => {
    expect(() => chunkParagraph(long, { maxWords: 0 })).toThrow(CorpusError);
  });
});
