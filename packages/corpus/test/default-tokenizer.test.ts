// The committed default tokenizer (models/sotu): @huggingface/tokenizers through @x/llm and
// Python's Hugging Face `tokenizers` (fixture made on another machine, see README "Fixtures")
// both encode exactly as our encoder does, and retraining reproduces the files byte for byte.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadTokenizer, type Tokenizer } from "@x/llm";
import { beforeAll, describe, expect, it } from "vitest";
import { EDGE_CASES } from "../scripts/hf-fixture/edge-cases.js";
import {
  BpeEncoder,
  loadCorpus,
  type Passage,
  readTokenizerFolder,
  tokenizerFiles,
  trainBpe,
} from "../src/index.js";
import { randomText, rng } from "./random-text.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const MODEL = resolve(here, "../../../models/sotu");

interface Fixture {
  tokenizers: string;
  tokenizerSha256: string;
  passages: { id: string; sha256: string; roundTrip: boolean; ids: number[] }[];
  edgeCases: { text: string; ids: number[]; idsWithSpecial: number[]; decoded: string }[];
  transformers: { bosTokenId?: number; eosTokenId?: number; callMeIshmael?: number[] };
}
const fixture: Fixture = JSON.parse(
  readFileSync(join(here, "fixtures", "hf-tokenizers-ids.json"), "utf8"),
);
const sha = (s: string | Buffer) => createHash("sha256").update(s).digest("hex");

let passages: Passage[];
let ours: BpeEncoder;
let hf: Tokenizer;

beforeAll(() => {
  passages = loadCorpus();
  ours = new BpeEncoder(readTokenizerFolder(MODEL));
  hf = loadTokenizer(MODEL);
});

describe("the default tokenizer (models/sotu)", () => {
  it("has the documented shape", () => {
    expect(hf.vocabSize).toBe(8192);
    expect(hf.modelType).toBe("BPE");
    expect(hf.byteLevel).toBe(true);
    expect(hf.bosTokenId).toBe(0);
    expect(hf.eosTokenIds).toEqual([1]);
    expect(hf.tokens().slice(0, 2)).toEqual(["<|begin_of_text|>", "<|end_of_text|>"]);
    expect(ours.size).toBe(8192);
  });

  it("encodes every validation passage as @huggingface/tokenizers does, and decodes back", () => {
    const validation = passages.filter((p) => p.split === "validation");
    expect(validation.length).toBe(595);
    for (const p of validation) {
      const ids = ours.encode(p.text);
      expect(hf.encode(p.text, { addSpecialTokens: false }), p.id).toEqual(ids);
      expect(ours.decode(ids)).toBe(p.text);
      expect(hf.decode(ids)).toBe(p.text);
    }
    expect(hf.encode("Call me Ishmael.")).toEqual(
      ours.encode("Call me Ishmael.", { addBos: true }),
    );
  });

  it("matches Python's Hugging Face tokenizers on 200 validation passages", () => {
    expect(sha(readFileSync(join(MODEL, "tokenizer.json")))).toBe(fixture.tokenizerSha256);
    const byId = new Map(passages.map((p) => [p.id, p]));
    expect(fixture.passages.length).toBe(200);
    for (const f of fixture.passages) {
      const p = byId.get(f.id);
      expect(p, `fixture passage ${f.id} is gone from the corpus`).toBeDefined();
      expect(sha(p!.text), `the text of ${f.id} changed`).toBe(f.sha256);
      expect(f.roundTrip).toBe(true);
      expect(ours.encode(p!.text), f.id).toEqual(f.ids);
    }
  });

  it("matches Python's Hugging Face tokenizers on hand-written edge cases", () => {
    expect(fixture.edgeCases.map((e) => e.text)).toEqual(EDGE_CASES);
    for (const e of fixture.edgeCases) {
      expect(ours.encode(e.text), JSON.stringify(e.text)).toEqual(e.ids);
      expect(ours.encode(e.text, { addBos: true })).toEqual(e.idsWithSpecial);
      expect(ours.decode(e.ids)).toBe(e.decoded);
      expect(hf.encode(e.text, { addSpecialTokens: false }), JSON.stringify(e.text)).toEqual(e.ids);
    }
    expect(fixture.transformers.bosTokenId).toBe(0);
    expect(fixture.transformers.eosTokenId).toBe(1);
    expect(fixture.transformers.callMeIshmael).toEqual(hf.encode("Call me Ishmael."));
  });

  it("round-trips random text and agrees with @huggingface/tokenizers on it", () => {
    for (let i = 0; i < 200; i++) {
      const t = randomText(rng(1000 + i), 60);
      const ids = ours.encode(t);
      expect(ours.decode(ids)).toBe(t);
      expect(hf.encode(t, { addSpecialTokens: false })).toEqual(ids);
    }
  });

  it("is reproduced byte for byte by retraining on the train split", () => {
    const train = passages.filter((p) => p.split === "train").map((p) => p.text);
    const files = tokenizerFiles(trainBpe(train, { vocabSize: 8192 }));
    for (const [name, text] of Object.entries(files)) {
      expect(text === readFileSync(join(MODEL, name), "utf8"), `${name} differs`).toBe(true);
    }
  });
});
