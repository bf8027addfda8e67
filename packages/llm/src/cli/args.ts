// Argument parsing for x-llm over node:util.parseArgs, with typed numeric flags and one-line
// UsageErrors that name the flag.
import { parseArgs } from "node:util";
import { UsageError } from "../errors.js";

/** A flag: string (possibly repeated), boolean, or number (parsed and range-checked). */
export interface FlagSpec {
  type: "string" | "boolean" | "number" | "integer";
  short?: string;
  multiple?: boolean;
  /** One line for --help, with the default when there is one. */
  help: string;
  min?: number;
  max?: number;
}

/** What a command declares: its positional names and flags. */
export interface CommandSpec {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The full description of --help (default: the summary). */
  description?: string;
  positionals: string[];
  flags: Record<string, FlagSpec>;
  examples: string[];
}

/** Flags every command has. */
export const COMMON_FLAGS: Record<string, FlagSpec> = {
  json: { type: "boolean", help: "print one machine-readable JSON object on stdout" },
  help: { type: "boolean", short: "h", help: "show this help" },
};

/** Parsed arguments. */
export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | string[] | number | boolean | undefined>;
}

function toNumber(name: string, raw: string, spec: FlagSpec): number {
  const v = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(v))
    throw new UsageError(`--${name} must be a number, got "${raw}"`);
  if (spec.type === "integer" && !Number.isInteger(v))
    throw new UsageError(`--${name} must be an integer, got "${raw}"`);
  if (spec.min !== undefined && v < spec.min)
    throw new UsageError(`--${name} must be >= ${spec.min}, got ${v}`);
  if (spec.max !== undefined && v > spec.max)
    throw new UsageError(`--${name} must be <= ${spec.max}, got ${v}`);
  return v;
}

/**
 * Parses `argv` (after the subcommand) against a command's flags; unknown flags and missing
 * positionals are UsageErrors (unless --help is given).
 *
 * ```ts
 * parseCommand(spec, ["model", "--max-tokens", "8"]).flags["max-tokens"]; // 8
 * ```
 */
export function parseCommand(spec: CommandSpec, argv: string[]): ParsedArgs {
  const all = { ...spec.flags, ...COMMON_FLAGS };
  const options: Record<
    string,
    { type: "string" | "boolean"; short?: string; multiple?: boolean }
  > = {};
  for (const [name, f] of Object.entries(all)) {
    options[name] = {
      type: f.type === "boolean" ? "boolean" : "string",
      ...(f.short ? { short: f.short } : {}),
      ...(f.multiple ? { multiple: true } : {}),
    };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${spec.name}: ${(err as Error).message.split("\n")[0]}`);
  }
  const flags: ParsedArgs["flags"] = {};
  for (const [name, raw] of Object.entries(parsed.values)) {
    const f = all[name]!;
    flags[name] =
      f.type === "number" || f.type === "integer"
        ? toNumber(name, String(raw), f)
        : (raw as string | boolean | string[]);
  }
  if (!flags.help) {
    if (parsed.positionals.length < spec.positionals.length) {
      throw new UsageError(
        `${spec.name}: missing <${spec.positionals[parsed.positionals.length]}> (see x-llm ${spec.name} --help)`,
      );
    }
    if (parsed.positionals.length > spec.positionals.length) {
      throw new UsageError(
        `${spec.name}: unexpected argument "${parsed.positionals[spec.positionals.length]}"`,
      );
    }
  }
  return { positionals: parsed.positionals, flags };
}

/**
 * The --help text of a command.
 *
 * ```ts
 * io.stdout(helpText(GENERATE));
 * ```
 */
export function helpText(spec: CommandSpec): string {
  const lines = [
    `x-llm ${spec.name} ${spec.positionals.map((p) => `<${p}>`).join(" ")} [flags]`,
    "",
    spec.description ?? spec.summary,
    "",
    "Flags:",
  ];
  const all = { ...spec.flags, ...COMMON_FLAGS };
  const labels = Object.entries(all).map(([n, f]) => {
    const value = f.type === "boolean" ? "" : f.type === "string" ? " <text>" : " <n>";
    return [
      `${f.short ? `-${f.short}, ` : "    "}--${n}${value}`,
      f.help + (f.multiple ? " (repeatable)" : ""),
    ] as const;
  });
  const w = Math.max(...labels.map(([l]) => l.length));
  for (const [l, h] of labels) lines.push(`  ${l.padEnd(w)}  ${h}`);
  lines.push("", "Examples:", ...spec.examples.map((e) => `  ${e}`), "");
  return lines.join("\n");
}
