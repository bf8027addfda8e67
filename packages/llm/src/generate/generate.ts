// Autoregressive generation: per-sequence prefill, then batched decode over one cache per
// sequence (no padding), streamed as an async iterator that yields to the event loop per step.
import { rand, Tensor, tidy } from "@x/tensor";
import { deviceCache } from "../cache/device-cache.js";
import { fullCache } from "../cache/full-cache.js";
import { UsageError } from "../errors.js";
import { modelDevice } from "../model/device.js";
import type { LlamaModel } from "../model/llama.js";
import type { KVCache, KVCacheFactory } from "../protocols.js";
import { checkSampling, chooseToken, type SamplingOptions } from "./sampling.js";
import { matchesStopSequence } from "./stopping.js";

/** Why a sequence stopped. */
export type FinishReason = "stop" | "length" | "hook" | "aborted";

/** Options of {@link generate} and {@link complete}. */
export interface GenerateOptions extends SamplingOptions {
  /** New tokens per sequence at most (default 32). */
  maxNewTokens?: number;
  /** Seed of the counter-based sampler: sequence i draws step s from stream (seed, i·2³² + s); an array gives one seed per sequence (stream offset s). Default 0. */
  seed?: number | readonly number[];
  /** Tokens that end a sequence (and are emitted); default the config's eos ids. */
  stopTokens?: readonly number[];
  /** Token sequences that end a sequence when the sequence ends with one of them. */
  stopSequences?: readonly (readonly number[])[];
  /** Called after each token; true stops that sequence (stop strings via a tokenizer). */
  shouldStop?: (tokens: readonly number[], sequence: number) => boolean;
  /** Cache factory (default `fullCache()` in f32); each sequence gets its own cache. */
  cache?: KVCacheFactory;
  /**
   * Prefill each prompt in chunks of this many tokens (default: the whole prompt in one pass).
   * With a sliding-window model and the default cache, which drops what the window can no longer
   * see, a chunk of about the window keeps the cache near the window's size during a long prompt
   * too (one pass holds the whole prompt until it has been attended).
   */
  prefillChunk?: number;
  signal?: AbortSignal;
}

/** One generated token. */
export interface GenerationStep {
  /** Index of the prompt this token continues. */
  sequence: number;
  token: number;
  /** 0-based index among this sequence's new tokens. */
  index: number;
  /** Set on a sequence's last token. */
  finishReason?: FinishReason;
}

/** Result per sequence of {@link complete}. */
export interface Completion {
  tokens: number[];
  finishReason: FinishReason;
}

type Prompts = readonly number[] | Int32Array | readonly (readonly number[] | Int32Array)[];

function normalize(model: LlamaModel, prompts: Prompts): number[][] {
  const list =
    prompts.length > 0 && typeof prompts[0] !== "number"
      ? (prompts as readonly ArrayLike<number>[])
      : [prompts as ArrayLike<number>];
  return list.map((p, i) => {
    const ids = Array.from(p);
    if (ids.length === 0) throw new UsageError(`generate: prompt ${i} is empty`);
    const bad = ids.findIndex((t) => !Number.isInteger(t) || t < 0 || t >= model.config.vocabSize);
    if (bad >= 0)
      throw new UsageError(
        `generate: prompt ${i} token ${bad} (${ids[bad]}) is not in 0..${model.config.vocabSize - 1}`,
      );
    return ids;
  });
}

const nextTick = () => new Promise<void>((r) => setImmediate(r));

/**
 * Streams new tokens for one prompt or a batch of prompts (each with its own length and
 * cache). Steps of one decode round are yielded in sequence order; the loop yields to the event
 * loop between rounds.
 *
 * ```ts
 * for await (const step of generate(model, promptIds, { maxNewTokens: 20, temperature: 0.7, seed: 1 })) {
 *   process.stdout.write(tokenizer.decode([step.token]));
 * }
 * ```
 */
