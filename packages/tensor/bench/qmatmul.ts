// Quantized matrix-vector product (the decode step of a 4-bit LLM): GB/s of weights streamed by
// the native q4_0 / q8_0 qmatmul at m = 1, 2048 x 5632, on row-major blocks and on the CPU tile
// layout, against copying the same bytes and, when onnxruntime-node is installed, its 4-bit
// MatMulNBits (same bytes: nibbles + f32 scales); and the tile kernel at m = 64 (prefill). Then
// SmolLM2-135M's small projections (k = 576 = 18 blocks, next to k = 512 = 16 blocks), where the
// fixed cost of a call and the blocks after the last group of 16 show.
// Single thread, medians. `pnpm --filter @x/tensor exec tsx bench/qmatmul.ts [--json] [--quick]`
import { createRequire } from "node:module";
import type { QMatmulKernel, QMatmulTilesKernel, QuantizeKernel } from "../src/backend/kernels.js";
import { nativeKernel, withBackend } from "../src/backend/registry.js";
import { packTiles } from "../src/quant/cpu-tiles.js";
import {
  type CliFlags,
  copyGBps,
  fillRandom,
  gbps,
  main,
  nativeSingleThread,
  progress,
  type Row,
  type TimingOptions,
  time,
  timeSync,
  timing,
} from "./harness.js";
import { matmulNBitsModel } from "./onnx-matmulnbits.js";

const K = 2048,
  N = 5632;

// onnxruntime MatMulNBits (accuracy level 4: x quantized to int8, as ggml and we do), in GB/s of
// its weight bytes, or why it could not run.
async function onnxGBps(x: Float32Array, opts: TimingOptions): Promise<number | string> {
  let ort: typeof import("onnxruntime-node");
  try {
    ort = createRequire(import.meta.url)("onnxruntime-node");
  } catch {
    return "not installed";
  }
  const nibbles = fillRandom(new Float32Array(N * (K / 32) * 16), 3);
  const b = Uint8Array.from(nibbles, (v) => (v * 128 + 128) & 255);
  const scales = fillRandom(new Float32Array(N * (K / 32)), 4).map(
    (v) => 0.01 + Math.abs(v) * 0.01,
  );
  const session = await ort.InferenceSession.create(matmulNBitsModel(1, N, K, b, scales, 4), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
  });
  const feeds = { A: new ort.Tensor("float32", x, [1, K]) };
  const t = await time(() => session.run(feeds), opts);
  await session.release();
  return gbps(b.byteLength + scales.byteLength, t.medianMs);
}

export async function run(flags: CliFlags) {
  nativeSingleThread();
  const [qmatmul, qmatmulTiles, quantize] = withBackend("cpu", () => [
    nativeKernel<QMatmulKernel>("qmatmul")!,
    nativeKernel<QMatmulTilesKernel>("qmatmulTiles")!,
    nativeKernel<QuantizeKernel>("quantize")!,
  ]);
  const opts = timing(flags);
  const rows: Row[] = [];
  const shapes = [
    [N, K],
    [1536, 512],
    [1536, 576],
    [576, 1536],
  ] as const;
  for (const [n, k] of shapes) {
    const wf = fillRandom(new Float32Array(n * k), 1);
    const x = fillRandom(new Float32Array(k), 2);
    const x64 = fillRandom(new Float32Array(64 * k), 3);
    const out = new Float32Array(64 * n);
    for (const format of ["q4_0", "q8_0"] as const) {
      progress(`qmatmul ${format} ${n} x ${k}`);
      const bytes = n * (k / 32) * (format === "q4_0" ? 18 : 34);
      const w = new Uint8Array(bytes);
      quantize(format, wf, w);
      const tiles = packTiles(format, w, n, k);
      const ours = gbps(bytes, timeSync(() => qmatmul(format, w, x, out, 1, n, k), opts).medianMs);
      const tiled = gbps(
        bytes,
        timeSync(() => qmatmulTiles(format, tiles, x, out, 1, n, k), opts).medianMs,
      );
      // Prefill: 64 x rows, in G multiply-adds/s, on the tile layout.
      const prefill = timeSync(
        () => qmatmulTiles(format, tiles, x64, out, 64, n, k),
        opts,
      ).medianMs;
      const copy = copyGBps(bytes, opts);
      const ort = format === "q4_0" && n === N ? await onnxGBps(x, opts) : "n/a";
      rows.push({
        format,
        n_x_k: `${n} x ${k}`,
        weights_mb: bytes / 1e6,
        rows_gbps: ours,
        tiles_gbps: tiled,
        tiles_vs_rows: tiled / ours,
        copy_gbps: copy,
        tiles_vs_copy: `${((tiled / copy) * 100).toFixed(0)}%`,
        ort_matmulnbits_gbps: ort,
        m64_tiles_gmacs: (64 * n * k) / prefill / 1e6,
      });
    }
  }
  const context = {
    benchmark:
      "qmatmul m=1 (GB/s of weight bytes, median): row-major blocks vs the tile layout; m=64 on tiles (G MAC/s)",
    baselines:
      "rows: the row-major ggml kernel; copy: TypedArray.set of the same bytes; onnxruntime-node MatMulNBits, 1 thread",
  };
  return { context, rows };
}

await main(import.meta.url, run, "usage: tsx bench/qmatmul.ts [--json] [--quick]");
