#!/usr/bin/env node
// Builds hnswlib-node from source, offline: pnpm does not run its install script with npm's
// nodedir, so node-gyp runs here with --nodedir = the running node's prefix (local headers).
// `--native` also builds a -march=native copy into build-native/ (hnswlib-node's binding.gyp
// passes no -mavx flags, so its default build uses only hnswlib's SSE kernels).
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, realpathSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const require = createRequire(import.meta.url);
const pkgDir = dirname(realpathSync(require.resolve("hnswlib-node/package.json")));
const nodeDir = dirname(dirname(process.execPath));
const rootRequire = createRequire(new URL("../../../package.json", import.meta.url));
const gyp = rootRequire.resolve("node-gyp/bin/node-gyp.js");

function build(dir, extraFlags) {
  const env = { ...process.env, npm_config_nodedir: nodeDir };
  if (extraFlags) env.CXXFLAGS = `${env.CXXFLAGS ?? ""} ${extraFlags}`;
  const r = spawnSync(process.execPath, [gyp, "rebuild", `--nodedir=${nodeDir}`], {
    cwd: dir,
    stdio: "inherit",
    env,
  });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

if (!existsSync(join(pkgDir, "build", "Release", "addon.node"))) build(pkgDir);
console.log(`hnswlib-node built in ${pkgDir}`);
if (process.argv.includes("--native")) {
  const copy = join(dirname(pkgDir), "hnswlib-node-native");
  if (!existsSync(join(copy, "build", "Release", "addon.node"))) {
    cpSync(pkgDir, copy, {
      recursive: true,
      dereference: true,
      filter: (p) => !p.includes(`${pkgDir}/build`),
    });
    build(copy, "-march=native");
  }
  console.log(`hnswlib-node (-march=native) built in ${copy}`);
}
