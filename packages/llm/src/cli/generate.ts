// x-llm generate <model> --prompt ...: streams the continuation to stdout (complete UTF-8
// characters only, stop strings never printed) and the throughput to stderr.

import { UsageError } from "../errors.js";
import type { GenerateOptions } from "../generate/generate.js";
import { generate as generateTokens } from "../generate/generate.js";
import { loadModel } from "../io/load.js";
import { StopStringMatcher } from "../tokenizer/stop-strings.js";
import { StreamDecoder } from "../tokenizer/stream-decoder.js";
import type { CommandSpec, ParsedArgs } from "./args.js";
import {
  applyThreads,
  type Command,
  deviceFlag,
  modelTokenizer,
  output,
  requireModel,
  TOKENIZER_FLAG,
} from "./common.js";

const spec: CommandSpec = {
  name: "generate",
  summary: "stream a continuation of a prompt",
  description:
    "Continue a prompt with a local model: a Hugging Face folder or a llama.cpp .gguf file (f32, f16, bf16, q8_0 or q4_0 tensors; q8_0/q4_0 blocks run as they are). Text streams to stdout; prompt size, prefill and decode tokens/s go to stderr. Greedy unless --temperature > 0 (or generation_config.json samples). Sliding-window models (Mistral) keep only the window in the KV cache.",
  positionals: ["model"],
  flags: {
    prompt: { type: "string", short: "p", help: "the prompt text (required)" },
    "max-tokens": { type: "integer", short: "n", min: 0, help: "new tokens at most (default 64)" },
    temperature: { type: "number", min: 0, help: "sampling temperature; 0 = greedy" },
    "top-k": { type: "integer", min: 1, help: "keep the k most likely tokens" },
    "top-p": { type: "number", min: 0, max: 1, help: "nucleus sampling mass" },
    "min-p": {
      type: "number",
      min: 0,
      max: 1,
      help: "drop tokens below min-p × the top probability",
    },
    "repetition-penalty": {
      type: "number",
      min: 0,
      help: "> 1 discourages repeats (transformers' rule)",
    },
    seed: { type: "integer", min: 0, help: "sampling seed (default 0)" },
    stop: {
      type: "string",
      multiple: true,
      help: "stop when the text contains this string (not printed; \\n and \\t are unescaped)",
    },
    quantize: {
      type: "string",
      help: "projections as q8_0 or q4_0 (quantized while loading; a .gguf's blocks in the other format are requantized)",
    },
    tokenizer: TOKENIZER_FLAG,
    threads: { type: "integer", min: 1, help: "CPU threads of the native backend" },
    device: {
      type: "string",
      help: "cpu (default), cuda or auto; cuda without a GPU falls back to cpu with a warning",
    },
    chat: { type: "boolean", help: "wrap the prompt in the model's chat template as a user turn" },
    system: { type: "string", help: "system message for --chat" },
  },
  examples: [
    'x-llm generate ./SmolLM2-135M --prompt "The whale" --max-tokens 40',
    'x-llm generate ./SmolLM2-135M-Instruct --chat -p "Name three oceans." --temperature 0.7 --top-p 0.9 --seed 1',
    'x-llm generate ./model --prompt "Q: 2+2?\\nA:" --stop "\\n" --quantize q8_0 --json',
    'x-llm generate smollm2-135m-q8_0.gguf --prompt "The whale" -n 40',
    'x-llm generate llama-q4_0.gguf --tokenizer ./Llama-3.2-1B -p "Hello"',
  ],
};

/** Shell-friendly escapes in --stop: \\n, \\t, \\r and \\\\. */
function unescapeStop(s: string): string {
  return s.replace(/\\([ntr\\])/g, (_, c: string) => ({ n: "\n", t: "\t", r: "\r" })[c] ?? c);
}

