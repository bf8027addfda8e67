import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  dequantize,
  FormatError,
  f16BitsToF32,
  f32ToF16Bits,
  QTensor,
  quantize,
  Tensor,
} from "@x/tensor";
import { afterAll, describe, expect, it } from "vitest";
import { type LlamaConfig, makeConfig, parseConfig } from "../config.js";
import { ConfigError, WeightsError } from "../errors.js";
import { loadModel, readConfig } from "../io/load.js";
import { LlamaModel } from "../model/llama.js";
import { TINY_SHAPES, tinyModel } from "../test-models.js";
import { loadTokenizer } from "../tokenizer/tokenizer.js";
import { exportGguf } from "./export.js";
import { ggufTensorNames, loadGguf } from "./load.js";
import { invertOrder, permuteRows, qkRowOrder } from "./permute.js";
import { readGguf, readGgufTensor } from "./read.js";
import { llama3FromRopeFactors } from "./rope-fit.js";
import { GGML_TYPES, type GgufValue } from "./types.js";
import { writeGguf } from "./write.js";

const dir = fs.mkdtempSync(join(tmpdir(), "x-gguf-load-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const tok = loadTokenizer(
  fileURLToPath(new URL("../../test/fixtures/tokenizers/bpe", import.meta.url)),
);

const ids = Tensor.from([1, 5, 9, 3, 7, 2, 60, 11, 4, 8, 33, 21], [1, 12], "i32");
const logits = (m: LlamaModel) => m.forward({ inputIds: ids }).data() as Float32Array;
let n = 0;
const file = (tag: string) => join(dir, `${tag}-${n++}.gguf`);

/** Rewrites a GGUF file with edited metadata and tensors (raw bytes kept). */
function rewrite(
  src: string,
  edit: {
    meta?: (m: Record<string, GgufValue>) => void;
    drop?: string[];
    retype?: [string, "q4_1"];
  },
): string {
  const g = readGguf(src);
  const meta = Object.fromEntries(g.metadata);
  edit.meta?.(meta);
  const tensors = g.tensors
    .filter((t) => !edit.drop?.includes(t.name))
    .map((t) => {
      if (edit.retype?.[0] === t.name) {
        const n = (t.shape.reduce((a, b) => a * b, 1) / 32) * 20;
        return { name: t.name, shape: t.shape, type: GGML_TYPES.get(3)!, data: new Uint8Array(n) };
      }
      return { name: t.name, shape: t.shape, type: t.type, data: readGgufTensor(src, t) };
    });
  const out = file("edited");
  writeGguf(out, meta, tensors);
  return out;
}

function configFields(c: LlamaConfig) {
  const { raw: _, ...rest } = c;
  return rest;
}

describe("loadGguf round trip", () => {
  for (const tied of [false, true]) {
    it(`f32 weights and logits are bit-identical (${tied ? "tied" : "untied"} head)`, async () => {
      const model = tinyModel({ tieWordEmbeddings: tied, eosTokenIds: [2, 3] });
      const path = file("f32");
      exportGguf(model, path, { type: "f32" });
      const back = await loadGguf(path);
      expect(configFields(back.config)).toEqual(configFields(model.config));
      expect(Object.keys(back.quantized)).toEqual([]);
      expect(Object.keys(back.params).sort()).toEqual(Object.keys(model.params).sort());
      for (const [name, t] of Object.entries(model.params))
        expect(back.params[name]!.data(), name).toEqual(t.data());
      expect(logits(back)).toEqual(logits(model));
      // loadModel and readConfig take the file as well.
      expect(logits(await loadModel(path))).toEqual(logits(model));
      expect(configFields(readConfig(path))).toEqual(configFields(model.config));
    });
  }

  it("f16 weights are the f16-rounded originals and give their logits exactly", async () => {
    const model = tinyModel();
    const path = file("f16");
    exportGguf(model, path, { type: "f16" });
    const back = await loadGguf(path);
    const rounded: Record<string, Tensor> = {};
    for (const [name, t] of Object.entries(model.params)) {
      const src = t.data() as Float32Array;
      const twoD = t.shape.length === 2;
      rounded[name] = twoD
        ? Tensor.wrap(
            src.map((x) => f16BitsToF32(f32ToF16Bits(x))),
            t.shape,
            "f32",
          )
        : t;
      expect(back.params[name]!.data(), name).toEqual(rounded[name]!.data());
    }
    expect(logits(back)).toEqual(logits(new LlamaModel(model.config, rounded)));
  });

  for (const fmt of ["q8_0", "q4_0"] as const) {
    for (const tied of [false, true]) {
      it(`${fmt} blocks load byte for byte (${tied ? "tied" : "untied"} head)`, async () => {
        const model = tinyModel({ tieWordEmbeddings: tied, vocabSize: 270 });
        const path = file(fmt);
        exportGguf(model, path, { type: fmt, tokenizer: tok });
        const back = await loadGguf(path);
        const ref = model.quantize(fmt, { head: true });
        // Every projection and the head: the blocks the model quantized at load would hold, and
        // (Q/K after un-permuting) the bytes of the file.
        expect(Object.keys(back.quantized).sort()).toEqual(Object.keys(ref.quantized).sort());
        const g = readGguf(path);
        const gname = ggufTensorNames(model.config);
        for (const [name, q] of Object.entries(ref.quantized)) {
          const got = back.quantized[name]!;
          expect(got.format).toBe(fmt);
          expect(got.data, name).toEqual(q.data);
          const info = g.tensors.find(
            (t) =>
              t.name ===
              (name === "lm_head.weight" && tied ? "token_embd.weight" : gname.get(name)),
          )!;
          let raw = readGgufTensor(path, info);
          const qk = /self_attn\.([qk])_proj/.exec(name)?.[1];
          if (qk) {
            const heads = qk === "q" ? model.config.numHeads : model.config.numKvHeads;
            raw = permuteRows(raw, invertOrder(qkRowOrder(heads * model.config.headDim, heads)));
          }
          expect(got.data, name).toEqual(raw);
        }
        // The embedding is stored quantized too: its lookup table is the dequantized blocks.
        const embed = dequantize(quantize(model.params["model.embed_tokens.weight"]!, fmt));
        expect(back.params["model.embed_tokens.weight"]!.data()).toEqual(embed.data());
        const want = new LlamaModel(model.config, {
          ...ref.params,
          ...ref.quantized,
          "model.embed_tokens.weight": embed,
        });
        expect(logits(back)).toEqual(logits(want));
        // Requested formats: dequantize gives a dense model; another format requantizes.
        const dense = await loadGguf(path, { dequantize: true });
        expect(Object.keys(dense.quantized)).toEqual([]);
        expect(dense.params["model.layers.1.mlp.up_proj.weight"]!.data()).toEqual(
          dequantize(ref.quantized["model.layers.1.mlp.up_proj.weight"]!).data(),
        );
        const other = fmt === "q8_0" ? "q4_0" : "q8_0";
        const re = await loadGguf(path, { quantize: other });
        expect(re.quantized["model.layers.0.mlp.down_proj.weight"]!.format).toBe(other);
      });
    }
  }

  it("round-trips Mistral sliding windows, llama biases and Qwen2 (biases, window layers)", async () => {
    const small = TINY_SHAPES;
    const configs = [
      parseConfig({ ...makeConfig({ ...small, architecture: "mistral" }).raw, sliding_window: 4 }),
      makeConfig({ ...small, attentionBias: true, mlpBias: true }),
      makeConfig({ ...small, architecture: "qwen2" }),
      parseConfig({
        ...makeConfig({ ...small, architecture: "qwen2" }).raw,
        use_sliding_window: true,
        sliding_window: 5,
        max_window_layers: 1,
      }),
    ];
    for (const cfg of configs) {
      const model = LlamaModel.random(cfg, { seed: 4, std: 0.2 });
      const path = file(cfg.architecture);
      exportGguf(model, path, { type: "f32" });
      const back = await loadGguf(path);
      expect(configFields(back.config)).toEqual(configFields(cfg));
      for (const [name, t] of Object.entries(model.params))
        expect(back.params[name]!.data(), name).toEqual(t.data());
      expect(logits(back)).toEqual(logits(model)); // 12 tokens: past the windows
    }
    const g = readGguf(join(dir, fs.readdirSync(dir).find((f) => f.startsWith("mistral"))!));
    expect(g.metadata.get("general.architecture")?.value).toBe("llama");
    expect(g.metadata.get("llama.attention.sliding_window")?.value).toBe(4);
  });

  it("llama3 RoPE scaling: exact from our keys, recovered from rope_freqs without them", async () => {
    const ropeScaling = {
      type: "llama3" as const,
      factor: 8,
      lowFreqFactor: 1,
      highFreqFactor: 8,
      originalMaxPositionEmbeddings: 8192,
    };
    const cfg = makeConfig({
      vocabSize: 64,
      hiddenSize: 64,
      intermediateSize: 64,
      numLayers: 1,
      numHeads: 2,
      numKvHeads: 1,
      ropeTheta: 500000,
      ropeScaling,
    });
    const model = LlamaModel.random(cfg, { seed: 2, std: 0.2 });
    const path = file("l3");
    exportGguf(model, path, { type: "f32" });
    const back = await loadGguf(path);
    expect(back.config.ropeScaling).toEqual(ropeScaling);
    expect(logits(back)).toEqual(logits(model));
    // A llama.cpp-style file has only the rope_freqs factors: the scaling is fitted to them.
    const foreign = rewrite(path, {
      meta: (m) => {
        for (const key of Object.keys(m)) if (key.startsWith("x_llm.")) delete m[key];
      },
    });
    const fitted = await loadGguf(foreign);
    expect(fitted.config.ropeScaling).toMatchObject({
      type: "llama3",
      factor: 8,
      lowFreqFactor: 1,
    });
    const [a, b] = [logits(fitted), logits(model)];
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-5);
    expect(() => llama3FromRopeFactors([1, 3, 2, 8], 8, 10000)).toThrow(ConfigError);
  });
});

