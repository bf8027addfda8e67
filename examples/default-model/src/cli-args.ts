// Flag parsing shared by the default model's commands: typed, range-checked flags over
// node:util.parseArgs, a --help text built from the same table, and a one-line error on bad input.
import { realpathSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

/** One flag of a command. */
export interface Flag {
  type: "string" | "boolean" | "number" | "integer";
  help: string;
  /** Smallest accepted value of a number or integer flag. */
  min?: number;
}

/** A command's name, usage line, description and flags. */
export interface CommandSpec {
  name: string;
  usage: string;
  description: string;
  flags: Record<string, Flag>;
  examples?: string[];
}

/** Bad command-line input: the message names the flag. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Parsed flags: numbers for number/integer flags, strings and booleans otherwise. */
export type Flags = Record<string, string | number | boolean | undefined>;

const COMMON: Record<string, Flag> = {
  json: { type: "boolean", help: "print one JSON object on stdout instead of text" },
  help: { type: "boolean", help: "show this help" },
};

/**
 * Parses `argv` against `spec` (a leading `--`, which `pnpm run x -- ...` passes on, is skipped).
 *
 * ```ts
 * const flags = parseFlags(spec, ["--steps", "30"]); // { steps: 30 }
 * ```
 */
export function parseFlags(spec: CommandSpec, argv: readonly string[]): Flags {
  const all = { ...spec.flags, ...COMMON };
  const args = argv.filter((a, i) => !(a === "--" && i === 0));
  const options: Record<string, { type: "string" | "boolean" }> = {};
  for (const [name, f] of Object.entries(all))
    options[name] = { type: f.type === "boolean" ? "boolean" : "string" };
  let values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  try {
    ({ values } = parseArgs({ args, options, strict: true, allowPositionals: false }));
  } catch (err) {
    throw new UsageError(`${spec.name}: ${(err as Error).message.split("\n")[0]}`);
  }
  const out: Flags = {};
  for (const [name, raw] of Object.entries(values)) {
    const f = all[name]!;
    if (f.type === "boolean" || f.type === "string") {
      out[name] = raw as string | boolean;
      continue;
    }
    const v = Number(raw);
    if (String(raw).trim() === "" || !Number.isFinite(v))
      throw new UsageError(`${spec.name}: --${name} must be a number, got "${String(raw)}"`);
    if (f.type === "integer" && !Number.isInteger(v))
      throw new UsageError(`${spec.name}: --${name} must be an integer, got "${String(raw)}"`);
    if (f.min !== undefined && v < f.min)
      throw new UsageError(`${spec.name}: --${name} must be >= ${f.min}, got ${v}`);
    out[name] = v;
  }
  return out;
}

/** The --help text of a command. */
export function helpText(spec: CommandSpec): string {
  const all = { ...spec.flags, ...COMMON };
  const rows = Object.entries(all).map(
    ([n, f]) =>
      [
        `--${n}${f.type === "boolean" ? "" : f.type === "string" ? " <s>" : " <n>"}`,
        f.help,
      ] as const,
  );
  const w = Math.max(...rows.map(([l]) => l.length));
  const lines = [`Usage: ${spec.usage}`, "", spec.description, "", "Flags:"];
  for (const [l, h] of rows) lines.push(`  ${l.padEnd(w)}  ${h}`);
  if (spec.examples?.length) lines.push("", "Examples:", ...spec.examples.map((e) => `  ${e}`));
  return `${lines.join("\n")}\n`;
}

/**
 * Runs a command's `main` with its parsed flags: prints --help, and turns a UsageError (or any
 * error) into one line on stderr and exit code 2 (1 for a failed run).
 *
 * ```ts
 * await runCommand(SPEC, process.argv.slice(2), async (flags) => { ... });
 * ```
 */
export async function runCommand(
  spec: CommandSpec,
  argv: readonly string[],
  main: (flags: Flags) => Promise<void> | void,
): Promise<void> {
  try {
    const flags = parseFlags(spec, argv);
    if (flags.help) {
      process.stdout.write(helpText(spec));
      return;
    }
    await main(flags);
  } catch (err) {
    const e = err as Error;
    process.stderr.write(`${spec.name}: ${e.name}: ${e.message}\n`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  }
}

/**
 * True when the module at `metaUrl` is the program's entry point (run by tsx, node, or as a
 * bundle). A command file is never imported by another command, so in a bundle only the entry
 * module asks.
 */
export function isMain(metaUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return p;
    }
  };
  return real(fileURLToPath(metaUrl)) === real(resolve(entry));
}
