// x-llm perplexity <model> --file text.txt: sliding-window perplexity of a text file.
import * as fs from "node:fs";
import { UsageError } from "../errors.js";
import { loadModel } from "../io/load.js";
import { perplexity as evaluate } from "../perplexity.js";
import type { CommandSpec } from "./args.js";
import {
  applyThreads,
  type Command,
  deviceFlag,
  modelTokenizer,
  output,
  requireModel,
  TOKENIZER_FLAG,
} from "./common.js";
import { Progress } from "./io.js";

const spec: CommandSpec = {
  name: "perplexity",
  summary: "perplexity of a text file (sliding window)",
  description:
    "Perplexity of a text file under a Hugging Face folder or a .gguf file: windows of --window tokens every --stride tokens, each token scored once with up to window-1 tokens of context (the transformers recipe).",
  positionals: ["model"],
  flags: {
    file: { type: "string", short: "f", help: "UTF-8 text file to score (required)" },
    window: { type: "integer", min: 2, help: "tokens per window (default: min(context, 512))" },
    stride: { type: "integer", min: 1, help: "tokens between window starts (default: window / 2)" },
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
  },
  examples: [
    "x-llm perplexity ./SmolLM2-135M --file moby-dick.txt --window 512 --stride 256",
    "x-llm perplexity ./SmolLM2-135M -f sotu.txt --quantize q4_0 --json",
    "x-llm perplexity smollm2-135m-q8_0.gguf -f moby-dick.txt",
  ],
};

/** `x-llm perplexity`. */
export const perplexity: Command = {
  spec,
  async run(args, io) {
    const dir = args.positionals[0]!;
    const f = args.flags;
    if (typeof f.file !== "string") throw new UsageError("perplexity: --file is required");
    if (!fs.existsSync(f.file)) throw new UsageError(`perplexity: ${f.file} does not exist`);
    const q = f.quantize as string | undefined;
    if (q !== undefined && q !== "q8_0" && q !== "q4_0")
      throw new UsageError(`perplexity: --quantize must be q8_0 or q4_0, got ${q}`);
    requireModel(dir, "perplexity");
    applyThreads(args);
    const tok = modelTokenizer(dir, f, "perplexity").tokenizer;
    const model = await loadModel(dir, {
      ...(q ? { quantize: q } : {}),
      device: deviceFlag(f, "perplexity", io),
    });
    const ids = tok.encode(fs.readFileSync(f.file, "utf8"));
    const window =
      (f.window as number | undefined) ?? Math.min(model.config.maxPositionEmbeddings, 512);
    const stride = (f.stride as number | undefined) ?? Math.max(1, Math.floor(window / 2));
    if (window > model.config.maxPositionEmbeddings) {
      throw new UsageError(
        `perplexity: --window ${window} exceeds the model's ${model.config.maxPositionEmbeddings} positions`,
      );
    }
    const progress = new Progress(
      io,
      "perplexity",
      Math.max(0, ids.length - 1),
      "tok",
      Boolean(f.json),
    );
    const t0 = performance.now();
    const r = evaluate(model, ids, { window, stride, onWindow: (done) => progress.update(done) });
    progress.done();
    const seconds = (performance.now() - t0) / 1000;
    const result = {
      file: f.file,
      ...r,
      window,
      stride,
      seconds,
      tokensPerSec: r.tokens / seconds,
    };
    return output(
      io,
      args,
      result,
      `perplexity ${r.ppl.toFixed(4)} (nll ${r.nll.toFixed(4)} nats/token) over ${r.tokens} tokens, ${r.windows} windows of ${window} (stride ${stride}), ${seconds.toFixed(1)}s`,
    );
  },
};
