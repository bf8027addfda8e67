// @x/llm against llama.cpp (node-llama-cpp's prebuilt CPU binary) on the same random weights
// with SmolLM2-135M's shapes (or TinyLlama-1.1B's with --shape=tinyllama: untied LM head, 4.4 GB
// of f32 weights): we export each format to GGUF with our exporter, llama.cpp loads
// it, and both engines prefill a prompt and decode tokens single-threaded, taking turns each
// round (see measureRows). Medians of runs.
// Like for like: the q8_0/q4_0 GGUF export quantizes every 2-D tensor, so llama.cpp's LM head
// (`output`, or token_embd when tied) is q8_0/q4_0 too; our rows quantize the head the same way
// (`quantize(format, { head: true })`), so both engines run each matmul at the same precision.
// Run: pnpm --filter @x/llm bench:llamacpp [--json] [--prompt=64] [--decode=32] [--runs=3] [--formats=f32,q8_0,q4_0]
//   [--shape=smollm2|tinyllama]   (`--name value` works too)
import * as fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { backendInfo, setNumThreads } from "@x/tensor";
import { getLlama, type Llama, LlamaLogLevel, type Token } from "node-llama-cpp";
import { exportGguf, LlamaModel, Tokenizer } from "../src/index.js";
import {
  type BenchShape,
  benchPrompt,
  benchShapes,
  type Engine,
  measureRows,
  modelDescription,
  modelSession,
} from "./common.js";
import { emit, parseFlags, progress, type Row } from "./harness.js";

const flags = parseFlags();
if (flags.help) {
  console.log(
    "usage: tsx bench/llamacpp.ts [--json] [--prompt=N] [--decode=N] [--runs=N] [--formats=f32,q8_0,q4_0] [--shape=smollm2|tinyllama]",
  );
  process.exit(0);
}
const PROMPT = Number(flags.values.prompt ?? 64);
const DECODE = Number(flags.values.decode ?? 32);
const RUNS = Number(flags.values.runs ?? 3);
const FORMATS = (flags.values.formats ?? "f32,q8_0,q4_0").split(",") as ("f32" | "q8_0" | "q4_0")[];
const SHAPE = (flags.values.shape ?? "smollm2") as BenchShape;
if (!(SHAPE in benchShapes)) {
  console.error(`unknown --shape ${SHAPE} (${Object.keys(benchShapes).join(", ")})`);
  process.exit(2);
}
const { name: shapeName, config } = benchShapes[SHAPE];

setNumThreads(1);
/** A byte-level BPE vocabulary of `size` ids: 256 byte symbols, then pairs of them with merges. */
function syntheticTokenizer(size: number): Tokenizer {
  const printable = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174;
  const sym: string[] = [];
  for (let b = 0, n = 0; b < 256; b++) sym.push(String.fromCharCode(printable(b) ? b : 256 + n++));
  const vocab: Record<string, number> = {};
  for (const [i, s] of sym.entries()) vocab[s] = i;
  const merges: string[] = [];
  for (let i = 0; 256 + merges.length < size; i++) {
    const [a, b] = [sym[i % 256]!, sym[Math.floor(i / 256)]!];
    vocab[a + b] = 256 + merges.length;
    merges.push(`${a} ${b}`);
  }
  return new Tokenizer({
    tokenizer: {
      added_tokens: [],
      pre_tokenizer: { type: "ByteLevel", add_prefix_space: false, use_regex: true },
      decoder: { type: "ByteLevel" },
      model: { type: "BPE", vocab, merges },
    },
  });
}

const prompt = benchPrompt(PROMPT, config.vocabSize);
progress(`building a random ${config.numLayers}-layer model (${shapeName} shapes)...`);
const base = LlamaModel.random(config, { seed: 1 });
const dir = fs.mkdtempSync(join(tmpdir(), "x-bench-gguf-"));
process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
const tokenizer = syntheticTokenizer(config.vocabSize);

/** Row label: the format of the layer projections and of the LM head (same for both engines). */
const label = (format: "f32" | "q8_0" | "q4_0") =>
  format === "f32" ? "f32" : `${format} + ${format} head`;

function ours(format: "f32" | "q8_0" | "q4_0"): Engine {
  return {
    name: `@x/llm ${label(format)}`,
    async setup() {
      // Quantize the LM head too, as the exported GGUF does (see the header comment).
      return modelSession(format === "f32" ? base : base.quantize(format, { head: true }));
    },
  };
}

let llama: Llama | undefined;
function llamaCpp(format: "f32" | "q8_0" | "q4_0"): Engine {
  return {
    name: `llama.cpp ${label(format)}`,
    async setup() {
      const path = join(dir, `${SHAPE}-shapes-${format}.gguf`);
      progress(`exporting ${path}`);
      exportGguf(base, path, { type: format, tokenizer });
      llama ??= await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
      const model = await llama.loadModel({ modelPath: path, gpuLayers: 0 });
      const ctx = await model.createContext({
        contextSize: 512,
        batchSize: Math.max(PROMPT, 32),
        threads: 1,
      });
      const seq = ctx.getSequence();
      const withLast = (ids: number[]) => [
        ...ids.slice(0, -1),
        [ids.at(-1)!, { generateNext: { token: true } }] as const,
      ];
      const evaluate = async (p: number[]) => {
        await seq.clearHistory();
        await seq.controlledEvaluate(withLast(p) as Parameters<typeof seq.controlledEvaluate>[0]);
      };
      return {
        async prefill(p) {
          const t0 = performance.now();
          await evaluate(p);
          return performance.now() - t0;
        },
        async decode(p, n) {
          await evaluate(p);
          const t0 = performance.now();
          for (let i = 0; i < n; i++)
            await seq.controlledEvaluate([
              [((i * 31) % config.vocabSize) as Token, { generateNext: { token: true } }],
            ]);
          return performance.now() - t0;
        },
        async dispose() {
          await ctx.dispose();
          await model.dispose();
        },
      };
    },
  };
}

const rows: Row[] = [];
for (const format of FORMATS) {
  rows.push(
    ...(await measureRows([ours(format), llamaCpp(format)], prompt, DECODE, RUNS, {
      "prefill vs ours": (m, ref) => m.prefill / ref.prefill,
      "decode vs ours": (m, ref) => m.decode / ref.decode,
    })),
  );
}

const info = backendInfo();
emit(
  flags,
  {
    benchmark: "llm decode/prefill vs llama.cpp",
    model: modelDescription(base, shapeName),
    isa: info.isa,
    threads: info.threads,
    llamaCppThreads: 1,
    llamaCppSystem: llama?.systemInfo ?? null,
    node: process.version,
    prompt: PROMPT,
    decode: DECODE,
    runs: RUNS,
  },
  rows,
);
