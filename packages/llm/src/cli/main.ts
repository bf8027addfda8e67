// x-llm: the command-line front end of @x/llm. `main(argv, io)` runs in-process (tests call it
// directly); errors become one line on stderr and a non-zero exit code.
import { XError } from "@x/tensor";
import { UsageError } from "../errors.js";
import { helpText, parseCommand } from "./args.js";
import type { Command } from "./common.js";
import { convert, quantize } from "./convert.js";
import { generate } from "./generate.js";
import { info } from "./info.js";
import { type CliIO, processIO } from "./io.js";
import { perplexity } from "./perplexity.js";
import { train } from "./train.js";

/** Every subcommand by name. */
export const COMMANDS: Readonly<Record<string, Command>> = {
  info,
  generate,
  perplexity,
  quantize,
  convert,
  train,
};

/** Exit codes: 0 success, 1 a failed run (bad file, bad weights...), 2 bad usage. */
export const EXIT = { ok: 0, error: 1, usage: 2 } as const;

function overview(): string {
  const w = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    "x-llm <command> [args] [flags]",
    "",
    "Llama-family models from local Hugging Face folders or llama.cpp .gguf files: inspect, generate, evaluate, convert to GGUF, fine-tune.",
    "",
    "Commands:",
    ...Object.values(COMMANDS).map((c) => `  ${c.spec.name.padEnd(w)}  ${c.spec.summary}`),
    "",
    "Every command takes --help and --json. Run `x-llm <command> --help` for its flags.",
    "",
  ].join("\n");
}

/**
 * Runs x-llm with `argv` (without the node and script paths) and returns the exit code.
 * Output goes through `io` so callers can capture it.
 *
 * ```ts
 * const out: string[] = [];
 * const code = await main(["info", "./model", "--json"], { stdout: (t) => out.push(t), stderr: () => {} });
 * JSON.parse(out.join("")).parameters;
 * ```
 */
export async function main(argv: readonly string[], io: CliIO = processIO()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout(overview());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const json = rest.includes("--json");
  try {
    const cmd = COMMANDS[name];
    if (!cmd)
      throw new UsageError(
        `unknown command "${name}" (commands: ${Object.keys(COMMANDS).join(", ")})`,
      );
    const args = parseCommand(cmd.spec, [...rest]);
    if (args.flags.help) {
      io.stdout(helpText(cmd.spec));
      return EXIT.ok;
    }
    await cmd.run(args, io);
    return EXIT.ok;
  } catch (err) {
    const e = err as Error;
    const code = err instanceof XError ? err.code : "E_INTERNAL";
    const line = `${e.message}`.split("\n")[0];
    io.stderr(`x-llm ${name}: ${err instanceof XError ? e.name : "Error"}: ${line}\n`);
    if (json) io.stdout(`${JSON.stringify({ error: { code, name: e.name, message: line } })}\n`);
    if (process.env.X_LLM_DEBUG && e.stack) io.stderr(`${e.stack}\n`);
    return err instanceof UsageError ? EXIT.usage : EXIT.error;
  }
}
