#!/usr/bin/env node
// Prints @x/tensor's backendInfo() and fails when the native addon did not load, or when the
// CPU has the AVX-512 features the avx512 kernels need but another path was chosen.
import { readFileSync } from "node:fs";

const { backendInfo } = await import("../packages/tensor/dist/index.js");
const info = backendInfo();
console.log("@x/tensor", JSON.stringify(info));
const flags = (() => {
  try {
    return new Set(
      readFileSync("/proc/cpuinfo", "utf8")
        .match(/^flags\s*:(.*)$/m)?.[1]
        .trim()
        .split(/\s+/),
    );
  } catch {
    return new Set();
  }
})();
const avx512 = ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_vnni", "avx512_bf16"].every(
  (f) => flags.has(f),
);
if (info.backend !== "cpu") throw new Error("the native backend did not load");
if (avx512 && info.isa !== "avx512") throw new Error(`CPU supports AVX-512 but isa=${info.isa}`);
