// The native CPU backend: loads the addon and registers each kernel family's wrappers.
// A new family is one side-effect import below (its module calls defineCpuFamily).
import "./gemm.js";
import "./elementwise.js";
import "./reduce.js";
import "./norm.js";
import "./cast.js";
import "./quant.js";
import "./attention.js";
import "./distance.js";
import "./graph.js";
import "./io.js";
import "./random.js";
import "./indexing.js";
import "./select.js";
import "./sort.js";
import "./loss.js";
import "./gquant.js";
import "./optim.js";
import "./fused.js";

import { ValueError } from "../../errors.js";
import { loadNative, nativeLoadError } from "../native.js";
import { type BackendName, getBackend } from "../registry.js";
import { registerCpuFamilies } from "./families.js";

let installed = false;

/**
 * Loads the native addon (once) and registers its kernels for the `cpu` backend. Returns false,
 * leaving the js backend active, when no build loads (or `X_TENSOR_BACKEND=js`).
 *
 * @example
 * if (!installCpuBackend()) console.log("running on the js backend");
 */
export function installCpuBackend(): boolean {
  const addon = loadNative();
  if (!addon) return false;
  if (!installed) {
    registerCpuFamilies(addon);
    installed = true;
  }
  return true;
}

/** What runs ops now: backend, SIMD level of the native kernels, their threads, addon version. */
export interface BackendInfo {
  backend: BackendName;
  /** "avx512" | "avx2" | "scalar" (native), or "none" when the addon did not load. */
  isa: string;
  threads: number;
  /** Version of the native addon (equals the package's), or undefined without it. */
  version: string | undefined;
  /** Why the native addon did not load, when it did not. */
  loadError?: string;
}

/**
 * Reports the active backend and native configuration.
 *
 * @example
 * const { backend, isa, threads } = backendInfo(); // { backend: "cpu", isa: "avx512", threads: 1, ... }
 */
export function backendInfo(): BackendInfo {
  const addon = loadNative();
  if (!addon)
    return {
      backend: getBackend(),
      isa: "none",
      threads: 1,
      version: undefined,
      loadError: nativeLoadError(),
    };
  return {
    backend: getBackend(),
    isa: addon.isa(),
    threads: addon.threads(),
    version: addon.version,
  };
}

/**
 * Sets the native thread pool size (the calling thread counts as one; default 1). Returns the
 * new count; without the native addon it is a no-op that returns 1.
 *
 * @example
 * setNumThreads(4);
 */
export function setNumThreads(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 256)
    throw new ValueError(`setNumThreads: n must be an integer in [1, 256], got ${n}`);
  const addon = loadNative();
  return addon ? addon.setThreads(n) : 1;
}

/**
 * Forces native kernels onto a lower SIMD level ("scalar", "avx2", "avx512"), e.g. to test or
 * compare paths. Levels above what the CPU supports are refused. Returns the active level.
 *
 * @example
 * setIsa("avx2");
 */
export function setIsa(name: string): string {
  const addon = loadNative();
  if (!addon)
    throw new ValueError(
      `setIsa: the native backend is not loaded (${nativeLoadError() ?? "unknown"})`,
    );
  try {
    return addon.setIsa(name);
  } catch (err) {
    throw new ValueError((err as Error).message);
  }
}

/** SIMD levels this machine can run, lowest first (empty without the native addon). */
export function supportedIsas(): string[] {
  return loadNative()?.supportedIsas() ?? [];
}
