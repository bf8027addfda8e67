// Runs every benchmark of @x/tensor in one process, in sequence (the package's `bench` script).
// Tables go to stdout; with --json, stdout is ONE document {machine, benchmarks: {name: result}}
// (the root `pnpm bench --json` collects it) and progress stays on stderr. --quick: smoke run.
// `pnpm --filter @x/tensor bench [--json] [--quick] [--only sgemm,qmatmul]`
import { run as attention } from "./attention.js";
import {
  type Bench,
  machine,
  nativeSingleThread,
  parseFlags,
  printTable,
  progress,
} from "./harness.js";
import { run as norm } from "./norm.js";
import { run as qmatmul } from "./qmatmul.js";
import { run as sgemm } from "./sgemm.js";

const BENCHES: Record<string, Bench> = { sgemm, qmatmul, attention, norm };

const argv = process.argv.slice(2);
const flags = parseFlags(argv);
if (flags.help) {
  console.log(
    `usage: tsx bench/run.ts [--json] [--quick] [--only ${Object.keys(BENCHES).join(",")}]`,
  );
  process.exit(0);
}
const only = argv.includes("--only") ? argv[argv.indexOf("--only") + 1]?.split(",") : undefined;
const unknown = only?.filter((name) => !(name in BENCHES)) ?? [];
if (unknown.length) throw new Error(`unknown benchmark ${unknown.join(", ")}`);

nativeSingleThread();
const info = machine();
const results: Record<string, unknown> = {};
if (!flags.json) printTable({ machine: info }, []);
for (const [name, bench] of Object.entries(BENCHES)) {
  if (only && !only.includes(name)) continue;
  progress(`== ${name}`);
  const { context, rows } = await bench(flags);
  results[name] = { ...context, results: rows };
  if (!flags.json) {
    console.log("");
    printTable(context, rows);
  }
}
if (flags.json)
  process.stdout.write(`${JSON.stringify({ machine: info, benchmarks: results }, null, 2)}\n`);
