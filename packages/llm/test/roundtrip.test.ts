// Proves that what saveModel writes is what Hugging Face transformers loads: transformers read
// folders written by saveModel (scripts/save-roundtrip.ts) on a GPU machine and recorded the
// sha256 of each file and the logits it computed (scripts/check_roundtrip.py). Here the same
// folders are written again: their bytes must hash identically and their logits must agree.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadSafetensors, Tensor } from "@x/tensor";
import { afterAll, describe, expect, it } from "vitest";
import { loadModel, saveModel } from "../src/index.js";
import {
  deterministicModel,
  PARITY_ROOT,
  ROUNDTRIP_DTYPES,
  ROUNDTRIP_MODELS,
  ROUNDTRIP_ROOT,
} from "./roundtrip-models.js";

const tmp = fs.mkdtempSync(join(tmpdir(), "x-llm-roundtrip-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const sha256 = (path: string) => createHash("sha256").update(fs.readFileSync(path)).digest("hex");

describe.each(ROUNDTRIP_MODELS)("saveModel -> transformers: %s", (name) => {
  it.each(ROUNDTRIP_DTYPES)("%s: same bytes, same logits", async (dtype) => {
    const fixture = join(ROUNDTRIP_ROOT, `${name}-${dtype}`);
    const recorded = JSON.parse(fs.readFileSync(join(fixture, "files.json"), "utf8")) as {
      files: Record<string, string>;
    };
    const dir = join(tmp, `${name}-${dtype}`);
    saveModel(await deterministicModel(name), dir, { dtype });
    expect(fs.readdirSync(dir).sort()).toEqual(Object.keys(recorded.files).sort());
    for (const [file, hash] of Object.entries(recorded.files)) {
      expect(sha256(join(dir, file)), file).toBe(hash);
    }
    const prompt = loadSafetensors(join(PARITY_ROOT, name, "expected.safetensors")).tensors[
      "prompt.0"
    ]!;
    const expected = loadSafetensors(join(fixture, "expected.safetensors")).tensors["logits.0"]!;
    const model = await loadModel(dir);
    const ids = Tensor.from(prompt.toArray(), [1, prompt.size], "i32");
    const logits = model.forward({ inputIds: ids }).reshape(expected.shape);
    const a = logits.toFloat64();
    const b = expected.toFloat64();
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < b.length; i++) {
      diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
      scale = Math.max(scale, Math.abs(b[i]!));
    }
    expect(diff / scale).toBeLessThan(1e-4);
  });
});
