// Prepares what the device machine needs to make the Hugging Face `tokenizers` fixture: the
// trained tokenizer folder, 200 validation passages and the edge cases, in an ignored folder
// (<repo>/.carry/corpus-bpe) that a device run carries. See ../../README.md, "Fixtures".
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadCorpus } from "../../src/index.js";
import { EDGE_CASES } from "./edge-cases.js";

const here = fileURLToPath(new URL(".", import.meta.url));
const root = resolve(here, "../../../..");
const out = join(root, ".carry", "corpus-bpe");
const model = join(root, "models", "sotu");
mkdirSync(join(out, "tokenizer"), { recursive: true });
for (const f of ["tokenizer.json", "tokenizer_config.json"]) {
  copyFileSync(join(model, f), join(out, "tokenizer", f));
}
copyFileSync(join(here, "encode.py"), join(out, "encode.py"));
const validation = loadCorpus().filter((p) => p.split === "validation");
const step = Math.max(1, Math.floor(validation.length / 200));
const passages = validation
  .filter((_, i) => i % step === 0)
  .slice(0, 200)
  .map((p) => ({ id: p.id, text: p.text }));
writeFileSync(join(out, "samples.json"), JSON.stringify({ passages, edgeCases: EDGE_CASES }));
console.log(`wrote ${out}: ${passages.length} passages, ${EDGE_CASES.length} edge cases`);
