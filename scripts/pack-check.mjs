#!/usr/bin/env node
// Packaging proof: the published @x/tensor tarball carries a prebuilt linux-x64 addon that loads
// with install scripts disabled and no compiler on PATH, and without that prebuild the package
// still imports and falls back to the js backend with exactly one warning.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const tensorDir = join(root, "packages", "tensor");
const sh = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: "inherit", ...opts });

function step(msg) {
  console.log(`\n== pack:check: ${msg}`);
}

step("prebuild and build @x/tensor");
sh("pnpm", ["--filter", "@x/tensor", "run", "prebuild:native"], { cwd: root });
sh("pnpm", ["--filter", "@x/tensor", "run", "build"], { cwd: root });
const platformDir = join(tensorDir, "prebuilds", `${process.platform}-${process.arch}`);
if (!existsSync(platformDir) || readdirSync(platformDir).length === 0) {
  throw new Error(`no prebuild in ${platformDir}`);
}

step("pack");
const work = mkdtempSync(join(tmpdir(), "x-pack-check-"));
const tarballs = join(work, "tarballs");
mkdirSync(tarballs);
sh("pnpm", ["pack", "--pack-destination", tarballs], { cwd: tensorDir });
const tarball = readdirSync(tarballs).find((f) => f.endsWith(".tgz"));
if (!tarball) throw new Error("pnpm pack produced no tarball");

step("install the tarball outside the workspace, scripts disabled");
const app = join(work, "app");
mkdirSync(app);
writeFileSync(
  join(app, "package.json"),
  JSON.stringify({ name: "pack-check-app", private: true, type: "module" }),
);
sh("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund", join(tarballs, tarball)], {
  cwd: app,
});

// The probe runs with a PATH holding only node's own directory: no compiler, no node-gyp.
const probe = `
const warnings = [];
process.on("warning", (w) => warnings.push(w.message));
const t = await import("@x/tensor");
const a = t.Tensor.from([1, 2, 3, 4, 5, 6], [2, 3]);
const b = t.Tensor.from([1, 0, 0, 1, 1, 1], [3, 2]);
const c = t.matmul(a, b).toArray();
await new Promise((r) => setTimeout(r, 10));
console.log(JSON.stringify({ info: t.backendInfo(), c, warnings }));
`;
function runProbe() {
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", probe], {
    cwd: app,
    env: { PATH: dirname(process.execPath), HOME: app },
    encoding: "utf8",
  });
  return JSON.parse(out.trim().split("\n").pop());
}
const expected = [4, 5, 10, 11];

step("native prebuild loads");
const withPrebuild = runProbe();
console.log(withPrebuild);
if (withPrebuild.info.backend !== "cpu" || withPrebuild.info.isa === "js") {
  throw new Error(`expected the native backend, got ${JSON.stringify(withPrebuild.info)}`);
}
if (JSON.stringify(withPrebuild.c) !== JSON.stringify(expected))
  throw new Error("wrong matmul result (native)");
if (withPrebuild.warnings.length !== 0)
  throw new Error(`unexpected warnings: ${withPrebuild.warnings}`);

step("missing prebuild falls back to js with one warning");
rmSync(join(app, "node_modules", "@x", "tensor", "prebuilds"), { recursive: true, force: true });
const fallback = runProbe();
console.log(fallback);
if (fallback.info.backend !== "js") throw new Error("expected the js fallback");
if (JSON.stringify(fallback.c) !== JSON.stringify(expected))
  throw new Error("wrong matmul result (js)");
if (fallback.warnings.length !== 1)
  throw new Error(`expected one warning, got ${fallback.warnings.length}`);

rmSync(work, { recursive: true, force: true });
console.log(
  `\npack:check passed: ${tarball} loads isa=${withPrebuild.info.isa} and falls back cleanly`,
);
