// `pnpm --filter @x/example-default-model prepare-data -- --out DIR`: encodes the State of the
// Union passages of @x/corpus with the default model's tokenizer into per-split token files
// (`<split>.u16` + `<split>.json`), the only data training and evaluation read.
import { type CommandSpec, isMain, runCommand } from "./cli-args.js";
import { prepareSplits } from "./encode-splits.js";
import { defaultDataDir, defaultModelDir, userPath } from "./paths.js";
import { SPLITS, type SplitName } from "./token-stream.js";

const SPEC: CommandSpec = {
  name: "prepare",
  usage: "pnpm --filter @x/example-default-model prepare-data -- [flags]",
  description:
    "Encodes every State of the Union passage of @x/corpus (BOS + ids + EOS, corpus order) with the tokenizer of --tokenizer and writes <split>.u16 (little-endian uint16 tokens) and <split>.json (passage spans, tokenizer SHA-256, counts) per split. Deterministic.",
  flags: {
    out: { type: "string", help: "output folder (default <repo>/.carry/sotu-tokens)" },
    tokenizer: { type: "string", help: "tokenizer folder (default <repo>/models/sotu)" },
    splits: { type: "string", help: "comma-separated splits (default train,validation,test)" },
  },
  examples: ["pnpm --filter @x/example-default-model prepare-data -- --out /tmp/sotu-tokens"],
};

/** Parses the split list of --splits. */
export function parseSplits(list: string | undefined): SplitName[] {
  if (list === undefined) return [...SPLITS];
  const out = list.split(",").map((s) => s.trim());
  for (const s of out)
    if (!(SPLITS as readonly string[]).includes(s))
      throw new Error(`unknown split "${s}" (known: ${SPLITS.join(", ")})`);
  return out as SplitName[];
}

/** The command. */
export async function main(argv: readonly string[]): Promise<void> {
  await runCommand(SPEC, argv, (flags) => {
    const outDir = flags.out ? userPath(String(flags.out)) : defaultDataDir();
    const tokenizerDir = flags.tokenizer ? userPath(String(flags.tokenizer)) : defaultModelDir();
    const t0 = performance.now();
    const summary = prepareSplits({
      tokenizerDir,
      outDir,
      splits: parseSplits(flags.splits as string | undefined),
    });
    const seconds = (performance.now() - t0) / 1000;
    if (flags.json) {
      process.stdout.write(
        `${JSON.stringify({ outDir, tokenizerDir, seconds, splits: summary }, null, 2)}\n`,
      );
      return;
    }
    for (const s of summary)
      process.stdout.write(
        `${s.split.padEnd(10)} ${String(s.passages).padStart(6)} passages ${String(s.tokens).padStart(9)} tokens (${(s.textBytes / s.tokens).toFixed(2)} bytes/token, longest passage ${s.maxPassageTokens})\n`,
      );
    process.stdout.write(`wrote ${outDir} in ${seconds.toFixed(1)} s\n`);
  });
}

if (isMain(import.meta.url)) await main(process.argv.slice(2));
