// The evaluation the model card reports: held-out perplexity on the prepared validation and test
// splits (passage by passage, see held-out.ts), the unigram baseline fitted on the train split and
// scored on the same targets, and sampled continuations of fixed prompts with a fixed seed.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type LlamaModel, loadModel, loadTokenizer } from "@x/llm";
import { type HeldOutResult, heldOutPerplexity } from "./held-out.js";
import { DEFAULT_PROMPTS, type Sample, type SampleOptions, sampleCompletions } from "./samples.js";
import { checkTokenizer, readSplit, type SplitName, tokenizerSha256 } from "./token-stream.js";
import { passageTargets, UnigramModel } from "./unigram.js";

/** Format tag of eval.json. */
export const EVAL_FORMAT = "x-default-model-eval/1";

/** What {@link evaluateModel} needs. */
export interface EvaluateOptions {
  modelDir: string;
  dataDir: string;
  /** Tokenizer folder when the model folder has none (default: the model folder). */
  tokenizerDir?: string;
  splits?: readonly SplitName[];
  window?: number;
  stride?: number;
  maxPassages?: number;
  prompts?: readonly string[];
  sampling?: SampleOptions;
  /** A loaded model to use instead of loading `modelDir` (its device is kept). */
  model?: LlamaModel;
  device?: "cpu" | "cuda";
  deviceDescription?: string;
  onProgress?: (split: string, done: number, total: number) => void;
}

/** eval.json. */
export interface EvalReport {
  format: typeof EVAL_FORMAT;
  model: string;
  parameters: number;
  device: string;
  evaluatedAt: string;
  tokenizerSha256: string;
  data: string;
  method: string;
  unigram: { fittedOn: string; targets: number; vocabSize: number; smoothing: string };
  splits: HeldOutResult[];
  samples: {
    temperature: number;
    topP: number;
    seed: number;
    maxNewTokens: number;
    items: Sample[];
  };
  wallSec: number;
}

/**
 * Evaluates a model folder on the prepared splits.
 *
 * ```ts
 * const report = await evaluateModel({ modelDir: "models/sotu", dataDir: ".carry/sotu-tokens" });
 * report.splits[0]!.ppl; // validation perplexity
 * ```
 */
export async function evaluateModel(o: EvaluateOptions): Promise<EvalReport> {
  const t0 = performance.now();
  const tokDir = o.tokenizerDir ?? o.modelDir;
  if (!existsSync(join(tokDir, "tokenizer.json")))
    throw new Error(`${tokDir} has no tokenizer.json (pass --tokenizer)`);
  const sha = tokenizerSha256(tokDir);
  const train = readSplit(o.dataDir, "train");
  checkTokenizer(train, sha, tokDir);
  const model = o.model ?? (await loadModel(o.modelDir, { device: o.device ?? "cpu" }));
  const vocabSize = model.config.vocabSize;
  const unigram = UnigramModel.fit(passageTargets(train), vocabSize);
  const splits: HeldOutResult[] = [];
  for (const name of o.splits ?? (["validation", "test"] as const)) {
    const split = readSplit(o.dataDir, name);
    checkTokenizer(split, sha, tokDir);
    splits.push(
      heldOutPerplexity(model, split, {
        unigram,
        ...(o.window !== undefined ? { window: o.window } : {}),
        ...(o.stride !== undefined ? { stride: o.stride } : {}),
        ...(o.maxPassages !== undefined ? { maxPassages: o.maxPassages } : {}),
        onPassage: (done, total) => o.onProgress?.(name, done, total),
      }),
    );
  }
  const sampling = {
    temperature: o.sampling?.temperature ?? 0.8,
    topP: o.sampling?.topP ?? 0.95,
    seed: o.sampling?.seed ?? 1,
    maxNewTokens: o.sampling?.maxNewTokens ?? 80,
  };
  const items = await sampleCompletions(
    model,
    loadTokenizer(tokDir),
    o.prompts ?? DEFAULT_PROMPTS,
    sampling,
  );
  const first = splits[0];
  return {
    format: EVAL_FORMAT,
    model: o.modelDir,
    parameters: model.numParameters(),
    device: o.deviceDescription ?? o.device ?? "cpu",
    evaluatedAt: new Date().toISOString(),
    tokenizerSha256: sha,
    data: o.dataDir,
    method: `Each passage is scored on its own with @x/llm's perplexity() (its BOS is context, its ids and EOS are the targets), in windows of ${first?.window ?? o.window ?? 256} tokens starting every ${first?.stride ?? "window / 2"} tokens inside longer passages`,
    unigram: { fittedOn: "train", targets: unigram.total, vocabSize, smoothing: "add-one" },
    splits,
    samples: { ...sampling, items },
    wallSec: (performance.now() - t0) / 1000,
  };
}
