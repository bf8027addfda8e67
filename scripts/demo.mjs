#!/usr/bin/env node
// The main job. Until the full pipeline example exists, it is the most complete end-to-end run:
// a small transformer trained and sampled with @x/tensor (examples/char-lm).
import { spawnSync } from "node:child_process";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const run = spawnSync("pnpm", ["exec", "tsx", "src/main.ts", ...process.argv.slice(2)], {
  cwd: join(root, "examples", "char-lm"),
  stdio: "inherit",
});
process.exit(run.status ?? 1);
