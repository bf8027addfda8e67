// Quantized matrix-vector product (the decode step of a 4-bit LLM): GB/s of weights streamed by
// the native q4_0 / q8_0 qmatmul at 2048 x 5632, against copying the same bytes and, when
// onnxruntime-node is installed, its 4-bit MatMulNBits. Single thread, medians.
// Run: pnpm tsx bench/qmatmul.ts [--json]
import { createRequire } from "node:module";
import { installCpuBackend, setNumThreads } from "../src/backend/cpu/index.js";
import type { QMatmulKernel, QuantizeKernel } from "../src/backend/kernels.js";
import { loadNative } from "../src/backend/native.js";
import { nativeKernel, withBackend } from "../src/backend/registry.js";
import { copyGBps, medianSeconds, report } from "./bandwidth.js";
import { matmulNBitsModel } from "./onnx-matmulnbits.js";

const K = 2048,
  N = 5632;

if (!installCpuBackend())
  throw new Error("qmatmul bench: the native addon did not load (pnpm build:native)");
setNumThreads(1);
const addon = loadNative()!;
const [qmatmul, quantize] = withBackend("cpu", () => [
  nativeKernel<QMatmulKernel>("qmatmul")!,
  nativeKernel<QuantizeKernel>("quantize")!,
]);

let seed = 1;
const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
const wf = Float32Array.from({ length: N * K }, random);
const x = Float32Array.from({ length: K }, random);
const out = new Float32Array(N);

async function onnxGBps(bytes: number): Promise<number | string> {
  let ort: typeof import("onnxruntime-node");
  try {
    ort = createRequire(import.meta.url)("onnxruntime-node");
  } catch {
    return "not installed";
  }
  const b = new Uint8Array(N * (K / 32) * 16).map(() => (random() * 128 + 128) & 255);
  const scales = Float32Array.from(
    { length: N * (K / 32) },
    () => 0.01 + Math.abs(random()) * 0.01,
  );
  const session = await ort.InferenceSession.create(matmulNBitsModel(1, N, K, b, scales, 4), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
  });
  const feeds = { A: new ort.Tensor("float32", x, [1, K]) };
  const runs: number[] = [];
  for (let i = 0; i < 17; i++) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    runs.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  runs.sort((p, q) => p - q);
  return Number((bytes / runs[8]! / 1e9).toFixed(2));
}

const rows: Record<string, string | number>[] = [];
for (const format of ["q4_0", "q8_0"] as const) {
  const bytes = N * (K / 32) * (format === "q4_0" ? 18 : 34);
  const w = new Uint8Array(bytes);
  quantize(format, wf, w);
  const qmGBps = bytes / medianSeconds(() => qmatmul(format, w, x, out, 1, N, K), 25) / 1e9;
  const copy = copyGBps(bytes, 25);
  const onnx = format === "q4_0" ? await onnxGBps((N * K) / 2 + N * (K / 32) * 4) : "n/a";
  rows.push({
    format,
    "weights MB": (bytes / 1e6).toFixed(2),
    "qmatmul GB/s": qmGBps.toFixed(2),
    "copy GB/s": copy.toFixed(2),
    "vs copy": `${((qmGBps / copy) * 100).toFixed(0)}%`,
    "ort MatMulNBits GB/s": onnx,
  });
}
report(`qmatmul m=1, ${K}x${N}`, { isa: addon.isa(), threads: 1 }, rows);
