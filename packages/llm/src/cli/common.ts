// Helpers shared by the x-llm commands: model paths, output in human or JSON form.
import * as fs from "node:fs";
import { dirname, join } from "node:path";
import { cudaStatus, setNumThreads } from "@x/tensor";
import { UsageError } from "../errors.js";
import { isGgufFile, readGguf } from "../gguf/read.js";
import { ggufTokenizer } from "../gguf/tokenizer.js";
import { TokenizerError } from "../tokenizer/errors.js";
import { loadTokenizer, type Tokenizer } from "../tokenizer/tokenizer.js";
import type { ParsedArgs } from "./args.js";
import type { CliIO } from "./io.js";

export { isGgufFile };

/** A command: its spec lives beside `run`, which prints and returns its JSON result. */
export interface Command {
  spec: import("./args.js").CommandSpec;
  run(args: ParsedArgs, io: CliIO): Promise<unknown>;
}

/**
 * Checks that `path` is a model: a GGUF file (by its magic) or a Hugging Face folder with a
 * config.json. Returns which.
 */
export function requireModel(path: string, command: string): "gguf" | "hf" {
  if (isGgufFile(path)) return "gguf";
  if (!fs.existsSync(path)) throw new UsageError(`${command}: ${path} does not exist`);
  if (!fs.existsSync(join(path, "config.json"))) {
    throw new UsageError(
      `${command}: ${path} is neither a GGUF file nor a model folder (no config.json)`,
    );
  }
  return "hf";
}

/** Where a command's tokenizer came from: a folder (its files can be copied) or a GGUF file. */
export interface TokenizerSource {
  tokenizer: Tokenizer;
  /** The folder holding tokenizer.json, or undefined when rebuilt from GGUF metadata. */
  dir: string | undefined;
}

/** The --tokenizer flag shared by the commands that take a model. */
export const TOKENIZER_FLAG = {
  type: "string",
  help: "folder with tokenizer.json (default: the model folder; for a .gguf file its own vocabulary, else a tokenizer.json beside it)",
} as const;

/**
 * The tokenizer of a model path: `--tokenizer DIR` when given; a folder's own tokenizer.json;
 * for a GGUF file, its `tokenizer.ggml.*` vocabulary when {@link ggufTokenizer} can rebuild it,
 * else a tokenizer.json in the file's folder. Otherwise a UsageError saying what to pass.
 */
export function modelTokenizer(
  path: string,
  flags: Record<string, unknown>,
  command: string,
): TokenizerSource {
  const explicit = flags.tokenizer as string | undefined;
  if (explicit !== undefined) {
    if (!fs.existsSync(join(explicit, "tokenizer.json")))
      throw new UsageError(`${command}: --tokenizer ${explicit} has no tokenizer.json`);
    return { tokenizer: loadTokenizer(explicit), dir: explicit };
  }
  if (!isGgufFile(path)) return { tokenizer: loadTokenizer(path), dir: path };
  let why: string;
  try {
    return { tokenizer: ggufTokenizer(readGguf(path)), dir: undefined };
  } catch (err) {
    if (!(err instanceof TokenizerError)) throw err;
    why = err.message;
  }
  const beside = dirname(path);
  if (fs.existsSync(join(beside, "tokenizer.json")))
    return { tokenizer: loadTokenizer(beside), dir: beside };
  throw new UsageError(
    `${command}: ${path} has no usable vocabulary (${why}) and ${beside} has no tokenizer.json; pass --tokenizer DIR`,
  );
}

/** Applies --threads when given. */
export function applyThreads(args: ParsedArgs): void {
  const n = args.flags.threads as number | undefined;
  if (n !== undefined) setNumThreads(n);
}

/**
 * The device of --device (cpu, cuda or auto; default cpu). Without a usable GPU, cuda falls back
 * to cpu with one warning line on stderr saying why; auto falls back silently.
 */
export function deviceFlag(
  flags: Record<string, unknown>,
  command: string,
  io: CliIO,
): "cpu" | "cuda" {
  const want = (flags.device as string | undefined) ?? "cpu";
  if (want !== "cpu" && want !== "cuda" && want !== "auto")
    throw new UsageError(`${command}: --device must be cpu, cuda or auto, got ${want}`);
  if (want === "cpu") return "cpu";
  const s = cudaStatus();
  if (s.available) return "cuda";
  if (want === "cuda")
    io.stderr(`x-llm ${command}: warning: cuda unavailable (${s.reason}); running on cpu\n`);
  return "cpu";
}

/** Writes `result` as JSON with --json, else the human text (when any). */
export function output(io: CliIO, args: ParsedArgs, result: unknown, human?: string): unknown {
  if (args.flags.json) io.stdout(`${JSON.stringify(result, jsonReplacer, 2)}\n`);
  else if (human) io.stdout(human.endsWith("\n") ? human : `${human}\n`);
  return result;
}

/** JSON for bigint (as number when safe) and non-finite numbers (as null). */
export function jsonReplacer(_key: string, v: unknown): unknown {
  if (typeof v === "bigint") return v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString();
  if (typeof v === "number" && !Number.isFinite(v)) return null;
  return v;
}

/** Size of a file or of a folder's files in bytes. */
export function sizeOf(path: string): number {
  const st = fs.statSync(path);
  if (!st.isDirectory()) return st.size;
  return fs
    .readdirSync(path)
    .reduce(
      (s, f) => s + (fs.statSync(join(path, f)).isFile() ? fs.statSync(join(path, f)).size : 0),
      0,
    );
}

/** "135.0M" / "1.2G" style sizes. */
export function human(n: number, unit = ""): string {
  const steps = ["", "K", "M", "G", "T"];
  let i = 0;
  while (Math.abs(n) >= 1000 && i < steps.length - 1) {
    n /= 1000;
    i++;
  }
  return `${i ? n.toFixed(1) : n}${steps[i]}${unit}`;
}
