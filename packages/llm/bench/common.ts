// Pieces shared by the @x/llm benchmarks (decode.ts, llamacpp.ts, cuda.ts): SmolLM2-135M's
// shapes, the synthetic prompt, and the engine/session protocol with its prefill/decode timing.
import { Tensor } from "@x/tensor";
import { fullCache, type LlamaModel, makeConfig } from "../src/index.js";
import { progress, type Row } from "./harness.js";

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

/** A set-up engine: each call times one run of its phase (milliseconds). */
export interface Session {
  prefill(prompt: number[]): Promise<number>;
  /** n decode steps after an untimed prefill of `prompt`. */
  decode(prompt: number[], n: number): Promise<number>;
  dispose?(): Promise<void>;
}

/** One engine under test: prefill `prompt`, then decode `decode` tokens; returns ms for each phase. */
export interface Engine {
  name: string;
  /** Sets the engine up (load, quantize); a string when unavailable (the row says why). */
  setup(): Promise<Session | string>;
}

/** Times `model` (CPU, full cache) as a Session. */
export function modelSession(model: LlamaModel): Session {
  const vocabSize = model.config.vocabSize;
  const run = (ids: number[], cache = model.createCache(fullCache())) =>
    model.forward({
      inputIds: Tensor.from(ids, [1, ids.length], "i32"),
      cache,
      logitsFor: "last",
    });
  return {
    async prefill(p) {
      const t0 = performance.now();
      run(p);
      return performance.now() - t0;
    },
    async decode(p, n) {
      const cache = model.createCache(fullCache());
      run(p, cache);
      const t0 = performance.now();
      for (let i = 0; i < n; i++) run([(i * 31) % vocabSize], cache);
      return performance.now() - t0;
    },
  };
}

/** Prefill and decode throughput (tokens/s) of one engine. */
export interface Throughput {
  prefill: number;
  decode: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/**
 * Sets every engine up, then measures them in turns (a prefill and a decode of each engine per
 * round, `runs` rounds after one warm-up round), so a machine whose speed drifts during the run
 * (other tenants, memory reclaim) weighs on every engine alike. One row per engine: median
 * tokens/s of both phases, then each `ratios` column against the first engine that ran, then a
 * note (why it did not run).
 */
export async function measureRows(
  engines: Engine[],
  prompt: number[],
  decodeTokens: number,
  runs: number,
  ratios: Record<string, (m: Throughput, ref: Throughput) => number>,
): Promise<Row[]> {
  const sessions: (Session | string)[] = [];
  for (const engine of engines) {
    progress(`${engine.name}: setting up`);
    sessions.push(await engine.setup());
  }
  const times = sessions.map(() => ({ prefill: [] as number[], decode: [] as number[] }));
  for (let round = 0; round <= runs; round++) {
    progress(`round ${round}/${runs}${round === 0 ? " (warm-up)" : ""}`);
    for (const [i, s] of sessions.entries()) {
      if (typeof s === "string") continue;
      const prefill = await s.prefill(prompt);
      const decode = await s.decode(prompt, decodeTokens);
      if (round === 0) continue;
      times[i]!.prefill.push(prefill);
      times[i]!.decode.push(decode);
    }
  }
  const rows: Row[] = [];
  let ref: Throughput | undefined;
  for (const [i, engine] of engines.entries()) {
    const s = sessions[i]!;
    await (typeof s === "string" ? undefined : s.dispose?.());
    const m: Throughput | string =
      typeof s === "string"
        ? s
        : {
            prefill: (prompt.length / median(times[i]!.prefill)) * 1000,
            decode: (decodeTokens / median(times[i]!.decode)) * 1000,
          };
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
