// Helpers shared by the x-llm commands: model paths, output in human or JSON form.
import * as fs from "node:fs";
import { join } from "node:path";
import { cudaStatus, setNumThreads } from "@x/tensor";
import { UsageError } from "../errors.js";
import type { ParsedArgs } from "./args.js";
import type { CliIO } from "./io.js";

/** A command: its spec lives beside `run`, which prints and returns its JSON result. */
export interface Command {
  spec: import("./args.js").CommandSpec;
  run(args: ParsedArgs, io: CliIO): Promise<unknown>;
}

/** True when `path` is a file that starts with the GGUF magic. */
export function isGgufFile(path: string): boolean {
  try {
    if (!fs.statSync(path).isFile()) return false;
    const fd = fs.openSync(path, "r");
    const b = Buffer.alloc(4);
    fs.readSync(fd, b, 0, 4, 0);
    fs.closeSync(fd);
    return b.toString("latin1") === "GGUF";
  } catch {
    return false;
  }
}

/** Checks that `dir` is a Hugging Face model folder (config.json present). */
export function requireModelDir(dir: string, command: string): void {
  if (isGgufFile(dir))
    throw new UsageError(
      `${command}: ${dir} is a GGUF file; this command needs a Hugging Face folder`,
    );
  if (!fs.existsSync(join(dir, "config.json"))) {
    throw new UsageError(`${command}: ${dir} is not a model folder (no config.json)`);
  }
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
