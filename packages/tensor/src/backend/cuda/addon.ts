// Finds, version-checks, test-loads and initializes the opt-in CUDA addon
// (@x/tensor-cuda-linux-x64). The first load probes the GPU in a child process, so a broken
// driver or addon costs a message, never the caller's process.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { DeviceError } from "../../errors.js";
import { packageRoot } from "../native.js";
import { profileAddon } from "./profile.js";

/** The name of the companion package that carries the prebuilt CUDA addon. */
export const CUDA_PACKAGE = "@x/tensor-cuda-linux-x64";

/** Functions of native/cuda/binding.cc; device pointers are byte addresses in numbers. */
export interface CudaAddon {
  version: string;
  // biome-ignore lint/suspicious/noExplicitAny: kernel entry points are typed by their callers.
  [fn: string]: any;
}

/** What {@link cudaStatus} reports. */
export interface CudaStatus {
  available: boolean;
  /** Why CUDA is not available (absent when it is). */
  reason?: string;
  /** The addon file that was (or would have been) loaded. */
  addonPath?: string;
  /** Device 0 and the driver, when a probe ran. */
  device?: {
    name: string;
    computeCapability: string;
    totalBytes: number;
    driverVersion: number;
    runtimeVersion: number;
  };
  /** The cuBLAS library that was loaded ("" when none: GEMMs then fail with blasError). */
  blas?: string;
  blasError?: string;
}

let addon: CudaAddon | undefined;
let status: CudaStatus | undefined;

function coreVersion(): string {
  return (
    JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string }
  ).version;
}

/** The addon path and its package version: X_TENSOR_CUDA_ADDON, else the package via require.resolve. */
function locate(): { path: string; version?: string } | string {
  const forced = process.env.X_TENSOR_CUDA_ADDON;
  if (forced) return { path: forced };
  for (const base of [join(packageRoot(), "package.json"), join(process.cwd(), "package.json")]) {
    try {
      const pkgJson = createRequire(base).resolve(`${CUDA_PACKAGE}/package.json`);
      const version = (JSON.parse(readFileSync(pkgJson, "utf8")) as { version: string }).version;
      return { path: join(dirname(pkgJson), "build", "x_tensor_cuda.node"), version };
    } catch {
      // not installed next to this base
    }
  }
  return `${CUDA_PACKAGE} is not installed (npm install ${CUDA_PACKAGE} to enable the cuda device)`;
}

const PROBE =
  "const a = require(process.argv[1]); process.stdout.write(JSON.stringify({ version: a.version, probe: a.probe() }));";

function tryLoad(): CudaStatus {
  if (process.env.X_TENSOR_CUDA === "0")
    return { available: false, reason: "disabled by X_TENSOR_CUDA=0" };
  const found = locate();
  if (typeof found === "string") return { available: false, reason: found };
  const { path } = found;
  const want = coreVersion();
  if (found.version !== undefined && found.version !== want) {
    return {
      available: false,
      addonPath: path,
      reason: `${CUDA_PACKAGE}@${found.version} does not match @x/tensor@${want}`,
    };
  }
  if (!existsSync(path))
    return {
      available: false,
      addonPath: path,
      reason: `the CUDA addon was not built (${path} is missing; run pnpm build:cuda)`,
    };
  const child = spawnSync(process.execPath, ["-e", PROBE, path], {
    encoding: "utf8",
    timeout: 60_000,
  });
  if (child.status !== 0) {
    const why = (child.stderr || child.error?.message || `exit ${child.status ?? child.signal}`)
      .trim()
      .split("\n")[0];
    return {
      available: false,
      addonPath: path,
      reason: `the CUDA addon failed its test load: ${why}`,
    };
  }
  const { version, probe } = JSON.parse(child.stdout) as {
    version: string;
    probe: Record<string, unknown>;
  };
  if (version !== want)
    return {
      available: false,
      addonPath: path,
      reason: `the CUDA addon is version ${version}, @x/tensor is ${want}`,
    };
  const device = {
    name: probe.name as string,
    computeCapability: probe.computeCapability as string,
    totalBytes: probe.totalBytes as number,
    driverVersion: probe.driverVersion as number,
    runtimeVersion: probe.runtimeVersion as number,
  };
  if (probe.error)
    return { available: false, addonPath: path, device, reason: `no usable GPU: ${probe.error}` };
  const loaded = createRequire(join(packageRoot(), "package.json"))(path) as CudaAddon;
  const init = loaded.init(Number(process.env.X_TENSOR_CUDA_DEVICE ?? 0)) as {
    blas: string;
    blasError?: string;
  };
  addon = process.env.X_TENSOR_CUDA_PROFILE === "1" ? profileAddon(loaded) : loaded;
  return {
    available: true,
    addonPath: path,
    device,
    blas: init.blas,
    ...(init.blasError ? { blasError: init.blasError } : {}),
  };
}

/**
 * Whether the cuda device can be used, and why not. Loads (and probes) the addon on first call.
 *
 * ```ts
 * const s = cudaStatus(); // { available: false, reason: "no usable GPU: ..." } on a CPU-only machine
 * ```
 */
export function cudaStatus(): CudaStatus {
  if (!status) {
    try {
      status = tryLoad();
    } catch (err) {
      status = {
        available: false,
        reason: `the CUDA addon could not be loaded: ${(err as Error).message.split("\n")[0]}`,
      };
    }
  }
  return status;
}

/** True when tensors can be moved to "cuda". */
export function cudaAvailable(): boolean {
  return cudaStatus().available;
}

/** The loaded addon; throws a DeviceError with the reason when CUDA is unavailable. */
export function cuda(): CudaAddon {
  if (addon) return addon;
  const s = cudaStatus();
  if (!addon) throw new DeviceError(`cuda device unavailable: ${s.reason ?? "unknown reason"}`);
  return addon;
}
