import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FormatError, quantize } from "@x/tensor";
import { afterAll, describe, expect, it } from "vitest";
import { makeConfig } from "../config.js";
import { LlamaModel } from "../model/llama.js";
import { loadTokenizer } from "../tokenizer/tokenizer.js";
import {
  decodeGgufTensor,
  exportGguf,
  GGUF_MAGIC,
  ggmlType,
  invertOrder,
  parseGguf,
  permuteRows,
  qkRowOrder,
  readGguf,
  readGgufTensor,
  writeGguf,
} from "./index.js";

const dir = fs.mkdtempSync(join(tmpdir(), "x-gguf-"));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const tok = loadTokenizer(
  fileURLToPath(new URL("../../test/fixtures/tokenizers/bpe", import.meta.url)),
);
const cfg = makeConfig({
  vocabSize: 270,
  hiddenSize: 64,
  intermediateSize: 96,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
});
const model = LlamaModel.random(cfg, { seed: 3 });

describe("GGUF writer and reader", () => {
  it("writes the header byte for byte", () => {
    const path = join(dir, "tiny.gguf");
    const data = new Float32Array(64).map((_, i) => i);
    writeGguf(path, { "general.architecture": { type: "string", value: "llama" } }, [
      { name: "w", shape: [2, 32], type: ggmlType("f32"), data: new Uint8Array(data.buffer) },
    ]);
    const b = fs.readFileSync(path);
    expect(b.subarray(0, 4).toString("latin1")).toBe("GGUF");
    expect(b.readUInt32LE(0)).toBe(GGUF_MAGIC);
    expect(b.readUInt32LE(4)).toBe(3); // version
    expect(b.readBigUInt64LE(8)).toBe(1n); // tensors
    expect(b.readBigUInt64LE(16)).toBe(1n); // metadata entries
    expect(b.readBigUInt64LE(24)).toBe(20n); // key length
    expect(b.subarray(32, 52).toString()).toBe("general.architecture");
    expect(b.readUInt32LE(52)).toBe(8); // string
    expect(b.readBigUInt64LE(56)).toBe(5n);
    expect(b.subarray(64, 69).toString()).toBe("llama");
    // tensor info: name "w", 2 dims, ne = [32, 2] (innermost first), type f32, offset 0
    expect(b.readBigUInt64LE(69)).toBe(1n);
    expect(b.subarray(77, 78).toString()).toBe("w");
    expect(b.readUInt32LE(78)).toBe(2);
    expect(b.readBigUInt64LE(82)).toBe(32n);
    expect(b.readBigUInt64LE(90)).toBe(2n);
    expect(b.readUInt32LE(98)).toBe(0);
    expect(b.readBigUInt64LE(102)).toBe(0n);
    // header ends at 110, data starts at the next multiple of 32
    expect(b.length).toBe(128 + 256);
    expect(b.readFloatLE(128 + 4 * 5)).toBe(5);
    const g = readGguf(path);
    expect(g.dataOffset).toBe(128);
    expect(g.tensors[0]).toMatchObject({ name: "w", shape: [2, 32], offset: 128, nbytes: 256 });
  });

  it("round-trips a tiny llama model in every type", () => {
    for (const type of ["f32", "f16", "q8_0", "q4_0"] as const) {
      const path = join(dir, `m-${type}.gguf`);
      exportGguf(model, path, { type, tokenizer: tok, name: "tiny" });
      const g = readGguf(path);
      expect(g.metadata.get("general.architecture")?.value).toBe("llama");
      expect(g.metadata.get("llama.block_count")).toEqual({ type: "u32", value: 2 });
      expect(g.metadata.get("llama.attention.head_count_kv")?.value).toBe(2);
      expect(g.metadata.get("llama.rope.freq_base")).toEqual({ type: "f32", value: 10000 });
      expect(g.tensors.map((t) => t.name).slice(0, 4)).toEqual([
        "token_embd.weight",
        "blk.0.attn_norm.weight",
        "blk.0.attn_q.weight",
        "blk.0.attn_k.weight",
      ]);
      expect(g.tensors).toHaveLength(1 + 2 * 9 + 2);
      for (const t of g.tensors) expect((t.offset - g.dataOffset) % 32).toBe(0);
      const info = (n: string) => g.tensors.find((t) => t.name === n)!;
      const norm = info("blk.1.ffn_norm.weight");
      expect(norm.type.name).toBe("f32");
      expect(decodeGgufTensor(norm, readGgufTensor(path, norm))).toEqual(
        model.params["model.layers.1.post_attention_layernorm.weight"]!.data(),
      );
      const up = info("blk.0.ffn_up.weight");
      expect(up.type.name).toBe(type);
      expect(up.shape).toEqual([96, 64]);
      const src = model.params["model.layers.0.mlp.up_proj.weight"]!;
      const got = decodeGgufTensor(up, readGgufTensor(path, up));
      if (type === "q8_0" || type === "q4_0") {
        expect(readGgufTensor(path, up)).toEqual(quantize(src, type).data);
      } else {
        const want = src.data() as Float32Array;
        const tol = type === "f32" ? 0 : 1e-3;
        for (let i = 0; i < want.length; i++)
          expect(Math.abs(got[i]! - want[i]!)).toBeLessThanOrEqual(tol * Math.abs(want[i]!) + 1e-7);
      }
      // Q rows are stored permuted: ggml row 1 of head 0 is HF row headDim/2.
      const q = info("blk.0.attn_q.weight");
      const qg = decodeGgufTensor(q, readGgufTensor(path, q));
      const qh = model.params["model.layers.0.self_attn.q_proj.weight"]!.data() as Float32Array;
      if (type === "f32") expect(qg.subarray(64, 128)).toEqual(qh.subarray(8 * 64, 9 * 64));
    }
  });

  it("writes the byte-level vocabulary as llama.cpp's gpt2 model", () => {
    const g = readGguf(join(dir, "m-f32.gguf"));
    expect(g.metadata.get("tokenizer.ggml.model")?.value).toBe("gpt2");
    const tokens = g.metadata.get("tokenizer.ggml.tokens")!.value as string[];
    expect(tokens).toHaveLength(270);
    expect(tokens[265]).toBe("Ġworld");
    expect(tokens[269]).toBe("[PAD269]");
    const types = g.metadata.get("tokenizer.ggml.token_type")!.value as number[];
    expect([types[0], types[1], types[267], types[269]]).toEqual([3, 1, 3, 5]);
    expect(g.metadata.get("tokenizer.ggml.merges")!.value).toEqual(tok.merges());
    expect(g.metadata.get("tokenizer.ggml.bos_token_id")?.value).toBe(266);
    expect(g.metadata.get("tokenizer.ggml.eos_token_id")?.value).toBe(267);
  });

  it("writes rope scaling: linear as keys, llama3 as llama.cpp's rope_freqs tensor", () => {
    const small = {
      vocabSize: 64,
      hiddenSize: 32,
      intermediateSize: 32,
      numLayers: 1,
      numHeads: 2,
      numKvHeads: 1,
    };
    const lin = LlamaModel.random(
      makeConfig({ ...small, ropeScaling: { type: "linear", factor: 4 } }),
    );
    exportGguf(lin, join(dir, "lin.gguf"), { type: "f32" });
    const g = readGguf(join(dir, "lin.gguf"));
    expect(g.metadata.get("llama.rope.scaling.type")?.value).toBe("linear");
    expect(g.metadata.get("llama.rope.scaling.factor")?.value).toBe(4);
    expect(g.metadata.get("tokenizer.ggml.model")?.value).toBe("no_vocab");
    const l3 = LlamaModel.random(
      makeConfig({
        ...small,
        ropeTheta: 500000,
        ropeScaling: {
          type: "llama3",
          factor: 8,
          lowFreqFactor: 1,
          highFreqFactor: 4,
          originalMaxPositionEmbeddings: 64,
        },
      }),
    );
    exportGguf(l3, join(dir, "l3.gguf"), { type: "f16" });
    const h = readGguf(join(dir, "l3.gguf"));
    const rf = h.tensors.find((t) => t.name === "rope_freqs.weight")!;
    expect(rf).toMatchObject({ shape: [8], type: { name: "f32" } });
    const f = decodeGgufTensor(rf, readGgufTensor(join(dir, "l3.gguf"), rf));
    // High frequencies (short wavelengths) are untouched, the lowest are divided by the factor,
    // and the band between is interpolated monotonically.
    expect(f[0]).toBe(1);
    expect(f[7]).toBe(8);
    for (let i = 1; i < 8; i++) expect(f[i]!).toBeGreaterThanOrEqual(f[i - 1]!);
  });

  it("exports an already-quantized model to the same bytes", () => {
    exportGguf(model.quantize("q8_0"), join(dir, "pre-q8.gguf"), { type: "q8_0" });
    exportGguf(model, join(dir, "post-q8.gguf"), { type: "q8_0" });
    expect(fs.readFileSync(join(dir, "pre-q8.gguf"))).toEqual(
      fs.readFileSync(join(dir, "post-q8.gguf")),
    );
  });

  it("rejects malformed files with the byte offset", () => {
    const good = fs.readFileSync(join(dir, "tiny.gguf"));
    const bad = (mutate: (b: Buffer) => unknown, cut?: number) => {
      const b = Buffer.from(good);
      mutate(b);
      try {
        parseGguf(cut === undefined ? b : b.subarray(0, cut));
      } catch (e) {
        expect(e).toBeInstanceOf(FormatError);
        return e as FormatError;
      }
      throw new Error("no error");
    };
    expect(bad((b) => b.write("GGUX", 0, "latin1")).offset).toBe(0);
    expect(bad((b) => b.writeUInt32LE(1, 4)).message).toMatch(/version 1/);
    expect(bad((b) => b.writeUInt32LE(77, 52))).toMatchObject({ offset: 52 });
    expect(bad((b) => b.writeUInt32LE(99, 98)).message).toMatch(/unsupported ggml type 99/);
    expect(bad((b) => b.writeBigUInt64LE(8n, 102)).message).toMatch(/not aligned/);
    expect(bad(() => 0, 60).message).toMatch(/ends inside/);
    expect(bad(() => 0, 200).message).toMatch(/runs past the end/);
  });
});

