import { describe, expect, it } from "vitest";
import { BpeEncoder } from "./encoder.js";
import { evaluateTokenizer } from "./evaluate.js";
import { trainBpe } from "./trainer.js";

describe("evaluateTokenizer", () => {
  const texts = Array.from({ length: 100 }, (_, i) => `the whale ${i % 10} and the ship`);

  it("gives one byte per token without merges", () => {
    const enc = new BpeEncoder(trainBpe(texts, { vocabSize: 258 }));
    const s = evaluateTokenizer(enc, texts, texts.slice(0, 10));
    expect(s.bytesPerToken).toBe(1);
    expect(s.tokens).toBe(s.bytes);
  });

  it("compresses with merges and beats the byte unigram", () => {
    const enc = new BpeEncoder(trainBpe(texts, { vocabSize: 300 }));
    const s = evaluateTokenizer(enc, texts, texts.slice(0, 10));
    expect(s.bytesPerToken).toBeGreaterThan(3);
    expect(s.tokenUnigramBitsPerByte).toBeLessThan(s.byteUnigramBitsPerByte);
    expect(s.bytes).toBe(texts.slice(0, 10).reduce((n, t) => n + t.length, 0));
  });
});
