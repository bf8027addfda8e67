#!/usr/bin/env node
// Produces prebuilds/<platform>-<arch>/*.node in the layout node-gyp-build loads, offline:
// prebuildify (N-API, stripped) with npm_config_nodedir pointing at local headers; if that fails,
// the incremental node-gyp build is copied to prebuilds/<platform>-<arch>/node.napi.node and stripped.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { nodeDir, nodeGypPath } from "./build-native.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const target = join(root, "prebuilds", `${process.platform}-${process.arch}`);
const env = { ...process.env, npm_config_nodedir: nodeDir(), npm_config_node_gyp: nodeGypPath() };

function prebuildify() {
  let bin;
  try {
    bin = createRequire(join(root, "..", "..", "package.json")).resolve("prebuildify/bin.js");
  } catch {
    return false;
  }
  // prebuildify runs `node-gyp rebuild` itself; node-gyp must be on PATH for it.
  const gypBin = join(root, "..", "..", "node_modules", ".bin");
  const res = spawnSync(
    process.execPath,
    [bin, "--napi", "--strip", "--target", process.versions.node],
    {
      cwd: root,
      stdio: "inherit",
      env: { ...env, PATH: `${gypBin}:${process.env.PATH}` },
    },
  );
  return (
    res.status === 0 && existsSync(target) && readdirSync(target).some((f) => f.endsWith(".node"))
  );
}

function fallback() {
  const build = spawnSync(process.execPath, [join(root, "scripts", "build-native.mjs")], {
    cwd: root,
    stdio: "inherit",
    env,
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  const out = join(target, "node.napi.node");
  copyFileSync(join(root, "build", "Release", "x_tensor.node"), out);
  if (process.platform !== "win32")
    spawnSync("strip", ["--strip-unneeded", out], { stdio: "inherit" });
}

if (!prebuildify()) {
  console.warn(
    "prebuild: prebuildify did not produce a binary; copying the node-gyp build instead",
  );
  fallback();
}
console.log(
  `prebuild: ${readdirSync(target)
    .map((f) => join("prebuilds", `${process.platform}-${process.arch}`, f))
    .join(", ")}`,
);
// The copy must load: node-gyp-build resolves prebuilds/ before build/ only when build/ is absent.
const load = createRequire(join(root, "package.json"))("node-gyp-build");
const addon = load.path ? load.path(root) : undefined;
if (addon) console.log(`prebuild: node-gyp-build resolves ${addon}`);
