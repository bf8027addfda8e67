// The project's main job once the default model exists: load models/sotu, stream a continuation
// of a prompt token by token with its speed, then measure held-out perplexity on the validation
// split against the unigram baseline. Works with no arguments; `--short` is the quick CI variant.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadCorpus } from "@x/corpus";
import { loadModel, loadTokenizer } from "@x/llm";
import { type CommandSpec, isMain, runCommand } from "./cli-args.js";
import { resolveDevice } from "./device.js";
import { encodeSplit, openTokenizer, SOURCE } from "./encode-splits.js";
import { heldOutPerplexity } from "./held-out.js";
import { defaultDataDir, defaultModelDir, userPath } from "./paths.js";
import { streamSample } from "./samples.js";
import {
  checkTokenizer,
  readSplit,
  type SplitName,
  type TokenSplit,
  tokenizerSha256,
} from "./token-stream.js";
import { passageTargets, UnigramModel } from "./unigram.js";

const PROMPT = "The state of the Union is";

const SPEC: CommandSpec = {
  name: "demo",
  usage: "pnpm --filter @x/example-default-model demo -- [flags]",
  description:
    "Loads the default model, streams a sampled continuation of a prompt with its speed, then prints held-out perplexity on the validation split of the State of the Union corpus next to a unigram baseline. Uses the prepared token files when present, else encodes the corpus on the fly.",
  flags: {
    model: { type: "string", help: "model folder (default <repo>/models/sotu)" },
    prompt: { type: "string", help: `prompt (default "${PROMPT}")` },
    "max-new-tokens": {
      type: "integer",
      min: 1,
      help: "tokens to generate (default 120; 40 with --short)",
    },
    temperature: { type: "number", min: 0, help: "sampling temperature (default 0.8)" },
    "top-p": { type: "number", min: 0, help: "nucleus sampling mass (default 0.95)" },
    seed: { type: "integer", min: 0, help: "sampling seed (default 1)" },
    passages: {
      type: "integer",
      min: 1,
      help: "validation passages scored (default all; 20 with --short)",
    },
    window: { type: "integer", min: 2, help: "perplexity window (default 256)" },
    data: {
      type: "string",
      help: "prepared token folder (default <repo>/.carry/sotu-tokens when present)",
    },
    short: { type: "boolean", help: "fewer tokens and passages (CI)" },
    device: { type: "string", help: "cpu (default), cuda or auto" },
    threads: { type: "integer", min: 1, help: "CPU threads (default: all cores)" },
  },
  examples: [
    "pnpm --filter @x/example-default-model demo",
    "pnpm --filter @x/example-default-model demo -- --short --model /tmp/sotu-tiny/final",
  ],
};

/** The train and validation splits: prepared files when present, else encoded now from @x/corpus. */
function heldOutData(
  dataDir: string | undefined,
  tokenizerDir: string,
): { train: TokenSplit; validation: TokenSplit; from: string } {
  const sha = tokenizerSha256(tokenizerDir);
  const dir = dataDir ?? defaultDataDir();
  const prepared = ["train", "validation"].every((s) => existsSync(join(dir, `${s}.json`)));
  if (dataDir !== undefined || prepared) {
    const train = readSplit(dir, "train");
    const validation = readSplit(dir, "validation");
    checkTokenizer(train, sha, tokenizerDir);
    checkTokenizer(validation, sha, tokenizerDir);
    return { train, validation, from: dir };
  }
  const tok = openTokenizer(tokenizerDir);
  const passages = loadCorpus({ sources: [SOURCE] });
  const encode = (split: SplitName) =>
    encodeSplit(
      passages.filter((p) => p.split === split),
      split,
      tok,
    );
  return {
    train: encode("train"),
    validation: encode("validation"),
    from: "@x/corpus (encoded now)",
  };
}

/** The command. */
export async function main(argv: readonly string[]): Promise<void> {
  await runCommand(SPEC, argv, async (flags) => {
    const modelDir = flags.model ? userPath(String(flags.model)) : defaultModelDir();
    if (!existsSync(join(modelDir, "config.json")))
      throw new Error(
        `${modelDir} holds no model yet (no config.json); train one with examples/default-model or pass --model`,
      );
    const short = Boolean(flags.short);
    const json = Boolean(flags.json);
    const say = (s: string) => {
      if (!json) process.stdout.write(s);
    };
    const dev = resolveDevice(
      flags.device as string | undefined,
      flags.threads as number | undefined,
    );
    const t0 = performance.now();
    const model = await loadModel(modelDir, { device: dev.device });
    const tok = loadTokenizer(modelDir);
    const loadSec = (performance.now() - t0) / 1000;
    say(
      `${modelDir}: ${(model.numParameters() / 1e6).toFixed(1)}M parameters, loaded in ${loadSec.toFixed(2)} s on ${dev.description}\n\n`,
    );
    const prompt = (flags.prompt as string | undefined) ?? PROMPT;
    say(prompt);
    const sample = await streamSample(
      model,
      tok,
      prompt,
      {
        maxNewTokens: (flags["max-new-tokens"] as number | undefined) ?? (short ? 40 : 120),
        temperature: (flags.temperature as number | undefined) ?? 0.8,
        topP: (flags["top-p"] as number | undefined) ?? 0.95,
        seed: (flags.seed as number | undefined) ?? 1,
      },
      say,
    );
    say(
      `\n\n${sample.tokens} tokens in ${sample.seconds.toFixed(2)} s (${sample.tokensPerSec.toFixed(1)} tokens/s, prefill included)\n`,
    );
    const data = heldOutData(flags.data ? userPath(String(flags.data)) : undefined, modelDir);
    const unigram = UnigramModel.fit(passageTargets(data.train), model.config.vocabSize);
    const passages = (flags.passages as number | undefined) ?? (short ? 20 : undefined);
    const t1 = performance.now();
    const r = heldOutPerplexity(model, data.validation, {
      unigram,
      ...(flags.window !== undefined ? { window: flags.window as number } : {}),
      ...(passages !== undefined ? { maxPassages: passages } : {}),
    });
    const evalSec = (performance.now() - t1) / 1000;
    say(
      `validation perplexity ${r.ppl.toFixed(2)} (${r.bitsPerByte.toFixed(3)} bits/byte) over ${r.passages} passages, ${r.tokens} tokens, window ${r.window}; unigram baseline ${r.unigram!.ppl.toFixed(1)} (${r.unigram!.bitsPerByte.toFixed(3)} bits/byte); ${evalSec.toFixed(1)} s, ${(r.tokens / evalSec).toFixed(0)} tokens/s; data from ${data.from}\n`,
    );
    if (json)
      process.stdout.write(
        `${JSON.stringify({ model: modelDir, device: dev.description, parameters: model.numParameters(), loadSec, sample, perplexity: { ...r, seconds: evalSec, data: data.from } }, null, 2)}\n`,
      );
  });
}

if (isMain(import.meta.url)) await main(process.argv.slice(2));
