// Small benchmark harness: --json / --help flags, one output path.

export interface Flags {
  json: boolean;
  help: boolean;
  /** `--name=value` (or `--name value`) options. */
  values: Record<string, string>;
}

export function parseFlags(argv = process.argv.slice(2)): Flags {
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([\w-]+)(?:=(.*))?$/.exec(argv[i]!);
    if (!m) continue;
    if (m[2] !== undefined) values[m[1]!] = m[2];
    // `--name value` too, for any option but the boolean --json / --help.
    else if (
      !["json", "help"].includes(m[1]!) &&
      i + 1 < argv.length &&
      !argv[i + 1]!.startsWith("--")
    )
      values[m[1]!] = argv[++i]!;
  }
  return {
    json: argv.includes("--json"),
    help: argv.includes("--help") || argv.includes("-h"),
    values,
  };
}

export type Row = Record<string, string | number | null>;

/** Prints context lines and an aligned table, or one JSON document with --json. */
export function emit(flags: Flags, context: Record<string, unknown>, rows: Row[]): void {
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ...context, results: rows }, null, 2)}\n`);
    return;
  }
  for (const [k, v] of Object.entries(context))
    console.log(`${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`);
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]!);
  const cell = (v: unknown) =>
    v === null || v === undefined ? "-" : typeof v === "number" ? v.toFixed(2) : String(v);
  const width = cols.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  console.log(cols.map((c, i) => c.padStart(width[i]!)).join("  "));
  for (const r of rows) console.log(cols.map((c, i) => cell(r[c]).padStart(width[i]!)).join("  "));
}

/** Progress on stderr, so --json output stays parseable. */
export function progress(message: string): void {
  process.stderr.write(`${message}\n`);
}
