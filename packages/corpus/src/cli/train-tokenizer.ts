// `pnpm --filter @x/corpus run train-tokenizer`: trains the default model's byte-level BPE on the
// corpus' train split and writes the tokenizer folder (models/sotu by default). Deterministic:
// the same corpus and options give byte-identical files; --check verifies that without writing.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { BpeEncoder } from "../bpe/encoder.js";
import { evaluateTokenizer } from "../bpe/evaluate.js";
import { tokenizerFiles, writeTokenizerFolder } from "../bpe/tokenizer-folder.js";
import { type BpeProgress, trainBpe } from "../bpe/trainer.js";
import { loadCorpus, SOURCES } from "../corpus/corpus.js";
import type { SourceName } from "../corpus/document.js";

const ROOT = resolve(fileURLToPath(new URL(".", import.meta.url)), "../../../..");
/** Where the default model (and so its tokenizer) lives, relative to the repository root. */
const DEFAULT_OUT = "models/sotu";
const DEFAULT_VOCAB = 8192;

const HELP = `train-tokenizer: byte-level BPE on the @x/corpus train split

Usage: pnpm --filter @x/corpus run train-tokenizer [options]

Options:
  --vocab-size N     vocabulary size, specials and bytes included (default ${DEFAULT_VOCAB})
  --sources LIST     comma-separated corpus sources (default ${SOURCES.join(",")})
  --min-frequency N  never merge a pair seen fewer times (default 2)
  --out DIR          output folder (default <repo>/${DEFAULT_OUT})
  --check            train and compare with the files in --out instead of writing (exit 1 if they differ)
  --json             print a JSON summary on stdout
  --help             this text
`;

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      "vocab-size": { type: "string" },
      sources: { type: "string" },
      "min-frequency": { type: "string" },
      out: { type: "string" },
      check: { type: "boolean" },
      json: { type: "boolean" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const vocabSize = Number(values["vocab-size"] ?? DEFAULT_VOCAB);
  const minFrequency = Number(values["min-frequency"] ?? 2);
  const sources = (values.sources ?? SOURCES.join(",")).split(",") as SourceName[];
  const out = resolve(ROOT, values.out ?? DEFAULT_OUT);

  const t0 = performance.now();
  const corpus = loadCorpus({ sources });
  const passages = corpus.filter((p) => p.split === "train");
  const t1 = performance.now();
  const bytes = passages.reduce((n, p) => n + Buffer.byteLength(p.text), 0);
  process.stderr.write(
    `corpus: ${passages.length} train passages, ${(bytes / 1e6).toFixed(2)} MB (${((t1 - t0) / 1000).toFixed(1)} s)\n`,
  );
  const progress = (p: BpeProgress) => {
    const s = (performance.now() - t1) / 1000;
    const rate = p.merges / Math.max(s, 1e-9);
    const eta = rate > 0 ? (p.target - p.merges) / rate : 0;
    process.stderr.write(
      `merges ${p.merges}/${p.target}  last count ${p.count}  ${rate.toFixed(0)}/s  ETA ${eta.toFixed(1)} s\n`,
    );
  };
  const vocab = trainBpe(
    passages.map((p) => p.text),
    { vocabSize, minFrequency, onProgress: progress, progressEvery: 1000 },
  );
  const t2 = performance.now();
  const validation = corpus.filter((p) => p.split === "validation").map((p) => p.text);
  const stats = evaluateTokenizer(
    new BpeEncoder(vocab),
    passages.map((p) => p.text),
    validation,
  );
  const summary = {
    out,
    sources,
    passages: passages.length,
    bytes,
    vocabSize: vocab.tokens.length,
    merges: vocab.merges.length,
    corpusSeconds: (t1 - t0) / 1000,
    trainSeconds: (t2 - t1) / 1000,
    validation: stats,
  };
  let status = 0;
  if (values.check) {
    const differ = Object.entries(tokenizerFiles(vocab)).filter(([name, text]) => {
      try {
        return readFileSync(join(out, name), "utf8") !== text;
      } catch {
        return true;
      }
    });
    for (const [name] of differ) process.stderr.write(`differs: ${join(out, name)}\n`);
    if (differ.length === 0) process.stderr.write(`identical to ${out}\n`);
    status = differ.length === 0 ? 0 : 1;
  } else {
    for (const path of writeTokenizerFolder(out, vocab)) process.stderr.write(`wrote ${path}\n`);
  }
  if (values.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  else
    process.stderr.write(
      `vocab ${summary.vocabSize} (${summary.merges} merges) in ${summary.trainSeconds.toFixed(1)} s; ` +
        `validation: ${stats.bytesPerToken.toFixed(2)} bytes/token, unigram ` +
        `${stats.tokenUnigramBitsPerByte.toFixed(3)} bits/byte over tokens vs ` +
        `${stats.byteUnigramBitsPerByte.toFixed(3)} over bytes, ${stats.unusedTokens} tokens unused\n`,
    );
  return status;
}

try {
  const argv = process.argv.slice(2);
  process.exitCode = main(argv[0] === "--" ? argv.slice(1) : argv);
} catch (err) {
  process.stderr.write(`train-tokenizer: ${(err as Error).name}: ${(err as Error).message}\n`);
  process.exitCode = 2;
}
