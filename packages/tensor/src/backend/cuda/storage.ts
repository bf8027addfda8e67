// Device memory with explicit ownership. A CudaStorage holds one block of the addon's caching
// allocator; dispose() returns it at once, tidy() disposes what a scope created and did not
// return, and a FinalizationRegistry frees blocks of storages that were simply dropped.
import { type DType, dtypeBytes, type TypedArray } from "../../dtype.js";
import { DeviceError } from "../../errors.js";
import { type DeviceMemory, registerMemorySource } from "../../storage.js";
import { cuda } from "./addon.js";

const live = { storages: 0, bytes: 0 };
const finalizer = new FinalizationRegistry<{ ptr: number; bytes: number }>(({ ptr, bytes }) => {
  live.storages--;
  live.bytes -= bytes;
  cuda().free(ptr);
});
let sourceRegistered = false;
const scopes: CudaStorage[][] = [];

/** A device buffer shared by a tensor and its views; `data` is not readable from JS. */
export class CudaStorage {
  readonly dtype: DType;
  readonly device = "cuda" as const;
  readonly byteLength: number;
  #ptr: number;

  constructor(dtype: DType, length: number) {
    const addon = cuda();
    if (!sourceRegistered) {
      registerMemorySource("cuda", cudaMemory);
      sourceRegistered = true;
    }
    this.dtype = dtype;
    this.byteLength = length * dtypeBytes(dtype);
    this.#ptr = addon.alloc(this.byteLength) as number;
    live.storages++;
    live.bytes += this.byteLength;
    finalizer.register(this, { ptr: this.#ptr, bytes: this.byteLength }, this);
    scopes[scopes.length - 1]?.push(this);
  }

  /** Device address of the first byte; throws once disposed. */
  get ptr(): number {
    if (this.#ptr === 0) throw new DeviceError("this cuda tensor was disposed");
    return this.#ptr;
  }

  get disposed(): boolean {
    return this.#ptr === 0;
  }

  /** Device tensors have no JS-visible elements: copy them with toHost() first. */
  get data(): TypedArray {
    throw new DeviceError(
      "this tensor lives on cuda; call toHost() (or toArray()) to read it on the CPU",
    );
  }

  /** Returns the block to the allocator now (idempotent); views of it become unusable. */
  dispose(): void {
    if (this.#ptr === 0) return;
    finalizer.unregister(this);
    cuda().free(this.#ptr);
    this.#ptr = 0;
    live.storages--;
    live.bytes -= this.byteLength;
  }
}

/** Live device storages and bytes (what `memory().cuda` reports). */
export function cudaMemory(): DeviceMemory {
  return { storages: live.storages, bytes: live.bytes };
}

function collect(value: unknown, keep: Set<unknown>, depth = 0): void {
  if (value === null || typeof value !== "object" || depth > 4) return;
  const storage = (value as { storage?: unknown }).storage;
  if (storage instanceof CudaStorage) {
    keep.add(storage);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, keep, depth + 1);
  else if (Object.getPrototypeOf(value) === Object.prototype)
    for (const v of Object.values(value)) collect(v, keep, depth + 1);
}

/**
 * Takes `t`'s device storage out of every enclosing {@link tidy} scope, so it outlives them
 * (long-lived buffers such as a KV cache grown during a tidy forward pass). Returns `t`.
 *
 * ```ts
 * tidy(() => { cache.buffer = keep(zeros([n]).to("cuda")); });
 * ```
 */
export function keep<T extends { storage: unknown }>(t: T): T {
  if (t.storage instanceof CudaStorage)
    for (const scope of scopes) {
      const i = scope.indexOf(t.storage);
      if (i >= 0) scope.splice(i, 1);
    }
  return t;
}

/**
 * Runs `fn` and disposes every cuda storage created inside it except those reachable from its
 * result (tensors, arrays and plain objects of them); those move to the enclosing scope.
 *
 * ```ts
 * const loss = tidy(() => crossEntropy(forward(x), targets)); // intermediates freed here
 * ```
 */
export function tidy<T>(fn: () => T): T {
  const scope: CudaStorage[] = [];
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (err) {
    scopes.pop();
    for (const s of scope) s.dispose();
    throw err;
  }
  scopes.pop();
  const keep = new Set<unknown>();
  collect(result, keep);
  const parent = scopes[scopes.length - 1];
  for (const s of scope) {
    if (keep.has(s)) parent?.push(s);
    else s.dispose();
  }
  return result;
}
