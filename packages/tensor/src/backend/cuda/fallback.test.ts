// The CPU suite's check of the cuda fallback: with the CUDA package's addon present (when CI or a
// developer built it) or absent, a machine without a usable GPU gets a clear reason, a CPU
// fallback from resolveDevice, and a DeviceError from explicit moves; CPU ops are unaffected.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  add,
  cudaAvailable,
  cudaStatus,
  DeviceError,
  memory,
  resolveDevice,
  Tensor,
} from "../../index.js";

const built = fileURLToPath(
  new URL("../../../../tensor-cuda/build/x_tensor_cuda.node", import.meta.url),
);
process.env.X_TENSOR_CUDA_ADDON = existsSync(built) ? built : `${built}.missing`;
const hasGpu = cudaAvailable();

describe.skipIf(hasGpu)("cuda fallback without a GPU", () => {
  it("reports why cuda is unavailable", () => {
    const s = cudaStatus();
    expect(s.available).toBe(false);
    expect(s.reason).toMatch(
      existsSync(built) ? /no usable GPU|failed its test load/ : /not built/,
    );
    expect(memory().cuda).toBeUndefined();
  });

  it("falls back to the cpu in resolveDevice and throws DeviceError on explicit moves", () => {
    expect(resolveDevice("cuda")).toBe("cpu");
    expect(resolveDevice("auto")).toBe("cpu");
    const x = Tensor.from([1, 2, 3]);
    expect(() => x.to("cuda")).toThrow(DeviceError);
    expect(() => x.toDevice()).toThrow(/cuda device unavailable/);
    expect(x.to("cpu")).toBe(x);
    expect(add(x, 1).toArray()).toEqual([2, 3, 4]);
    x.dispose(); // no-op on the CPU
    expect(x.toArray()).toEqual([1, 2, 3]);
  });
});
