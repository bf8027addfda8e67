// Prefill and decode throughput of a random-weight model with SmolLM2-135M's shapes: f32, q8_0
// and q4_0 projections, and q4_0 with the LM head quantized too; one thread unless --threads,
// medians. Every engine is one entry of ENGINES; a baseline (e.g. node-llama-cpp on a GGUF of the
// same shapes) is added to BASELINES and its ratio to the reference row is printed beside it.
// Run: pnpm --filter @x/llm bench [--json] [--prompt=64] [--decode=32] [--runs=3] [--threads=1] [--formats=f32,q8_0,q4_0,q4_0+head]
import { backendInfo, setNumThreads, Tensor } from "@x/tensor";
import { fullCache, LlamaModel, makeConfig } from "../src/index.js";
import { emit, medianMs, parseFlags, progress, type Row } from "./harness.js";

const flags = parseFlags();
if (flags.help) {
  console.log(
    "usage: tsx bench/decode.ts [--json] [--prompt=N] [--decode=N] [--runs=N] [--threads=N] [--formats=f32,q8_0,q4_0,q4_0+head]",
  );
  process.exit(0);
}
const PROMPT = Number(flags.values.prompt ?? 64);
const DECODE = Number(flags.values.decode ?? 32);
const RUNS = Number(flags.values.runs ?? 3);
const FORMATS = (flags.values.formats ?? "f32,q8_0,q4_0,q4_0+head").split(",");

setNumThreads(Number(flags.values.threads ?? 1));
const config = makeConfig({
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

/** One engine under test: prefill `prompt`, then decode `decode` tokens; returns ms for each phase. */
interface Engine {
  name: string;
  /** Sets the engine up (load, quantize); undefined when unavailable (the row says why). */
  setup(): Promise<
    | {
        prefill(prompt: number[]): Promise<number>;
        decode(prompt: number[], n: number): Promise<number>;
      }
    | string
  >;
}

const prompt = Array.from({ length: PROMPT }, (_, i) => (i * 7919 + 13) % config.vocabSize);
progress(`building a random ${config.numLayers}-layer model (SmolLM2-135M shapes)...`);
const base = LlamaModel.random(config, { seed: 1 });

function xllm(format: string): Engine {
  return {
    name: `@x/llm ${format}`,
    async setup() {
      // "q4_0+head" also quantizes the (tied) LM head, as llama.cpp does for its output matrix.
      const [fmt, head] = format.split("+");
      const model =
        fmt === "f32" ? base : base.quantize(fmt as "q4_0" | "q8_0", { head: head === "head" });
      const run = (ids: number[], cache = model.createCache(fullCache())) =>
        model.forward({
          inputIds: Tensor.from(ids, [1, ids.length], "i32"),
          cache,
          logitsFor: "last",
        });
      return {
        async prefill(p) {
          return medianMs(() => run(p), { runs: RUNS });
        },
        async decode(p, n) {
          // Median over runs of the time of n decode steps after a prefill (prefill not timed).
          const times: number[] = [];
          for (let r = 0; r < RUNS; r++) {
            const cache = model.createCache(fullCache());
            run(p, cache);
            const t0 = performance.now();
            for (let i = 0; i < n; i++) run([(i * 31) % config.vocabSize], cache);
            times.push(performance.now() - t0);
          }
          return times.sort((a, b) => a - b)[times.length >> 1]!;
        },
      };
    },
  };
}

// Baselines measured in the same run go here (node-llama-cpp: load a GGUF with these shapes).
const BASELINES: Engine[] = [];
const ENGINES = [...FORMATS.map(xllm), ...BASELINES];

const rows: Row[] = [];
let ref: { prefill: number; decode: number } | undefined;
for (const engine of ENGINES) {
  progress(`${engine.name}: setting up`);
  const e = await engine.setup();
  if (typeof e === "string") {
    rows.push({
      engine: engine.name,
      "prefill tok/s": null,
      "decode tok/s": null,
      "decode vs ref": null,
      note: e,
    });
    continue;
  }
  progress(`${engine.name}: prefill ${PROMPT} tokens x ${RUNS}`);
  const prefill = (PROMPT / (await e.prefill(prompt))) * 1000;
  progress(`${engine.name}: decode ${DECODE} tokens x ${RUNS}`);
  const decode = (DECODE / (await e.decode(prompt, DECODE))) * 1000;
  ref ??= { prefill, decode };
  rows.push({
    engine: engine.name,
    "prefill tok/s": prefill,
    "decode tok/s": decode,
    "decode vs ref": decode / ref.decode,
    note: "",
  });
}

const info = backendInfo();
emit(
  flags,
  {
    benchmark: "llm decode/prefill",
    model: `random weights, SmolLM2-135M shapes (${(base.numParameters() / 1e6).toFixed(1)}M params, tied embeddings)`,
    isa: info.isa,
    threads: info.threads,
    backend: info.backend,
    node: process.version,
    prompt: PROMPT,
    decode: DECODE,
    runs: RUNS,
    reference: ENGINES[0]?.name,
  },
  rows,
);
