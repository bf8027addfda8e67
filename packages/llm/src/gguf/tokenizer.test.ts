import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { TokenizerError } from "../tokenizer/errors.js";
import { loadTokenizer, Tokenizer } from "../tokenizer/tokenizer.js";
import { ggufTokenizerMetadata } from "./export.js";
import { readGguf } from "./read.js";
import { ggufTokenizer } from "./tokenizer.js";
import { writeGguf } from "./write.js";

const dir = fs.mkdtempSync(join(tmpdir(), "x-gguf-tok-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const fixture = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const bpe = loadTokenizer(fixture("../../test/fixtures/tokenizers/bpe"));
const sotu = loadTokenizer(fixture("../../../../models/sotu"));

const TEXTS = [
  "hello world",
  "Hello, World! 1234 and 56789 hello",
  "  leading spaces\n\nand\ttabs  ",
  "ümlaut café naïve 😀 日本語",
  "<|im_start|>user\nhello<|im_end|>\n<|im_start|>assistant\n",
  "",
];

/** A GGUF file holding only the tokenizer keys of `tok` (vocabulary padded to `vocab`). */
function vocabFile(tok: Tokenizer, vocab: number, pre?: string): string {
  const path = join(dir, `${pre ?? "default"}-${vocab}.gguf`);
  writeGguf(path, ggufTokenizerMetadata(tok, vocab, pre), []);
  return path;
}

function expectSame(a: Tokenizer, b: Tokenizer) {
  for (const text of TEXTS) {
    for (const addSpecialTokens of [true, false])
      expect(b.encode(text, { addSpecialTokens }), text).toEqual(
        a.encode(text, { addSpecialTokens }),
      );
    const ids = a.encode(text);
    expect(b.decode(ids)).toBe(a.decode(ids));
    expect(b.decode(ids, { skipSpecialTokens: true })).toBe(
      a.decode(ids, { skipSpecialTokens: true }),
    );
  }
  expect([b.bosTokenId, b.eosTokenIds[0], b.vocabSize]).toEqual([
    a.bosTokenId,
    a.eosTokenIds[0],
    a.vocabSize,
  ]);
  expect(b.tokens()).toEqual(a.tokens());
}

describe("ggufTokenizer", () => {
  it("rebuilds an exported byte-level BPE vocabulary exactly", () => {
    const back = ggufTokenizer(readGguf(vocabFile(bpe, 270)));
    expectSame(bpe, back);
    expect(back.isSpecial(267)).toBe(true);
    expect(back.chatTemplate).toBe(bpe.chatTemplate);
  });

  it("keeps a BOS-adding post-processor (add_bos_token) on a real 8k vocabulary", () => {
    const g = readGguf(vocabFile(sotu, 8192));
    expect(g.metadata.get("tokenizer.ggml.add_bos_token")?.value).toBe(true);
    const back = ggufTokenizer(g);
    expectSame(sotu, back);
    expect(back.encode("The Union")[0]).toBe(0);
  });

  it("rebuilds the smollm pre-tokenizer (single digits) and refuses unknown ones", () => {
    const files = JSON.parse(
      fs.readFileSync(fixture("../../test/fixtures/tokenizers/bpe/tokenizer.json"), "utf8"),
    );
    files.pre_tokenizer = {
      type: "Sequence",
      pretokenizers: [{ type: "Digits", individual_digits: true }, files.pre_tokenizer],
    };
    const digits = new Tokenizer({ tokenizer: files });
    expect(digits.encode("123", { addSpecialTokens: false })).toHaveLength(3);
    expectSame(digits, ggufTokenizer(readGguf(vocabFile(digits, 268, "smollm"))));
    expect(() => ggufTokenizer(readGguf(vocabFile(digits, 268, "qwen2")))).toThrow(
      /tokenizer.ggml.pre "qwen2"/,
    );
    writeGguf(
      join(dir, "none.gguf"),
      { "tokenizer.ggml.model": { type: "string", value: "no_vocab" } },
      [],
    );
    expect(() => ggufTokenizer(readGguf(join(dir, "none.gguf")))).toThrow(TokenizerError);
  });

  it("refuses special-token ids outside the vocabulary", () => {
    const files = JSON.parse(
      fs.readFileSync(fixture("../../test/fixtures/tokenizers/bpe/tokenizer.json"), "utf8"),
    );
    const tok = new Tokenizer({ tokenizer: files });
    const meta = ggufTokenizerMetadata(tok, 268);
    const n = (meta["tokenizer.ggml.tokens"]!.value as unknown[]).length;
    meta["tokenizer.ggml.bos_token_id"] = { type: "u32", value: n };
    writeGguf(join(dir, "bad-bos.gguf"), meta, []);
    expect(() => ggufTokenizer(readGguf(join(dir, "bad-bos.gguf")))).toThrow(
      /bos_token_id \d+ is not a token/,
    );
  });
});
