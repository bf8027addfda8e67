// Sampled continuations of fixed prompts with a fixed seed (the model card's samples and the
// demo's stream): the prompt is encoded with BOS, tokens are drawn with temperature and top-p by
// @x/llm's generate() and decoded incrementally (UTF-8 safe) as they arrive.
import { generate, type LlamaModel, StreamDecoder, type Tokenizer } from "@x/llm";

/** The prompts of the card's samples. */
export const DEFAULT_PROMPTS = [
  "Fellow citizens of the Senate and House of Representatives",
  "The state of the Union is",
  "Our nation",
];

/** Sampling settings (defaults: 0.8, 0.95, seed 1, 80 tokens). */
export interface SampleOptions {
  maxNewTokens?: number;
  temperature?: number;
  topP?: number;
  seed?: number;
}

/** One sampled continuation. */
export interface Sample {
  prompt: string;
  completion: string;
  tokens: number;
  finishReason: string;
  seconds: number;
  tokensPerSec: number;
}

/**
 * Samples one continuation of `prompt`, handing each piece of text to `write` as soon as it is
 * stable (pass nothing to collect silently).
 *
 * ```ts
 * await streamSample(model, tok, "Our nation", { seed: 1 }, (s) => process.stdout.write(s));
 * ```
 */
export async function streamSample(
  model: LlamaModel,
  tok: Tokenizer,
  prompt: string,
  opts: SampleOptions = {},
  write: (text: string) => void = () => {},
): Promise<Sample> {
  const ids = tok.encode(prompt);
  const decoder = new StreamDecoder(tok, { skipSpecialTokens: true });
  let completion = "";
  let tokens = 0;
  let finishReason = "length";
  const t0 = performance.now();
  for await (const step of generate(model, ids, {
    maxNewTokens: opts.maxNewTokens ?? 80,
    temperature: opts.temperature ?? 0.8,
    topP: opts.topP ?? 0.95,
    seed: opts.seed ?? 1,
  })) {
    tokens++;
    const piece = decoder.push(step.token);
    completion += piece;
    if (piece) write(piece);
    if (step.finishReason) finishReason = step.finishReason;
  }
  const rest = decoder.flush();
  completion += rest;
  if (rest) write(rest);
  const seconds = (performance.now() - t0) / 1000;
  return { prompt, completion, tokens, finishReason, seconds, tokensPerSec: tokens / seconds };
}

/**
 * One continuation per prompt, each with the same seed and settings.
 *
 * ```ts
 * const samples = await sampleCompletions(model, tok, DEFAULT_PROMPTS, { maxNewTokens: 60 });
 * ```
 */
export async function sampleCompletions(
  model: LlamaModel,
  tok: Tokenizer,
  prompts: readonly string[],
  opts: SampleOptions = {},
): Promise<Sample[]> {
  const out: Sample[] = [];
  for (const p of prompts) out.push(await streamSample(model, tok, p, opts));
  return out;
}
