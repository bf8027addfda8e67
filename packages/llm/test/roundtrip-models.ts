// The models of the save -> transformers round-trip fixture: the small parity models rebuilt from
// their deterministic weights and saved by saveModel in each dtype. Shared by the fixture script
// (scripts/save-roundtrip.ts) and the test, so both write exactly the same bytes.
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { saveCheckpoint } from "@x/tensor";
import { type LlamaModel, loadModel, parameterShapes, readConfig } from "../src/index.js";
import { fixtureWeight } from "./weights.js";

export const PARITY_ROOT = join(import.meta.dirname, "fixtures", "hf-parity");
export const ROUNDTRIP_ROOT = join(import.meta.dirname, "fixtures", "hf-roundtrip");
export const ROUNDTRIP_MODELS = ["llama2-mha", "llama3-gqa", "mistral-gqa", "qwen2-bias"] as const;
export const ROUNDTRIP_DTYPES = ["f32", "bf16"] as const;

/** Loads parity model `name` with its deterministic weights. */
export async function deterministicModel(name: string): Promise<LlamaModel> {
  const dir = join(PARITY_ROOT, name);
  const cfg = readConfig(dir);
  const tmp = fs.mkdtempSync(join(tmpdir(), `x-llm-roundtrip-${name}-`));
  try {
    fs.copyFileSync(join(dir, "config.json"), join(tmp, "config.json"));
    const weights = Object.fromEntries(
      Object.entries(parameterShapes(cfg)).map(([n, s]) => [n, fixtureWeight(n, s)]),
    );
    saveCheckpoint(tmp, weights, { metadata: { format: "pt" } });
    return await loadModel(tmp);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