/** Sampling options from the flags, defaulting to generation_config.json when it samples. */
function sampling(args: ParsedArgs, gen: Record<string, unknown> | undefined): GenerateOptions {
  const f = args.flags;
  const fromGen = gen?.do_sample === true;
  const pick = (flag: string, key: string): number | undefined =>
    (f[flag] as number | undefined) ??
    (fromGen && typeof gen?.[key] === "number" ? (gen[key] as number) : undefined);
  const o: GenerateOptions = {};
  const t = pick("temperature", "temperature");
  if (t !== undefined) o.temperature = t;
  const k = pick("top-k", "top_k");
  if (k !== undefined && k > 0) o.topK = k;
  const p = pick("top-p", "top_p");
  if (p !== undefined) o.topP = p;
  const m = pick("min-p", "min_p");
  if (m !== undefined) o.minP = m;
  const r = pick("repetition-penalty", "repetition_penalty");
  if (r !== undefined) o.repetitionPenalty = r;
  return o;
}

/** `x-llm generate`. */
export const generate: Command = {
  spec,
  async run(args, io) {
    const dir = args.positionals[0]!;
    const f = args.flags;
    if (typeof f.prompt !== "string") throw new UsageError("generate: --prompt is required");
    const q = f.quantize as string | undefined;
    if (q !== undefined && q !== "q8_0" && q !== "q4_0")
      throw new UsageError(`generate: --quantize must be q8_0 or q4_0, got ${q}`);
    requireModel(dir, "generate");
    applyThreads(args);
    const tok = modelTokenizer(dir, f, "generate").tokenizer;
    const model = await loadModel(dir, {
      ...(q ? { quantize: q } : {}),
      device: deviceFlag(f, "generate", io),
    });
    let ids: number[];
    if (f.chat) {
      const messages = [
        ...(typeof f.system === "string" ? [{ role: "system", content: f.system }] : []),
        { role: "user", content: f.prompt },
      ];
      ids = tok.encode(tok.applyChatTemplate(messages, { addGenerationPrompt: true }), {
        addSpecialTokens: false,
      });
    } else ids = tok.encode(f.prompt);
    if (ids.length === 0) throw new UsageError("generate: the prompt encodes to no tokens");
    const stopTokens = [...new Set([...tok.eosTokenIds, ...model.config.eosTokenIds])];
    const opts: GenerateOptions = {
      ...sampling(args, model.generationConfig),
      maxNewTokens: (f["max-tokens"] as number | undefined) ?? 64,
      seed: (f.seed as number | undefined) ?? 0,
      stopTokens,
    };
    const json = Boolean(f.json);
    const decoder = new StreamDecoder(tok, { skipSpecialTokens: true });
    const matcher = new StopStringMatcher(
      ((f.stop as string[] | undefined) ?? []).map(unescapeStop),
    );
    let text = "";
    const emit = (piece: string) => {
      text += piece;
      if (!json && piece) io.stdout(piece);
    };
    const tokens: number[] = [];
    let finishReason = "length";
    const t0 = performance.now();
    let tFirst = t0;
    for await (const step of generateTokens(model, ids, opts)) {
      if (tokens.length === 0) tFirst = performance.now();
      tokens.push(step.token);
      if (step.finishReason) finishReason = step.finishReason;
      const m = matcher.push(decoder.push(step.token));
      emit(m.text);
      if (m.stopped) {
        finishReason = "stop";
        break;
      }
    }
    if (!matcher.stopped) {
      const m = matcher.push(decoder.flush());
      emit(m.text + (m.stopped ? "" : matcher.flush()));
    }
    const tEnd = performance.now();
    const prefillSec = (tFirst - t0) / 1000;
    const decodeSec = (tEnd - tFirst) / 1000;
    const result = {
      text,
      promptTokens: ids.length,
      newTokens: tokens.length,
      tokens,
      finishReason,
      prefillTokensPerSec: prefillSec > 0 ? ids.length / prefillSec : null,
      decodeTokensPerSec:
        decodeSec > 0 && tokens.length > 1 ? (tokens.length - 1) / decodeSec : null,
      seconds: (tEnd - t0) / 1000,
    };
    if (!json) {
      io.stdout("\n");
      const rate = (v: number | null) => (v === null ? "-" : v.toFixed(1));
      io.stderr(
        `[${ids.length} prompt tokens, ${tokens.length} new | prefill ${rate(result.prefillTokensPerSec)} tok/s, decode ${rate(result.decodeTokensPerSec)} tok/s | ${finishReason}]\n`,
      );
      return result;
    }
    return output(io, args, result);
  },
};
