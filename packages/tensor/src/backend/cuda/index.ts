// The cuda device: registers device implementations of the ops (see backend/device.ts) and the
// public device API. Importing this module loads nothing; the addon is found and probed on the
// first call that needs it.
import { DeviceError } from "../../errors.js";
import { mul } from "../../ops/elementwise.js";
import type { Device } from "../../storage.js";
import type { Tensor } from "../../tensor.js";
import { registerDeviceOp } from "../device.js";
import { RandomKind } from "../kernels.js";
import { cuda, cudaStatus } from "./addon.js";
import { binary, castRaw, sumTo, unary } from "./ops-elementwise.js";
import { linear, matmul, scaledDotProductAttention } from "./ops-matmul.js";
import { crossEntropy, embedding, indexSelect, rmsNorm } from "./ops-nn.js";
import { adamw } from "./ops-optim.js";
import { qmatmul } from "./ops-quant.js";
import {
  argmax,
  argmin,
  max,
  mean,
  min,
  onesOn,
  setMulScalar,
  softmaxAlong,
  sum,
} from "./ops-reduce.js";
import { rope } from "./ops-rope.js";
import { catInto, scatterView, writeInto } from "./ops-shape.js";
import { CudaStorage } from "./storage.js";
import { addr, copyInto, devContiguous, devEmpty, toDevice, toHost } from "./tensors.js";

export { type CudaStatus, cudaAvailable, cudaStatus } from "./addon.js";
export { setCudaMatmulPrecision } from "./ops-matmul.js";
export { type CudaProfileRow, cudaProfile, formatCudaProfile } from "./profile.js";
export { cudaMemory, keep, tidy } from "./storage.js";

setMulScalar((t, v) => mul(t, v));

const OPS: Record<string, (...args: never[]) => unknown> = {
  adamw,
  binary,
  unary,
  castRaw,
  sumTo,
  matmul,
  linear,
  qmatmul,
  attention: scaledDotProductAttention,
  rmsNorm,
  rope,
  indexSelect,
  embedding,
  crossEntropy,
  sum,
  mean,
  max,
  min,
  argmax,
  argmin,
  softmaxAlong,
  catInto,
  scatterView,
  writeInto,
  toHost,
  contiguous: devContiguous,
  ones: onesOn,
  to,
  copy: (t: Tensor) => {
    const out = devEmpty(t.shape, t.dtype);
    if (t.size) copyInto(t, out);
    return out;
  },
  mul: (a: Tensor, b: Tensor) => binary("mul", a, b),
};
for (const [name, fn] of Object.entries(OPS)) registerDeviceOp(name, fn);

registerDeviceOp(
  "random",
  (
    kind: number,
    shape: number[],
    dtype: string,
    seed: number,
    offset: number,
    low = 0,
    span = 1,
  ) => {
    const want = kind === RandomKind.int ? "i32" : "f32";
    if (dtype !== want) throw new DeviceError(`random draws on cuda produce ${want}, not ${dtype}`);
    const out = devEmpty(shape, want);
    if (out.size) cuda().random(kind, seed, offset, addr(out), out.size, low, span);
    return out;
  },
);

/**
 * A copy of `t` on `device` (`t` itself when it is already there). Moving to "cuda" throws a
 * DeviceError that says why when no GPU is usable; see {@link resolveDevice} for a fallback.
 *
 * ```ts
 * const w = to(weight, "cuda"); // ... compute ...; to(result, "cpu")
 * ```
 */
export function to(t: Tensor, device: Device): Tensor {
  if (device === "cpu") return toHost(t);
  if (device === "cuda") return toDevice(t);
  throw new DeviceError(`unknown device ${String(device)}`);
}

const warned = new Set<string>();

/**
 * The device to run on when `wanted` is asked for: "cuda" when usable, else "cpu" with a one-time
 * warning saying why (what a CLI's `--device cuda` should call).
 *
 * ```ts
 * const device = resolveDevice(args.device); // "cuda" on a GPU machine, "cpu" elsewhere
 * ```
 */
export function resolveDevice(wanted: Device | "auto"): Device {
  if (wanted === "cpu") return "cpu";
  const s = cudaStatus();
  if (s.available) return "cuda";
  if (wanted === "cuda" && !warned.has(s.reason ?? "")) {
    warned.add(s.reason ?? "");
    process.emitWarning(`@x/tensor: cuda unavailable, using the cpu backend (${s.reason})`);
  }
  return "cpu";
}

/** Waits for all queued device work (for timing); no-op without cuda. */
export function synchronize(): void {
  if (cudaStatus().available) cuda().sync();
}

/** Frees the allocator's cached (unused) device blocks and reports the pool. */
export function emptyCudaCache(): {
  inUse: number;
  cached: number;
  deviceFree: number;
  deviceTotal: number;
} {
  cuda().emptyCache();
  return cuda().pool();
}

/** Frees a tensor's device storage now (no-op for CPU tensors). */
export function dispose(t: Tensor): void {
  const s = t.storage as unknown;
  if (s instanceof CudaStorage) s.dispose();
}
