import { describe, expect, it } from "vitest";
import { randomText, rng } from "../../test/random-text.js";
import { BpeError } from "../errors.js";
import { BpeEncoder, symbolsToBytes } from "./encoder.js";
import { trainBpe, trainBpeOnCounts } from "./trainer.js";

const TOY = new Map([
  ["hug", 10],
  ["pug", 5],
  ["pun", 12],
  ["bun", 4],
  ["hugs", 5],
]);

describe("BPE encoder", () => {
  const toy = new BpeEncoder(trainBpeOnCounts(TOY, { vocabSize: 1000 }));
  const id = (t: string) => toy.vocab.tokens.indexOf(t);

  it("applies merges by rank", () => {
    expect(toy.encode("hugs")).toEqual([id("hugs")]);
    expect(toy.encode("bug")).toEqual([id("b"), id("ug")]);
    expect(toy.encode("pun hug")).toEqual([id("pun"), id("Ġ"), id("hug")]);
    expect(toy.encode("hug", { addBos: true })).toEqual([0, id("hug")]);
    expect(toy.encode("")).toEqual([]);
  });

  it("keeps special tokens whole", () => {
    expect(toy.encode("hug<|end_of_text|>")).toEqual([id("hug"), 1]);
    expect(toy.decode([0, id("hug"), 1])).toBe("<|begin_of_text|>hug<|end_of_text|>");
  });

  it("round-trips random text", () => {
    const texts = Array.from({ length: 300 }, (_, i) => randomText(rng(i), 40));
    const enc = new BpeEncoder(trainBpe(texts.slice(0, 150), { vocabSize: 700 }));
    for (const t of texts) expect(enc.decode(enc.encode(t))).toBe(t);
  });

  it("encodes a lone surrogate as U+FFFD, as UTF-8 encoding does", () => {
    expect(toy.decode(toy.encode("a\ud800b"))).toBe("a\ufffdb");
  });

  it("decodes arbitrary bytes, invalid UTF-8 included, exactly at the byte level", () => {
    const next = rng(7);
    for (let trial = 0; trial < 50; trial++) {
      const bytes = Uint8Array.from({ length: 1 + Math.floor(next() * 40) }, () =>
        Math.floor(next() * 256),
      );
      const ids = Array.from(bytes, (b) => 2 + b); // byte tokens follow the two specials
      expect(toy.decodeBytes(ids)).toEqual(bytes);
      expect(toy.decode(ids)).toBe(new TextDecoder().decode(bytes));
    }
    expect(toy.decode([2 + 0xff, 2 + 0xc3])).toBe("\ufffd\ufffd");
  });

  it("maps byte-level strings back to bytes", () => {
    expect(symbolsToBytes("ĠÃ©")).toEqual(Uint8Array.from([0x20, 0xc3, 0xa9]));
    expect(() => symbolsToBytes(" ")).toThrow(BpeError);
  });

  it("rejects ids outside the vocabulary and inconsistent vocabularies", () => {
    expect(() => toy.decode([toy.size])).toThrow(BpeError);
    expect(() => toy.decode([1.5])).toThrow(BpeError);
    const v = toy.vocab;
    expect(() => new BpeEncoder({ ...v, merges: [...v.merges, ["zz", "q"]] })).toThrow(BpeError);
    expect(() => new BpeEncoder({ ...v, specialTokens: ["<nope>"] })).toThrow(BpeError);
  });
});
