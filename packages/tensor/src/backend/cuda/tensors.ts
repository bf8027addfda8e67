// Helpers shared by the cuda ops: allocation, addresses, layout and host/device transfers.
import { allocTyped, type DType, dtypeBytes } from "../../dtype.js";
import { DeviceError, DTypeError } from "../../errors.js";
import { contiguousStrides, numel, type Shape } from "../../shape.js";
import { Tensor } from "../../tensor.js";
import { cuda } from "./addon.js";
import { CudaStorage } from "./storage.js";

const DEVICE_DTYPES: ReadonlySet<DType> = new Set([
  "f32",
  "f16",
  "bf16",
  "i32",
  "i8",
  "u8",
  "bool",
]);

/** A contiguous, uninitialized device tensor. */
export function devEmpty(shape: Shape, dtype: DType = "f32"): Tensor {
  if (!DEVICE_DTYPES.has(dtype)) throw new DTypeError(`cuda tensors cannot hold ${dtype}`);
  return new Tensor(new CudaStorage(dtype, numel(shape)) as never, shape);
}

/** Device byte address of `t`'s first element. */
export function addr(t: Tensor): number {
  return (t.storage as unknown as CudaStorage).ptr + t.offset * dtypeBytes(t.dtype);
}

/** Throws unless every tensor lives on cuda. */
export function expectCuda(what: string, ...ts: (Tensor | undefined)[]): void {
  for (const t of ts) {
    if (t && t.device !== "cuda") {
      throw new DeviceError(
        `${what}: operands are on different devices (cpu and cuda); move them with to("cuda")`,
      );
    }
  }
}

/** Copies a strided device view into `dst` (dense when dstStrides is omitted). */
export function copyInto(src: Tensor, dst: Tensor, dstStrides?: readonly number[]): void {
  cuda().copyStrided(
    addr(src),
    addr(dst),
    dtypeBytes(src.dtype),
    Int32Array.from(src.shape),
    Int32Array.from(src.strides),
    Int32Array.from(dstStrides ?? contiguousStrides(src.shape)),
  );
}

/** `t` itself when contiguous, else a dense device copy (not recorded). */
export function devContiguous(t: Tensor): Tensor {
  if (t.isContiguous()) return t;
  const out = devEmpty(t.shape, t.dtype);
  if (t.size) copyInto(t, out);
  return out;
}

/** A dense copy on the device of a CPU tensor (or `t` itself when already there). */
export function toDevice(t: Tensor): Tensor {
  if (t.device === "cuda") return t;
  const out = devEmpty(t.shape, t.dtype);
  if (t.size) cuda().upload(addr(out), t.data());
  return out;
}

/** A dense CPU copy of a device tensor (or `t` itself when already on the CPU). Synchronizes. */
export function toHost(t: Tensor): Tensor {
  if (t.device !== "cuda") return t;
  const c = devContiguous(t);
  const host = allocTyped(t.dtype, t.size);
  if (t.size) cuda().download(addr(c), host);
  if (c !== t) (c.storage as unknown as CudaStorage).dispose();
  return Tensor.wrap(host, t.shape, t.dtype);
}

/** A one-element f32 device tensor holding `v`. */
export function devScalar(v: number): Tensor {
  const out = devEmpty([], "f32");
  cuda().fill(addr(out), v, 1);
  return out;
}

/** A device tensor filled with `v`. */
export function devFull(shape: Shape, v: number): Tensor {
  const out = devEmpty(shape, "f32");
  if (out.size) cuda().fill(addr(out), v, out.size);
  return out;
}

/** Frees a temporary device tensor now. */
export function release(t: Tensor): void {
  (t.storage as unknown as CudaStorage).dispose();
}
