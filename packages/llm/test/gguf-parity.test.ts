// GGUF round trip on the transformers parity fixtures: each small model (Llama 2 MHA, Llama 3
// GQA with llama3 RoPE scaling, Mistral GQA, Qwen2 with biases) exported to an f32 GGUF and
// loaded back computes the logits and greedy tokens transformers produced, and exactly the
// logits of the folder-loaded model. The Llama 3 file is also loaded as llama.cpp would write it
// (no x_llm.* keys, RoPE scaling only as rope_freqs divisors).
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSafetensors } from "@x/tensor";
import { afterAll, describe, expect, it } from "vitest";
import { relativeError } from "../../../scripts/testing/relative-error.js";
import {
  complete,
  exportGguf,
  type GgufValue,
  loadGguf,
  readGguf,
  readGgufTensor,
  writeGguf,
} from "../src/index.js";
import { deterministicModel, PARITY_ROOT, ROUNDTRIP_MODELS } from "./roundtrip-models.js";

const tmp = fs.mkdtempSync(join(tmpdir(), "x-llm-gguf-parity-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The file as llama.cpp's converter would leave it: without our x_llm.* keys. */
function withoutOurKeys(src: string): string {
  const g = readGguf(src);
  const meta: Record<string, GgufValue> = {};
  for (const [k, v] of g.metadata) if (!k.startsWith("x_llm.")) meta[k] = v;
  const out = src.replace(/\.gguf$/, "-plain.gguf");
  writeGguf(
    out,
    meta,
    g.tensors.map((t) => ({
      name: t.name,
      shape: t.shape,
      type: t.type,
      data: readGgufTensor(src, t),
    })),
  );
  return out;
}

describe.each(ROUNDTRIP_MODELS)("GGUF round trip against transformers: %s", (name) => {
  it("logits and greedy tokens", async () => {
    const model = await deterministicModel(name);
    const expected = loadSafetensors(join(PARITY_ROOT, name, "expected.safetensors")).tensors;
    const path = join(tmp, `${name}.gguf`);
    exportGguf(model, path, { type: "f32" });
    const files = [path, ...(name === "llama3-gqa" ? [withoutOurKeys(path)] : [])];
    for (const file of files) {
      const back = await loadGguf(file);
      const exact = file === path;
      if (exact) expect(back.config.ropeScaling).toEqual(model.config.ropeScaling);
      const prompts = Object.keys(expected).filter((k) => k.startsWith("prompt."));
      expect(prompts.length).toBeGreaterThan(0);
      for (const key of prompts) {
        const p = key.slice(7);
        const ids = expected[key]!;
        const logits = back.forward({ inputIds: ids.reshape([1, -1]) });
        const want = expected[`logits.${p}`]!;
        expect(relativeError(logits.reshape(want.shape), want), `${file} prompt ${p}`).toBeLessThan(
          1e-4,
        );
        if (exact)
          expect(logits.data()).toEqual(model.forward({ inputIds: ids.reshape([1, -1]) }).data());
        const greedy = expected[`greedy.${p}`]!.toArray();
        const [out] = await complete(back, [ids.toArray()], {
          maxNewTokens: greedy.length,
          stopTokens: [],
        });
        expect(out!.tokens).toEqual(greedy);
      }
    }
  });
});