describe("loadGguf errors", () => {
  const model = tinyModel();
  const good = file("good");
  exportGguf(model, good, { type: "q8_0" });

  async function failure(path: string): Promise<Error> {
    try {
      await loadGguf(path);
    } catch (e) {
      return e as Error;
    }
    throw new Error("no error");
  }

  it("rejects a wrong magic and a truncated file with FormatErrors", async () => {
    const bytes = fs.readFileSync(good);
    const magic = file("magic");
    fs.writeFileSync(magic, Buffer.concat([Buffer.from("GGUX"), bytes.subarray(4)]));
    const e1 = await failure(magic);
    expect(e1).toBeInstanceOf(FormatError);
    expect(e1.message).toMatch(/bad magic/);
    for (const cut of [bytes.length - 100, 40]) {
      const short = file("short");
      fs.writeFileSync(short, bytes.subarray(0, cut));
      const e = await failure(short);
      expect(e).toBeInstanceOf(FormatError);
      expect(e.message).toMatch(cut === 40 ? /ends inside/ : /runs past the end/);
    }
  });

  it("names an unsupported ggml type, a missing tensor and an unexpected one", async () => {
    const e1 = await failure(rewrite(good, { retype: ["blk.0.ffn_up.weight", "q4_1"] }));
    expect(e1).toBeInstanceOf(WeightsError);
    expect(e1.message).toMatch(/blk\.0\.ffn_up\.weight is ggml type q4_1/);
    expect((e1 as WeightsError).tensor).toBe("model.layers.0.mlp.up_proj.weight");
    const e2 = await failure(rewrite(good, { drop: ["blk.1.ffn_down.weight"] }));
    expect(e2).toBeInstanceOf(WeightsError);
    expect(e2.message).toMatch(/blk\.1\.ffn_down\.weight is missing/);
    expect((e2 as WeightsError).tensor).toBe("model.layers.1.mlp.down_proj.weight");
    // Dropping output.weight makes the head tied (llama.cpp's rule), so that loads.
    const tied = await loadGguf(rewrite(good, { drop: ["output.weight"] }));
    expect(tied.config.tieWordEmbeddings).toBe(true);
    const e3 = await failure(
      rewrite(good, { meta: (m) => (m["llama.block_count"] = { type: "u32", value: 1 }) }),
    );
    expect(e3).toBeInstanceOf(WeightsError);
    expect(e3.message).toMatch(/blk\.1\.attn_norm\.weight is not part of a llama model/);
  });

  it("names the metadata key of an unsupported architecture or a missing value", async () => {
    const e1 = await failure(
      rewrite(good, {
        meta: (m) => (m["general.architecture"] = { type: "string", value: "gemma2" }),
      }),
    );
    expect(e1).toBeInstanceOf(ConfigError);
    expect((e1 as ConfigError).field).toBe("general.architecture");
    expect(e1.message).toMatch(/GGUF "general.architecture": "gemma2" is not supported/);
    const e2 = await failure(rewrite(good, { meta: (m) => delete m["llama.embedding_length"] }));
    expect((e2 as ConfigError).field).toBe("llama.embedding_length");
    const e3 = await failure(
      rewrite(good, {
        meta: (m) => (m["llama.attention.head_count_kv"] = { type: "u32", value: 3 }),
      }),
    );
    expect(e3).toBeInstanceOf(ConfigError);
    expect((e3 as ConfigError).field).toBe("llama.attention.head_count_kv");
    const e4 = await failure(
      rewrite(good, {
        meta: (m) => (m["llama.rope.scaling.type"] = { type: "string", value: "yarn" }),
      }),
    );
    expect((e4 as ConfigError).field).toBe("llama.rope.scaling.type");
  });

  it("keeps q8_0 tensors QTensors", async () => {
    const m = await loadGguf(good);
    expect(m.quantized["model.layers.0.self_attn.q_proj.weight"]).toBeInstanceOf(QTensor);
  });
});
