import { type DType, type TypedArray, allocTyped } from "./dtype.js";

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

/**
 * Live CPU storages and their bytes as seen by the garbage collector (collected storages are
 * subtracted once finalized). Tests call `global.gc()` before reading it.
 */
export function cpuMemory(): { storages: number; bytes: number } {
  return { storages: liveStorage.count, bytes: liveStorage.bytes };
}