describe("Q/K permutation", () => {
  it("is undone by its inverse", () => {
    for (const [rows, heads] of [
      [8, 1],
      [64, 4],
      [48, 3],
    ] as const) {
      const order = qkRowOrder(rows, heads);
      const x = Float32Array.from({ length: rows * 5 }, (_, i) => i);
      expect(permuteRows(permuteRows(x, order), invertOrder(order))).toEqual(x);
    }
    expect(Array.from(qkRowOrder(4, 1))).toEqual([0, 2, 1, 3]);
    expect(() => qkRowOrder(6, 4)).toThrow();
  });

  it("turns rotate-half RoPE into interleaved-pair RoPE", () => {
    const d = 8;
    const x = Float32Array.from({ length: d }, (_, i) => Math.sin(i + 1));
    const theta = [0.3, 0.1, 0.05, 0.01].map((t) => t * 7);
    const half = new Float32Array(d); // HF: pairs (j, j + d/2)
    for (let j = 0; j < d / 2; j++) {
      const [c, s] = [Math.cos(theta[j]!), Math.sin(theta[j]!)];
      half[j] = x[j]! * c - x[j + d / 2]! * s;
      half[j + d / 2] = x[j + d / 2]! * c + x[j]! * s;
    }
    const p = permuteRows(x, qkRowOrder(d, 1)); // ggml: pairs (2j, 2j + 1)
    const inter = new Float32Array(d);
    for (let j = 0; j < d / 2; j++) {
      const [c, s] = [Math.cos(theta[j]!), Math.sin(theta[j]!)];
      inter[2 * j] = p[2 * j]! * c - p[2 * j + 1]! * s;
      inter[2 * j + 1] = p[2 * j]! * s + p[2 * j + 1]! * c;
    }
    const back = permuteRows(inter, invertOrder(qkRowOrder(d, 1)));
    for (let i = 0; i < d; i++) expect(back[i]).toBeCloseTo(half[i]!, 6);
  });
});
