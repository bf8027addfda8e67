// The compute device of a command: --device cpu|cuda|auto resolved through @x/llm (cuda without
// a usable GPU falls back to the CPU with a warning), the CPU thread count, and a one-line
// description for logs and the model card.
import { cpus } from "node:os";
import { pickDevice } from "@x/llm";
import { backendInfo, cudaStatus, type Device, setNumThreads } from "@x/tensor";

/** The device to run on and what it is, in words. */
export interface ResolvedDevice {
  device: Device;
  description: string;
  threads: number | null;
}

/**
 * Resolves --device (default cpu) and --threads (default: every core, CPU only).
 *
 * ```ts
 * const { device, description } = resolveDevice("auto"); // "cuda", "NVIDIA H200 (cuda)"
 * ```
 */
export function resolveDevice(wanted: string | undefined, threads?: number): ResolvedDevice {
  if (wanted !== undefined && wanted !== "cpu" && wanted !== "cuda" && wanted !== "auto")
    throw new Error(`--device must be cpu, cuda or auto, got ${wanted}`);
  const device = pickDevice((wanted ?? "cpu") as "cpu" | "cuda" | "auto");
  if (device !== "cpu") {
    const gpu = cudaStatus().device;
    return { device, description: gpu ? `${gpu.name} (cuda)` : "cuda", threads: null };
  }
  const n = setNumThreads(threads ?? Math.max(1, cpus().length));
  const info = backendInfo();
  const cpu = cpus()[0]?.model.trim() ?? "CPU";
  return { device, description: `${cpu}, ${n} thread(s), ${info.isa}`, threads: n };
}
