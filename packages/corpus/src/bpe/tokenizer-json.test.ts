import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadTokenizer } from "@x/llm";
import { describe, expect, it } from "vitest";
import { randomText, rng } from "../../test/random-text.js";
import { BpeError } from "../errors.js";
import { BpeEncoder } from "./encoder.js";
import { readTokenizerFolder, writeTokenizerFolder } from "./tokenizer-folder.js";
import { parseTokenizerJson } from "./tokenizer-json.js";
import { trainBpe } from "./trainer.js";

describe("tokenizer.json", () => {
  const texts = Array.from({ length: 400 }, (_, i) => randomText(rng(100 + i), 30));
  const vocab = trainBpe(texts.slice(0, 200), { vocabSize: 600 });

  it("round-trips through a folder and loads in @huggingface/tokenizers with the same ids", () => {
    const dir = mkdtempSync(join(tmpdir(), "x-corpus-bpe-"));
    try {
      writeTokenizerFolder(dir, vocab);
      expect(readTokenizerFolder(dir)).toEqual(vocab);
      const config = JSON.parse(readFileSync(join(dir, "tokenizer_config.json"), "utf8"));
      expect(config.bos_token).toBe("<|begin_of_text|>");
      expect(config.eos_token).toBe("<|end_of_text|>");
      const hf = loadTokenizer(dir);
      expect(hf.bosTokenId).toBe(0);
      expect(hf.eosTokenIds).toEqual([1]);
      expect(hf.vocabSize).toBe(vocab.tokens.length);
      const ours = new BpeEncoder(vocab);
      for (const t of texts) {
        const ids = ours.encode(t);
        expect(hf.encode(t, { addSpecialTokens: false })).toEqual(ids);
        expect(hf.encode(t)).toEqual([0, ...ids]);
        expect(hf.decode(ids)).toBe(t);
      }
      // Invalid UTF-8 decodes to the same replacement characters.
      const bad = [2 + 0xff, 2 + 0x41, 2 + 0xe6, 2 + 0x97, 2 + 0x20, 2 + 0xc3];
      expect(hf.decode(bad)).toBe(ours.decode(bad));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects what is not a byte-level BPE tokenizer", () => {
    expect(() => parseTokenizerJson(null)).toThrow(BpeError);
    expect(() => parseTokenizerJson({ model: { type: "WordLevel" } })).toThrow(BpeError);
    expect(() =>
      parseTokenizerJson({
        model: { type: "BPE", vocab: {} },
        pre_tokenizer: { type: "Metaspace" },
      }),
    ).toThrow(BpeError);
    const byteLevel = { type: "ByteLevel" };
    expect(() =>
      parseTokenizerJson({
        model: { type: "BPE", vocab: { a: 1 }, merges: [] },
        pre_tokenizer: byteLevel,
      }),
    ).toThrow(/no token has id 0/);
    expect(() => readTokenizerFolder("/nonexistent")).toThrow(BpeError);
  });
});
