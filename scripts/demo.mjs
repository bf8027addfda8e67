#!/usr/bin/env node
// The main job: loads the default model (models/sotu), streams a generation from a prompt with its
// tokens/s, then prints held-out perplexity next to a unigram baseline
// (examples/default-model/src/demo.ts; `pnpm demo -- --help` lists its flags, `--short` is CI's run).
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const run = spawnSync("pnpm", ["exec", "tsx", "src/demo.ts", ...process.argv.slice(2)], {
  cwd: join(root, "examples", "default-model"),
  stdio: "inherit",
});
process.exit(run.status ?? 1);
