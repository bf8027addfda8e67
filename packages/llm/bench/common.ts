// Pieces shared by the @x/llm benchmarks (decode.ts, llamacpp.ts, cuda.ts): SmolLM2-135M's
// shapes, the synthetic prompt, and the engine/session protocol with its prefill/decode timing.
import { Tensor } from "@x/tensor";
import { fullCache, type LlamaModel, makeConfig } from "../src/index.js";
import { medianMs, progress, type Row } from "./harness.js";

/** SmolLM2-135M's shapes (random weights are built from it). */
export const smolConfig = makeConfig({
  vocabSize: 49152,
  hiddenSize: 576,
  intermediateSize: 1536,
  numLayers: 30,
  numHeads: 9,
  numKvHeads: 3,
  headDim: 64,
  rmsNormEps: 1e-5,
  ropeTheta: 100000,
  maxPositionEmbeddings: 8192,
  tieWordEmbeddings: true,
});

/** TinyLlama-1.1B's shapes (untied: a separate LM head). */
export const tinyLlamaConfig = makeConfig({
  vocabSize: 32000,
  hiddenSize: 2048,
  intermediateSize: 5632,
  numLayers: 22,
  numHeads: 32,
  numKvHeads: 4,
  headDim: 64,
  rmsNormEps: 1e-5,
  ropeTheta: 10000,
  maxPositionEmbeddings: 2048,
  tieWordEmbeddings: false,
});

/** Benchmark shapes by `--shape` name: the model whose shapes random weights take. */
export const benchShapes = {
  smollm2: { name: "SmolLM2-135M", config: smolConfig },
  tinyllama: { name: "TinyLlama-1.1B", config: tinyLlamaConfig },
} as const;
export type BenchShape = keyof typeof benchShapes;

/** A deterministic prompt of `length` token ids below `vocabSize`. */
export function benchPrompt(length: number, vocabSize: number): number[] {
  return Array.from({ length }, (_, i) => (i * 7919 + 13) % vocabSize);
}

/** A set-up engine: each call returns the median milliseconds of its phase. */
export interface Session {
  prefill(prompt: number[]): Promise<number>;
  decode(prompt: number[], n: number): Promise<number>;
  dispose?(): Promise<void>;
}

/** One engine under test: prefill `prompt`, then decode `decode` tokens; returns ms for each phase. */
export interface Engine {
  name: string;
  /** Sets the engine up (load, quantize); a string when unavailable (the row says why). */
  setup(): Promise<Session | string>;
}

/** Times `model` (CPU, full cache) as a Session: `runs` timed runs of each phase, medians. */
export function modelSession(model: LlamaModel, runs: number): Session {
  const vocabSize = model.config.vocabSize;
  const run = (ids: number[], cache = model.createCache(fullCache())) =>
    model.forward({
      inputIds: Tensor.from(ids, [1, ids.length], "i32"),
      cache,
      logitsFor: "last",
    });
  return {
    prefill: (p) => medianMs(() => run(p), { runs }),
    async decode(p, n) {
      // Median over runs of the time of n decode steps after a prefill (prefill not timed).
      const times: number[] = [];
      for (let r = 0; r < runs; r++) {
        const cache = model.createCache(fullCache());
        run(p, cache);
        const t0 = performance.now();
        for (let i = 0; i < n; i++) run([(i * 31) % vocabSize], cache);
        times.push(performance.now() - t0);
      }
      return times.sort((a, b) => a - b)[times.length >> 1]!;
    },
  };
}

/**
 * Sets `engine` up and measures prefill and decode throughput (tokens/s) over `runs` runs each,
 * then disposes it; returns the engine's note when it is unavailable.
 */
export async function measureEngine(
  engine: Engine,
  prompt: number[],
  decodeTokens: number,
  runs: number,
): Promise<Throughput | string> {
  progress(`${engine.name}: setting up`);
  const e = await engine.setup();
  if (typeof e === "string") return e;
  progress(`${engine.name}: prefill ${prompt.length} tokens x ${runs}`);
  const prefill = (prompt.length / (await e.prefill(prompt))) * 1000;
  progress(`${engine.name}: decode ${decodeTokens} tokens x ${runs}`);
  const decode = (decodeTokens / (await e.decode(prompt, decodeTokens))) * 1000;
  await e.dispose?.();
  return { prefill, decode };
}

/** Prefill and decode throughput (tokens/s) of one engine. */
export interface Throughput {
  prefill: number;
  decode: number;
}

/**
 * Measures `engines` in order (see {@link measureEngine}), one row each: tokens/s of both phases,
 * then each `ratios` column against the first engine that ran, then a note (why it did not run).
 */
export async function measureRows(
  engines: Engine[],
  prompt: number[],
  decodeTokens: number,
  runs: number,
  ratios: Record<string, (m: Throughput, ref: Throughput) => number>,
): Promise<Row[]> {
  const rows: Row[] = [];
  let ref: Throughput | undefined;
  for (const engine of engines) {
    const m = await measureEngine(engine, prompt, decodeTokens, runs);
    const row: Row = {
      engine: engine.name,
      "prefill tok/s": typeof m === "string" ? null : m.prefill,
      "decode tok/s": typeof m === "string" ? null : m.decode,
    };
    if (typeof m !== "string") ref ??= m;
    for (const [column, ratio] of Object.entries(ratios))
      row[column] = typeof m === "string" ? null : ratio(m, ref!);
    row.note = typeof m === "string" ? m : "";
    rows.push(row);
  }
  return rows;
}

/** The `model` line of a benchmark's context. */
export const modelDescription = (model: LlamaModel, shapes = "SmolLM2-135M"): string =>
  `random weights, ${shapes} shapes (${(model.numParameters() / 1e6).toFixed(1)}M params, ${model.config.tieWordEmbeddings ? "tied embeddings" : "untied LM head"})`;
