#!/usr/bin/env node
// Incremental offline build of the CUDA addon: nvcc compiles native/cuda/*.cu (sm_80, sm_90 and
// compute_90 PTX), g++ the Node-API and runtime sources, and g++ links them with the static CUDA
// runtime. cuBLAS is not linked (the addon dlopens it). Node headers come from the running node's
// prefix (or node-api-headers); nothing is downloaded.
// Staleness is decided by content (source + headers + command line), not mtimes: an addon built
// from older sources once reached a GPU run. build/x_tensor_cuda.sources records the hash of the
// sources the addon was linked from; scripts/test-cuda.mjs refuses to run against a stale one.
//   CUDA_HOME=/usr/local/cuda  X_CUDA_ARCHS=80,90  X_CUDA_JOBS=2
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const pkgRoot = fileURLToPath(new URL("..", import.meta.url));
const src = join(pkgRoot, "..", "tensor", "native", "cuda");
const out = join(pkgRoot, "build");
const obj = join(out, "obj");
const require = createRequire(join(pkgRoot, "package.json"));
const version = JSON.parse(readFileSync(join(pkgRoot, "package.json"), "utf8")).version;

const cudaHome = process.env.CUDA_HOME ?? "/usr/local/cuda";
const nvcc = existsSync(join(cudaHome, "bin", "nvcc")) ? join(cudaHome, "bin", "nvcc") : "nvcc";
const archs = (process.env.X_CUDA_ARCHS ?? "80,90").split(",").map((a) => a.trim());
const jobs = Number(process.env.X_CUDA_JOBS ?? Math.max(1, cpus().length));

function nodeInclude() {
  const prefix = join(dirname(dirname(process.execPath)), "include", "node");
  if (existsSync(join(prefix, "node_api.h"))) return prefix;
  return join(dirname(require.resolve("node-api-headers/package.json")), "include");
}
function napiInclude() {
  // node-addon-api is a dependency of @x/tensor too; use that copy when this package is not linked.
  for (const base of [pkgRoot, join(pkgRoot, "..", "tensor")]) {
    try {
      return dirname(
        createRequire(join(base, "package.json")).resolve("node-addon-api/package.json"),
      );
    } catch {}
  }
  throw new Error("node-addon-api not found (run pnpm install)");
}
const cudaInclude = join(cudaHome, "include");
const cudaLib = ["lib64", "lib", "targets/x86_64-linux/lib"]
  .map((d) => join(cudaHome, d))
  .find((d) => existsSync(join(d, "libcudart_static.a")));

const defines = [
  `-DXTC_VERSION=${version}`,
  "-DNAPI_VERSION=8",
  "-DNAPI_CPP_EXCEPTIONS",
  "-DNDEBUG",
];
const gencode = archs.flatMap((a) => ["-gencode", `arch=compute_${a},code=sm_${a}`]);
const last = archs[archs.length - 1];
gencode.push("-gencode", `arch=compute_${last},code=compute_${last}`);

const { SHARED_HEADERS, sourcesHash } = await import("./sources-hash.mjs");
const headers = [
  ...readdirSync(src)
    .filter((f) => f.endsWith(".h"))
    .map((f) => join(src, f)),
  ...SHARED_HEADERS.map((f) => join(src, f)),
];
const headerText = headers
  .sort()
  .map((h) => readFileSync(h, "utf8"))
  .join("\0");

function command(file) {
  const input = join(src, file);
  const output = join(obj, `${file}.o`);
  if (file.endsWith(".cu")) {
    // random.cu must round like the js code: no fused multiply-add there.
    const fmad = file === "random.cu" ? ["-fmad=false"] : [];
    return {
      output,
      input,
      argv: [
        nvcc,
        "-c",
        "-O3",
        "-std=c++17",
        "-Xcompiler",
        "-fPIC",
        ...fmad,
        ...gencode,
        ...defines,
        `-I${src}`,
        "-o",
        output,
        input,
      ],
    };
  }
  return {
    output,
    input,
    argv: [
      "g++",
      "-c",
      "-O2",
      "-std=c++17",
      "-fPIC",
      "-fexceptions",
      "-fvisibility=hidden",
      ...defines,
      `-I${src}`,
      `-I${cudaInclude}`,
      `-I${nodeInclude()}`,
      `-I${napiInclude()}`,
      "-o",
      output,
      input,
    ],
  };
}

/** What an object file depends on: its source, every header and the compile command. */
function key(c) {
  return createHash("sha256")
    .update(c.argv.join(" "))
    .update("\0")
    .update(readFileSync(c.input))
    .update("\0")
    .update(headerText)
    .digest("hex");
}

function stale(c) {
  if (!existsSync(c.output) || !existsSync(`${c.output}.key`)) return true;
  return readFileSync(`${c.output}.key`, "utf8") !== key(c);
}

function run([exe, ...args]) {
  return new Promise((resolve, reject) => {
    const child = spawn(exe, args, { stdio: "inherit" });
    child.on("error", (e) => reject(new Error(`${exe}: ${e.message}`)));
    child.on("exit", (code) =>
      code === 0 ? resolve() : reject(new Error(`${exe} exited with ${code}`)),
    );
  });
}

async function main() {
  if (!cudaLib) throw new Error(`libcudart_static.a not found under ${cudaHome} (set CUDA_HOME)`);
  mkdirSync(obj, { recursive: true });
  const sources = readdirSync(src)
    .filter((f) => f.endsWith(".cu") || f.endsWith(".cc"))
    .sort();
  const all = sources.map(command);
  const todo = all.filter(stale);
  const started = Date.now();
  const queue = [...todo];
  await Promise.all(
    Array.from({ length: Math.min(jobs, queue.length) }, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        console.log(`  compile ${c.input.slice(src.length + 1)}`);
        await run(c.argv);
        writeFileSync(`${c.output}.key`, key(c));
      }
    }),
  );
  const addon = join(out, "x_tensor_cuda.node");
  const newestObj = Math.max(...all.map((c) => statSync(c.output).mtimeMs));
  if (todo.length || !existsSync(addon) || statSync(addon).mtimeMs < newestObj) {
    await run([
      "g++",
      "-shared",
      "-o",
      addon,
      ...all.map((c) => c.output),
      join(cudaLib, "libcudart_static.a"),
      "-ldl",
      "-lpthread",
      "-lrt",
      "-Wl,--exclude-libs,ALL",
      "-static-libstdc++",
    ]);
  }
  writeFileSync(join(out, "x_tensor_cuda.sources"), sourcesHash(src));
  console.log(
    `cuda addon: ${addon} (${todo.length} compiled, ${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
}

main().catch((e) => {
  console.error(`build:cuda failed: ${e.message}`);
  process.exit(1);
});
