import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { makeConfig } from "../config.js";
import { complete } from "../generate/generate.js";
import { exportGguf } from "../gguf/export.js";
import { readGguf, readGgufTensor } from "../gguf/read.js";
import { loadModel } from "../io/load.js";
import { saveModel } from "../io/save.js";
import { LlamaModel } from "../model/llama.js";
import { perplexity as perplexityOf } from "../perplexity.js";
import { loadTokenizer } from "../tokenizer/tokenizer.js";
import { main } from "./main.js";

const root = fs.mkdtempSync(join(tmpdir(), "x-llm-cli-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const fixture = fileURLToPath(new URL("../../test/fixtures/tokenizers/bpe", import.meta.url));
const modelDir = join(root, "tiny");
const cfg = makeConfig({
  vocabSize: 268,
  hiddenSize: 32,
  intermediateSize: 64,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  maxPositionEmbeddings: 64,
  tieWordEmbeddings: true,
  eosTokenIds: [267],
  bosTokenId: 266,
});
const model = LlamaModel.random(cfg, { seed: 5, std: 0.2 });
saveModel(model, modelDir);
for (const f of fs.readdirSync(fixture)) fs.copyFileSync(join(fixture, f), join(modelDir, f));
const tok = loadTokenizer(modelDir);
const text = join(root, "text.txt");
fs.writeFileSync(
  text,
  "hello world. hello there, world!\n\nthe world says hello back.\n\nhello hello world\n",
);

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  return { code, out: out.join(""), err: err.join("") };
}

describe("x-llm", () => {
  it("prints help for the tool and each command", async () => {
    const top = await run("--help");
    expect(top.code).toBe(0);
    for (const c of ["info", "generate", "perplexity", "quantize", "convert", "train"])
      expect(top.out).toContain(c);
    for (const c of ["info", "generate", "perplexity", "quantize", "convert", "train"]) {
      const h = await run(c, "--help");
      expect(h.code).toBe(0);
      expect(h.out).toContain(`x-llm ${c}`);
      expect(h.out).toContain("--json");
      expect(h.out).toContain("Examples:");
    }
  });

  it("describes a model folder", async () => {
    const r = await run("info", modelDir, "--json");
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({
      format: "hf",
      architecture: "llama",
      layers: 2,
      kvHeads: 2,
      vocabSize: 268,
    });
    expect(j.parameters).toBe(model.numParameters());
    expect(j.tokenizer).toMatchObject({ model: "BPE", byteLevel: true, bos: 266, eos: [267, 0] });
    const human = await run("info", modelDir);
    expect(human.out).toMatch(/llama, .* parameters/);
  });

  it("--device cuda without a GPU falls back to cpu with one warning; auto is silent", async () => {
    const base = await run("generate", modelDir, "--prompt", "hello world", "-n", "4", "--json");
    const cuda = await run(
      "generate",
      modelDir,
      "--prompt",
      "hello world",
      "-n",
      "4",
      "--json",
      "--device",
      "cuda",
    );
    expect(cuda.code).toBe(0);
    expect(JSON.parse(cuda.out).tokens).toEqual(JSON.parse(base.out).tokens);
    expect(cuda.err.match(/warning: cuda unavailable/g)).toHaveLength(1);
    const auto = await run(
      "generate",
      modelDir,
      "--prompt",
      "hello world",
      "-n",
      "4",
      "--json",
      "--device",
      "auto",
    );
    expect(auto.err).not.toMatch(/cuda unavailable/);
    expect((await run("generate", modelDir, "--prompt", "x", "--device", "tpu")).code).toBe(2);
  });

  it("generates greedily, streams the same text, and reports throughput", async () => {
    const want = (
      await complete(model, tok.encode("hello world"), { maxNewTokens: 6, stopTokens: [267, 0] })
    )[0]!;
    const j = JSON.parse(
      (await run("generate", modelDir, "--prompt", "hello world", "-n", "6", "--json")).out,
    );
    expect(j.tokens).toEqual(want.tokens);
    expect(j.promptTokens).toBe(2);
    expect(j.text).toBe(tok.decode(want.tokens, { skipSpecialTokens: true }));
    const s = await run("generate", modelDir, "--prompt", "hello world", "-n", "6");
    expect(s.code).toBe(0);
    expect(s.out).toBe(`${j.text}\n`);
    expect(s.err).toMatch(
      /2 prompt tokens, \d+ new \| prefill [\d.]+ tok\/s, decode [\d.-]+ tok\/s/,
    );
  });

  it("stops at a stop string without printing it", async () => {
    const long = JSON.parse(
      (await run("generate", modelDir, "-p", "hello", "-n", "24", "--json")).out,
    );
    const chars = [...(long.text as string)];
    expect(chars.length).toBeGreaterThanOrEqual(4); // the seeded model does not end early
    const stop = chars.slice(2, 4).join("");
    const cut = (long.text as string).indexOf(stop);
    const j = JSON.parse(
      (await run("generate", modelDir, "-p", "hello", "-n", "24", "--stop", stop, "--json")).out,
    );
    expect(j.text).toBe((long.text as string).slice(0, cut));
    expect(j.finishReason).toBe("stop");
  });

  it("samples with a seed and applies the chat template", async () => {
    const a = await run(
      "generate",
      modelDir,
      "-p",
      "hi",
      "-n",
      "5",
      "--temperature",
      "0.9",
      "--top-p",
      "0.95",
      "--seed",
      "7",
      "--json",
    );
    const b = await run(
      "generate",
      modelDir,
      "-p",
      "hi",
      "-n",
      "5",
      "--temperature",
      "0.9",
      "--top-p",
      "0.95",
      "--seed",
      "7",
      "--json",
    );
    expect(JSON.parse(a.out).tokens).toEqual(JSON.parse(b.out).tokens);
    const chat = JSON.parse(
      (await run("generate", modelDir, "-p", "hi", "--chat", "-n", "2", "--json")).out,
    );
    const prompt = tok.applyChatTemplate([{ role: "user", content: "hi" }], {
      addGenerationPrompt: true,
    });
    expect(chat.promptTokens).toBe(tok.encode(prompt, { addSpecialTokens: false }).length);
  });

  it("evaluates perplexity", async () => {
    const r = await run(
      "perplexity",
      modelDir,
      "--file",
      text,
      "--window",
      "16",
      "--stride",
      "8",
      "--json",
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j.tokens).toBe(tok.encode(fs.readFileSync(text, "utf8")).length - 1);
    expect(j.ppl).toBeGreaterThan(1);
    expect(Math.exp(j.nll)).toBeCloseTo(j.ppl, 6);
    const human = await run("perplexity", modelDir, "-f", text, "--window", "16");
    expect(human.err).toMatch(/perplexity \d+\/\d+ \(100%\) [\d.]+ tok\/s ETA/);
  });

  it("converts and quantizes to GGUF, and describes the result", async () => {
    const q4 = join(root, "tiny-q4_0.gguf");
    const r = await run("quantize", modelDir, q4, "--type", "q4_0", "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ type: "q4_0", vocabulary: true });
    const i = JSON.parse((await run("info", q4, "--json", "--tensors")).out);
    expect(i).toMatchObject({ format: "gguf", version: 3, architecture: "llama" });
    expect(i.tensorTypes).toEqual({ q4_0: 15, f32: 5 }); // embeddings + 14 projections; 5 norms
    expect(i.metadata["tokenizer.ggml.tokens"]).toBe("[string × 268]");
    expect((await run("convert", modelDir, q4, "--json")).code).toBe(2); // exists, no --force
    const f16 = await run("convert", modelDir, join(root, "tiny-f16.gguf"));
    expect(f16.code).toBe(0);
    expect(f16.out).toMatch(/wrote .*tiny-f16.gguf: f16/);
    expect(f16.err).toMatch(/convert 20\/20 \(100%\)/);
  });

  it("runs every command on a .gguf file (blocks as stored, vocabulary from the file)", async () => {
    const q8 = join(root, "tiny-q8_0.gguf");
    expect((await run("quantize", modelDir, q8, "--type", "q8_0", "--json")).code).toBe(0);
    // The reference: the model as the file holds it (q8_0 projections and head, embedding rows
    // rounded through q8_0).
    const ref = await loadModel(q8);
    const want = (
      await complete(ref, tok.encode("hello world"), { maxNewTokens: 6, stopTokens: [267, 0] })
    )[0]!;
    const j = JSON.parse(
      (await run("generate", q8, "--prompt", "hello world", "-n", "6", "--json")).out,
    );
    expect(j.tokens).toEqual(want.tokens);
    expect(j.text).toBe(tok.decode(want.tokens, { skipSpecialTokens: true }));
    // A file without a vocabulary takes the tokenizer.json beside it, or --tokenizer.
    const bare = join(root, "bare");
    fs.mkdirSync(bare);
    exportGguf(ref, join(bare, "m.gguf"), { type: "q8_0" });
    const noVocab = await run(
      "generate",
      join(bare, "m.gguf"),
      "-p",
      "hello world",
      "-n",
      "6",
      "--json",
    );
    expect(noVocab.code).toBe(2);
    expect(noVocab.err).toMatch(/no usable vocabulary .* pass --tokenizer DIR/);
    const withTok = await run(
      "generate",
      join(bare, "m.gguf"),
      "-p",
      "hello world",
      "-n",
      "6",
      "--json",
      "--tokenizer",
      modelDir,
    );
    expect(JSON.parse(withTok.out).tokens).toEqual(want.tokens);
    const ppl = JSON.parse(
      (await run("perplexity", q8, "-f", text, "--window", "16", "--json")).out,
    );
    const pplRef = perplexityOf(ref, tok.encode(fs.readFileSync(text, "utf8")), {
      window: 16,
      stride: 8,
    });
    expect(ppl.ppl).toBe(pplRef.ppl);
    const info = JSON.parse((await run("info", q8, "--json")).out);
    expect(info.model).toMatchObject({ architecture: "llama", layers: 2, vocabSize: 268 });
    // Re-typing a GGUF keeps its vocabulary keys and copies blocks already in the output type.
    const again = join(root, "again-q8_0.gguf");
    const c = JSON.parse((await run("quantize", q8, again, "--type", "q8_0", "--json")).out);
    expect(c.vocabulary).toBe(true);
    const [g1, g2] = [readGguf(q8), readGguf(again)];
    expect(g2.metadata.get("tokenizer.ggml.tokens")).toEqual(
      g1.metadata.get("tokenizer.ggml.tokens"),
    );
    for (const t of g1.tensors) {
      const u = g2.tensors.find((x) => x.name === t.name)!;
      expect(readGgufTensor(again, u), t.name).toEqual(readGgufTensor(q8, t));
    }
    // Training from a q8_0 file dequantizes it and writes the rebuilt tokenizer to the folder.
    const out = join(root, "run-gguf");
    const r = await run(
      "train",
      q8,
      "--data",
      text,
      "--steps",
      "1",
      "--out",
      out,
      "--seq-len",
      "8",
      "--json",
    );
    expect(r.code).toBe(0);
    const fin = JSON.parse(r.out).finalDir as string;
    expect(loadTokenizer(fin).encode("hello world")).toEqual(tok.encode("hello world"));
    expect((await loadModel(fin)).config.numLayers).toBe(2);
  });

  it("fine-tunes through train() and leaves a loadable folder", async () => {
    const out = join(root, "run");
    const r = await run(
      "train",
      modelDir,
      "--data",
      text,
      "--steps",
      "3",
      "--out",
      out,
      "--seq-len",
      "8",
      "--batch-size",
      "2",
      "--lr",
      "1e-3",
      "--json",
    );
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out);
    expect(j).toMatchObject({ steps: 3, stepsThisRun: 3, documents: 3, seqLen: 8 });
    expect(Number.isFinite(j.finalLoss)).toBe(true);
    expect(fs.existsSync(join(j.finalDir, "tokenizer.json"))).toBe(true);
    expect((await run("info", j.finalDir, "--json")).code).toBe(0);
  });

  it("reports bad input as one typed line and a non-zero exit code", async () => {
    const cases: [string[], number, RegExp][] = [
      [["nope"], 2, /unknown command "nope"/],
      [["generate", modelDir], 2, /--prompt is required/],
      [["generate", modelDir, "-p", "x", "--top-k", "0"], 2, /--top-k must be >= 1/],
      [["generate", modelDir, "-p", "x", "--bogus"], 2, /Unknown option '--bogus'/],
      [["info", join(root, "missing")], 2, /does not exist/],
      [["generate", root, "-p", "x"], 2, /neither a GGUF file nor a model folder/],
      [
        ["generate", join(root, "tiny-q4_0.gguf"), "-p", "x", "--tokenizer", root],
        2,
        /--tokenizer .* has no tokenizer.json/,
      ],
      [
        ["quantize", modelDir, join(root, "x.gguf"), "--type", "f16"],
        2,
        /--type must be q8_0, q4_0/,
      ],
    ];
    for (const [argv, code, msg] of cases) {
      const r = await run(...argv);
      expect(r.code, argv.join(" ")).toBe(code);
      expect(r.err).toMatch(msg);
      expect(r.err.trim().split("\n")).toHaveLength(1);
    }
    const bad = join(root, "bad.gguf");
    const bytes = fs.readFileSync(join(root, "tiny-q4_0.gguf"));
    bytes.writeUInt32LE(99, 4);
    fs.writeFileSync(bad, bytes);
    const r = await run("info", bad, "--json");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/FormatError: gguf: version 99 is not supported .*at byte 4/);
    expect(JSON.parse(r.out).error.code).toBe("E_FORMAT");
  });
});
