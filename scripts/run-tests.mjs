#!/usr/bin/env node
// Runs the whole vitest suite and closes with one plain "N passed, N failed" line, the summary
// CI reads. Extra arguments are passed to vitest (e.g. a project filter).
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const vitest = join(require.resolve("vitest/package.json"), "..", "vitest.mjs");
const dir = mkdtempSync(join(tmpdir(), "x-tests-"));
const report = join(dir, "report.json");
const run = spawnSync(
  process.execPath,
  [
    "--expose-gc",
    vitest,
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: "inherit" },
);
let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const result = JSON.parse(readFileSync(report, "utf8"));
  passed = result.numPassedTests;
  failed = result.numFailedTests;
  skipped = result.numPendingTests + result.numTodoTests;
} catch {
  failed = Math.max(failed, 1);
}
rmSync(dir, { recursive: true, force: true });
console.log(`\nnode ${process.version}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(run.status === 0 && failed === 0 ? 0 : 1);
