import { allocTyped, type DType, type TypedArray } from "./dtype.js";

/** Where a tensor's bytes live. */
export type Device = "cpu" | "cuda";

/**
 * A flat buffer shared by a tensor and its views. CPU storage is a JS-owned ArrayBuffer that
 * native kernels borrow for the duration of a call.
 */
export class Storage {
  readonly data: TypedArray;
  readonly dtype: DType;
  readonly device: Device = "cpu";

  constructor(dtype: DType, data: TypedArray) {
    this.dtype = dtype;
    this.data = data;
    liveStorage.count++;
    liveStorage.bytes += data.byteLength;
    registry.register(this, data.byteLength);
  }

  static alloc(dtype: DType, length: number): Storage {
    return new Storage(dtype, allocTyped(dtype, length));
  }

  get byteLength(): number {
    return this.data.byteLength;
  }
}

const liveStorage = { count: 0, bytes: 0 };
const registry = new FinalizationRegistry<number>((bytes) => {
  liveStorage.count--;
  liveStorage.bytes -= bytes;
});

/** Live storages and their bytes on one device. */
export interface DeviceMemory {
  storages: number;
  bytes: number;
}

/** What {@link memory} reports: always `cpu`, plus one entry per device backend that is loaded. */
export interface MemoryInfo {
  cpu: DeviceMemory;
  /** Filled by the CUDA backend once it loads (absent otherwise). */
  cuda?: DeviceMemory;
}

const deviceSources = new Map<Exclude<Device, "cpu">, () => DeviceMemory>();

/**
 * Lets a device backend report its own allocations in {@link memory} (internal: called by the
 * backend's loader, which owns device buffers explicitly).
 */
export function registerMemorySource(
  device: Exclude<Device, "cpu">,
  source: () => DeviceMemory,
): void {
  deviceSources.set(device, source);
}

/**
 * Live storages and bytes per device. CPU storages are counted until the garbage collector
 * finalizes them, so a leak test runs `gc()` and yields a few macrotasks before reading it.
 *
 * ```ts
 * const before = memory().cpu;
 * step();
 * globalThis.gc?.();
 * await new Promise((r) => setTimeout(r, 0));
 * memory().cpu.bytes - before.bytes; // ~0 when step() keeps nothing alive
 * ```
 */
export function memory(): MemoryInfo {
  const out: MemoryInfo = { cpu: { storages: liveStorage.count, bytes: liveStorage.bytes } };
  for (const [device, source] of deviceSources) out[device] = source();
  return out;
}
