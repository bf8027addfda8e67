#!/usr/bin/env node
// Runs every package's benchmarks (`bench` script); `--json` makes each print machine-readable
// results, collected here into bench-results.json.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const json = process.argv.includes("--json");
const results = {};
let failed = false;
for (const name of readdirSync(join(root, "packages")).sort()) {
  const dir = join(root, "packages", name);
  const manifest = join(dir, "package.json");
  if (!existsSync(manifest)) continue;
  const pkg = JSON.parse(readFileSync(manifest, "utf8"));
  if (!pkg.scripts?.bench) continue;
  console.error(`== bench ${pkg.name}`);
  const run = spawnSync("pnpm", ["run", "--silent", "bench", ...(json ? ["--json"] : [])], {
    cwd: dir,
    stdio: ["ignore", json ? "pipe" : "inherit", "inherit"],
    encoding: "utf8",
  });
  if (run.status !== 0) failed = true;
  if (json) results[pkg.name] = JSON.parse(run.stdout || "null");
}
if (json) {
  writeFileSync(join(root, "bench-results.json"), `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results, null, 2));
}
process.exit(failed ? 1 : 0);