export async function* generate(
  model: LlamaModel,
  prompts: Prompts,
  opts: GenerateOptions = {},
): AsyncGenerator<GenerationStep> {
  checkSampling(opts);
  const seqs = normalize(model, prompts);
  const maxNew = opts.maxNewTokens ?? 32;
  if (!Number.isInteger(maxNew) || maxNew < 0)
    throw new UsageError(`generate: maxNewTokens must be a non-negative integer, got ${maxNew}`);
  const pc = opts.prefillChunk;
  if (pc !== undefined && (!Number.isInteger(pc) || pc < 1))
    throw new UsageError(`generate: prefillChunk must be a positive integer, got ${pc}`);
  const seeds = Array.isArray(opts.seed) ? opts.seed : undefined;
  if (seeds && seeds.length !== seqs.length)
    throw new UsageError(`generate: ${seeds.length} seeds for ${seqs.length} prompts`);
  const stop = new Set(opts.stopTokens ?? model.config.eosTokenIds);
  const onCpu = modelDevice(model) === "cpu";
  const factory = opts.cache ?? (onCpu ? fullCache() : deviceCache());
  // On a device, each step's activations are freed at once and only the logits come back.
  const logitsOf = (f: () => Tensor): Float32Array =>
    onCpu ? (f().data() as Float32Array) : tidy(() => f().toHost().data() as Float32Array);
  const caches: KVCache[] = [];
  const history = seqs.map((s) => [...s]);
  const produced = seqs.map(() => [] as number[]);
  const last: Float32Array[] = [];
  try {
    for (const s of seqs) {
      const cache = model.createCache(factory, { batch: 1 });
      caches.push(cache);
      const chunk = opts.prefillChunk ?? s.length;
      let logits: Float32Array | undefined;
      for (let a = 0; a < s.length; a += chunk) {
        const part = s.slice(a, a + chunk);
        logits = logitsOf(() =>
          model.forward({
            inputIds: Tensor.from(part, [1, part.length], "i32"),
            cache,
            logitsFor: "last",
          }),
        );
      }
      last.push(logits!);
    }
    let active = seqs.map((_, i) => i);
    if (maxNew === 0) return;
    for (let step = 0; active.length > 0; step++) {
      const stillActive: number[] = [];
      for (let k = 0; k < active.length; k++) {
        const i = active[k]!;
        const u = opts.temperature
          ? uniform(
              seeds ? seeds[i]! : ((opts.seed as number | undefined) ?? 0),
              seeds ? step : i * 2 ** 32 + step,
            )
          : 0;
        const token = chooseToken(last[k]!, opts, history[i]!, u);
        history[i]!.push(token);
        produced[i]!.push(token);
        const reason = opts.signal?.aborted
          ? "aborted"
          : stop.has(token) || matchesStopSequence(history[i]!, opts.stopSequences)
            ? "stop"
            : opts.shouldStop?.(produced[i]!, i)
              ? "hook"
              : produced[i]!.length >= maxNew
                ? "length"
                : undefined;
        yield {
          sequence: i,
          token,
          index: produced[i]!.length - 1,
          ...(reason ? { finishReason: reason } : {}),
        };
        if (!reason) stillActive.push(i);
      }
      active = stillActive;
      if (active.length === 0) break;
      await nextTick();
      const ids = Tensor.from(
        active.map((i) => history[i]!.at(-1)!),
        [active.length, 1],
        "i32",
      );
      const data = logitsOf(() =>
        model.forward({ inputIds: ids, cache: active.map((i) => caches[i]!), logitsFor: "last" }),
      );
      const v = model.config.vocabSize;
      last.length = 0;
      for (let k = 0; k < active.length; k++) last.push(data.subarray(k * v, (k + 1) * v));
    }
  } finally {
    for (const c of caches) c.dispose();
  }
}

function uniform(seed: number, offset: number): number {
  return rand([1], { seed, offset, dtype: "f64" }).item();
}

/**
 * Runs {@link generate} to the end and returns each sequence's new tokens.
 *
 * ```ts
 * const [out] = await complete(model, [promptIds], { maxNewTokens: 8 }); // greedy
 * out.tokens; out.finishReason; // "length" | "stop" | ...
 * ```
 */
export async function complete(
  model: LlamaModel,
  prompts: Prompts,
  opts: GenerateOptions = {},
): Promise<Completion[]> {
  const n = prompts.length > 0 && typeof prompts[0] !== "number" ? prompts.length : 1;
  const out: Completion[] = Array.from({ length: n }, () => ({
    tokens: [],
    finishReason: "length" as FinishReason,
  }));
  for await (const s of generate(model, prompts, opts)) {
    out[s.sequence]!.tokens.push(s.token);
    if (s.finishReason) out[s.sequence]!.finishReason = s.finishReason;
  }
  return out;
}
