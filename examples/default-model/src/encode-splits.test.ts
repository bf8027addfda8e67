import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BpeEncoder, loadCorpus, readTokenizerFolder } from "@x/corpus";
import { loadTokenizer } from "@x/llm";
import { afterAll, describe, expect, it } from "vitest";
import { prepareSplits } from "./encode-splits.js";
import { defaultModelDir } from "./paths.js";
import { passageTokens, readSplit, tokenizerSha256 } from "./token-stream.js";

const modelDir = defaultModelDir();
const dir = mkdtempSync(join(tmpdir(), "sotu-prepare-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("prepareSplits", () => {
  const corpus = loadCorpus({ sources: ["sotu"] });
  // A slice with passages of every split, in corpus order.
  const slice = corpus.slice(0, 400);
  const summary = prepareSplits({ tokenizerDir: modelDir, outDir: dir, passages: slice });

  it("writes BOS + the encoder's ids + EOS per passage, which decode back to the text", () => {
    const enc = new BpeEncoder(readTokenizerFolder(modelDir));
    for (const name of ["train", "validation", "test"] as const) {
      const split = readSplit(dir, name);
      const passages = slice.filter((p) => p.split === name);
      expect(split.index.passages).toBe(passages.length);
      expect(summary.find((s) => s.split === name)!.tokens).toBe(split.tokens.length);
      let offset = 0;
      passages.forEach((p, i) => {
        const ids = Array.from(passageTokens(split, i));
        expect(split.index.spans[i]).toEqual({
          id: p.id,
          offset,
          length: ids.length,
          bytes: Buffer.byteLength(p.text),
        });
        expect(ids).toEqual([0, ...enc.encode(p.text), 1]);
        expect(enc.decode(ids.slice(1, -1))).toBe(p.text);
        offset += ids.length;
      });
      expect(offset).toBe(split.tokens.length);
      expect(split.index.tokenizer).toEqual({
        sha256: tokenizerSha256(modelDir),
        vocabSize: 8192,
        bos: 0,
        eos: 1,
      });
    }
  });

  it("matches the Hugging Face tokenizer of the folder", () => {
    const hf = loadTokenizer(modelDir);
    const split = readSplit(dir, "validation");
    for (let i = 0; i < Math.min(10, split.index.passages); i++) {
      const p = slice.find((x) => x.id === split.index.spans[i]!.id)!;
      expect(Array.from(passageTokens(split, i))).toEqual([...hf.encode(p.text), 1]); // BOS by post-processor
      expect(hf.decode(Array.from(passageTokens(split, i)), { skipSpecialTokens: true })).toBe(
        p.text,
      );
    }
  });

  it("stores little-endian uint16 and is deterministic", () => {
    const bytes = readFileSync(join(dir, "train.u16"));
    const split = readSplit(dir, "train");
    const i = split.tokens.findIndex((t) => t > 255);
    expect(bytes[2 * i]).toBe(split.tokens[i]! & 0xff);
    expect(bytes[2 * i + 1]).toBe(split.tokens[i]! >> 8);
    const again = mkdtempSync(join(tmpdir(), "sotu-prepare-"));
    prepareSplits({ tokenizerDir: modelDir, outDir: again, passages: slice });
    for (const f of ["train.u16", "train.json", "validation.u16", "validation.json"])
      expect(readFileSync(join(again, f)).equals(readFileSync(join(dir, f)))).toBe(true);
    rmSync(again, { recursive: true, force: true });
  });
});
