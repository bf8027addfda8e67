#!/usr/bin/env node
// Incremental, offline build of the native addon: `node-gyp configure` only when the Makefile is
// missing or older than binding.gyp (or the set of sources changed), then `node-gyp build`.
// Headers come from the running node's own prefix (--nodedir), so node-gyp never downloads.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const require = createRequire(join(root, "package.json"));

export function nodeGypPath() {
  try {
    return require.resolve("node-gyp/bin/node-gyp.js");
  } catch {
    // node-gyp is a devDependency of the workspace root, not of this package.
    return createRequire(join(root, "..", "..", "package.json")).resolve(
      "node-gyp/bin/node-gyp.js",
    );
  }
}

/** A directory with include/node/node_api.h: node's own prefix, else the node-api-headers package. */
export function nodeDir() {
  const prefix = dirname(dirname(process.execPath));
  if (
    existsSync(join(prefix, "include", "node", "node_api.h")) &&
    existsSync(join(prefix, "include", "node", "common.gypi"))
  ) {
    return prefix;
  }
  const headers = dirname(require.resolve("node-api-headers/package.json"));
  return headers;
}

function run(args) {
  const result = spawnSync(process.execPath, [nodeGypPath(), ...args, `--nodedir=${nodeDir()}`], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, npm_config_nodedir: nodeDir() },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function sourceList() {
  const script = join(root, "scripts", "native-sources.mjs");
  return ["core", "scalar", "avx2", "avx512", "neon"]
    .map((t) =>
      spawnSync(process.execPath, [script, t], { cwd: root, encoding: "utf8" }).stdout.trim(),
    )
    .join("\n");
}

function needsConfigure() {
  const makefile = join(root, "build", "Makefile");
  const stamp = join(root, "build", "sources.txt");
  if (!existsSync(makefile) || !existsSync(stamp)) return true;
  if (statSync(join(root, "binding.gyp")).mtimeMs > statSync(makefile).mtimeMs) return true;
  // gyp expands the source lists at configure time: a new kernel file needs a new Makefile.
  return readFileSync(stamp, "utf8") !== sourceList();
}

/** Serializes concurrent builds of the shared build/ directory (parallel test or bench runs). */
function acquireLock() {
  const lock = join(root, ".build-native.lock");
  const deadline = Date.now() + 15 * 60 * 1000;
  for (;;) {
    try {
      writeFileSync(lock, String(process.pid), { flag: "wx" });
      process.on("exit", () => rmSync(lock, { force: true }));
      return;
    } catch {
      const owner = Number(readFileSync(lock, "utf8") || 0);
      if (!isAlive(owner)) rmSync(lock, { force: true });
      else if (Date.now() > deadline) throw new Error(`build lock ${lock} held by pid ${owner}`);
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

acquireLock();
const started = Date.now();
if (needsConfigure()) {
  run(["configure"]);
  writeFileSync(join(root, "build", "sources.txt"), sourceList());
}
const jobs = process.env.X_TENSOR_JOBS ?? "2";
run(["build", "-j", jobs]);
console.log(`build-native: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
