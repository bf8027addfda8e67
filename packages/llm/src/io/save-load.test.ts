import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { saveCheckpoint, Tensor } from "@x/tensor";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, UsageError, WeightsError } from "../errors.js";
import { tinyModel } from "../test-models.js";
import { loadModel } from "./load.js";
import { saveModel } from "./save.js";

const root = fs.mkdtempSync(join(tmpdir(), "x-llm-io-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
const dir = (name: string) => join(root, name);
const files = (d: string) =>
  Object.fromEntries(
    fs
      .readdirSync(d)
      .sort()
      .map((f) => [f, fs.readFileSync(join(d, f))]),
  );
const ids = Tensor.from([1, 2, 3, 4], [1, 4], "i32");

describe("saveModel / loadModel", () => {
  it("round-trips byte for byte (single file and sharded)", async () => {
    const model = tinyModel({ tieWordEmbeddings: true });
    model.generationConfig = { bos_token_id: 1, eos_token_id: 2, do_sample: false };
    for (const [name, maxShardBytes] of [
      ["single", undefined],
      ["sharded", 20_000],
    ] as const) {
      const a = dir(`${name}-a`);
      const b = dir(`${name}-b`);
      saveModel(model, a, maxShardBytes ? { maxShardBytes } : {});
      const loaded = await loadModel(a);
      saveModel(loaded, b, maxShardBytes ? { maxShardBytes } : {});
      expect(files(b)).toEqual(files(a));
      expect(Object.keys(files(a))).toContain(
        name === "single" ? "model.safetensors" : "model.safetensors.index.json",
      );
      expect(Object.keys(files(a))).toContain("generation_config.json");
      expect(loaded.forward({ inputIds: ids }).toArray()).toEqual(
        model.forward({ inputIds: ids }).toArray(),
      );
      expect(loaded.generationConfig).toEqual(model.generationConfig);
    }
  });

  it("writes the layout transformers expects", () => {
    const model = tinyModel();
    saveModel(model, dir("layout"), { dtype: "bf16" });
    const cfg = JSON.parse(fs.readFileSync(join(dir("layout"), "config.json"), "utf8"));
    expect(cfg).toMatchObject({
      model_type: "llama",
      torch_dtype: "bfloat16",
      num_key_value_heads: 2,
      tie_word_embeddings: false,
    });
    const bytes = fs.readFileSync(join(dir("layout"), "model.safetensors"));
    const header = JSON.parse(
      bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString("utf8"),
    );
    expect(header.__metadata__).toEqual({ format: "pt" });
    expect(header["lm_head.weight"].dtype).toBe("BF16");
    expect(header["model.layers.1.self_attn.k_proj.weight"].shape).toEqual([16, 32]);
  });

  it("upcasts f16/bf16 checkpoints and quantizes at load", async () => {
    const model = tinyModel();
    saveModel(model, dir("half"), { dtype: "f16" });
    const half = await loadModel(dir("half"));
    expect(half.params["model.norm.weight"]!.dtype).toBe("f32");
    const ref = model.forward({ inputIds: ids }).toFloat64();
    const got = half.forward({ inputIds: ids }).toFloat64();
    expect(Math.max(...got.map((v, i) => Math.abs(v - ref[i]!)))).toBeLessThan(1e-2);
    const q = await loadModel(dir("half"), { quantize: "q8_0" });
    expect(Object.keys(q.quantized).length).toBe(2 * 7);
    expect(q.params["model.embed_tokens.weight"]).toBeDefined();
    expect(() => saveModel(q, dir("q"))).toThrow(UsageError);
    const qh = await loadModel(dir("half"), { quantize: "q4_0", quantizeHead: true });
    expect(qh.quantized["lm_head.weight"]?.format).toBe("q4_0");
    await expect(loadModel(dir("half"), { quantizeHead: true })).rejects.toThrow(/quantizeHead/);
  });

  it("reports missing files, tensors and bad options with typed errors", async () => {
    await expect(loadModel(dir("nowhere"))).rejects.toThrow(ConfigError);
    const model = tinyModel();
    saveModel(model, dir("broken"));
    const { "model.norm.weight": _, ...rest } = model.params;
    saveCheckpoint(dir("broken"), rest, { metadata: { format: "pt" } });
    await expect(loadModel(dir("broken"))).rejects.toThrow(WeightsError);
    await expect(loadModel(dir("broken"), { device: "tpu" as "cpu" })).rejects.toThrow(
      /device must be cpu, cuda or auto/,
    );
    await expect(loadModel(dir("broken"), { quantize: "q5_0" as "q4_0" })).rejects.toThrow(
      /quantize/,
    );
    fs.writeFileSync(join(dir("broken"), "config.json"), "{nope");
    await expect(loadModel(dir("broken"))).rejects.toThrow(/not valid JSON/);
  });
});
