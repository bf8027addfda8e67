// Writes the folders the round-trip fixture is made from: each small parity model saved by
// saveModel in each dtype, into <out>/<name>-<dtype>/. A GPU-machine run of
// scripts/check_roundtrip.py then loads them with transformers (see test/fixtures/README.md).
// Usage: pnpm --filter @x/llm exec tsx scripts/save-roundtrip.ts <out>
import { join } from "node:path";
import { saveModel } from "../src/index.js";
import {
  deterministicModel,
  ROUNDTRIP_DTYPES,
  ROUNDTRIP_MODELS,
} from "../test/roundtrip-models.js";

const out = process.argv[2];
if (!out) throw new Error("usage: save-roundtrip.ts <out-dir>");
for (const name of ROUNDTRIP_MODELS) {
  const model = await deterministicModel(name);
  for (const dtype of ROUNDTRIP_DTYPES) {
    saveModel(model, join(out, `${name}-${dtype}`), { dtype });
    console.log(`saved ${name}-${dtype}`);
  }
}
