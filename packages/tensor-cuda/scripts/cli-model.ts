// Writes a small random-weight model folder with the SOTU tokenizer (models/sotu) and a training
// text, so a GPU run can exercise `x-llm generate|train --device cuda` end to end.
// Usage: pnpm --filter @x/llm exec tsx ../tensor-cuda/scripts/cli-model.ts <out-dir> <tokenizer-dir>
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LlamaModel, makeConfig, saveModel } from "../../llm/src/index.js";

const [out, tokenizerDir] = process.argv.slice(2);
if (!out || !tokenizerDir) throw new Error("usage: cli-model.ts <out-dir> <tokenizer-dir>");
const config = makeConfig({
  vocabSize: 8192,
  hiddenSize: 128,
  intermediateSize: 352,
  numLayers: 2,
  numHeads: 4,
  numKvHeads: 2,
  bosTokenId: 0,
  eosTokenId: 1,
});
const model = LlamaModel.random(config, { seed: 1 });
const dir = join(out, "model");
saveModel(model, dir);
for (const f of readdirSync(tokenizerDir).filter((f) => f.startsWith("tokenizer"))) {
  copyFileSync(join(tokenizerDir, f), join(dir, f));
}
mkdirSync(out, { recursive: true });
const line = "We hold these truths to be self-evident, that the Union shall endure. ";
writeFileSync(join(out, "train.txt"), line.repeat(200));
console.log(`wrote ${dir} and ${join(out, "train.txt")}`);
