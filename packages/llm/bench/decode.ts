// Prefill and decode throughput of a random-weight model with SmolLM2-135M's shapes: f32, q8_0
// and q4_0 projections, and q4_0 with the LM head quantized too; one thread unless --threads,
// medians. Every engine is one entry of ENGINES; a baseline (e.g. node-llama-cpp on a GGUF of the
// same shapes) is added to BASELINES and its ratio to the reference row is printed beside it.
// Run: pnpm --filter @x/llm bench [--json] [--prompt=64] [--decode=32] [--runs=3] [--threads=1] [--formats=f32,q8_0,q4_0,q4_0+head]
import { backendInfo, setNumThreads } from "@x/tensor";
import { LlamaModel } from "../src/index.js";
import {
  benchPrompt,
  smolConfig as config,
  type Engine,
  measureRows,
  modelDescription,
  modelSession,
} from "./common.js";
import { emit, parseFlags, progress } from "./harness.js";

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

const prompt = benchPrompt(PROMPT, config.vocabSize);
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
      return modelSession(model);
    },
  };
}

// Baselines measured in the same run go here (node-llama-cpp: load a GGUF with these shapes).
const BASELINES: Engine[] = [];
const ENGINES = [...FORMATS.map(xllm), ...BASELINES];

const rows = await measureRows(ENGINES, prompt, DECODE, RUNS, {
  "decode vs ref": (m, ref) => m.decode / ref.decode,
});

const info = backendInfo();
emit(
  flags,
  {
    benchmark: "llm decode/prefill",
    model: modelDescription(base),
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
