// sgemm benchmark: GFLOP/s of the native kernel next to onnxruntime-node's MatMul and numpy, all
// single-threaded and measured in this run.
// `pnpm --filter @x/tensor exec tsx bench/sgemm.ts [--json] [--quick]`
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { SgemmKernel } from "../src/backend/kernels.js";
import { nativeKernel, withBackend } from "../src/backend/registry.js";
import {
  type CliFlags,
  main,
  nativeSingleThread,
  progress,
  type Row,
  type TimingOptions,
  time,
  timing,
} from "./harness.js";
import { matmulModel } from "./onnx-matmul.js";

type Shape = [number, number, number];
const SHAPES: Shape[] = [
  [256, 256, 256],
  [512, 512, 512],
  [1024, 1024, 1024],
  [2048, 2048, 2048],
  [1, 1536, 576],
  [128, 1536, 576],
  [1, 5632, 2048],
]; // [m, n, k]: C[m,n] = A[m,k] B[k,n]

const gflops = (m: number, n: number, k: number, ms: number) => (2 * m * n * k) / (ms * 1e6);
const fill = (len: number) => Float32Array.from({ length: len }, () => Math.random() - 0.5);

async function onnxRunner(opts: TimingOptions) {
  try {
    const ort = createRequire(import.meta.url)(
      "onnxruntime-node",
    ) as typeof import("onnxruntime-node");
    return async (m: number, n: number, k: number) => {
      const session = await ort.InferenceSession.create(matmulModel(m, n, k), {
        intraOpNumThreads: 1,
        interOpNumThreads: 1,
        executionMode: "sequential",
      });
      const feeds = {
        A: new ort.Tensor("float32", fill(m * k), [m, k]),
        B: new ort.Tensor("float32", fill(k * n), [k, n]),
      };
      const t = await time(() => session.run(feeds), opts);
      await session.release();
      return t.medianMs;
    };
  } catch (err) {
    progress(`onnxruntime-node unavailable: ${(err as Error).message.split("\n")[0]}`);
    return undefined;
  }
}

function numpyTimes(shapes: Shape[]): { label: string; ms: (number | null)[] } {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OMP_NUM_THREADS: "1",
    OPENBLAS_NUM_THREADS: "1",
    MKL_NUM_THREADS: "1",
  };
  // Tuning overrides meant for old OpenBLAS builds slow a current one down (see the env notes).
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  const script = fileURLToPath(new URL("./numpy_matmul.py", import.meta.url));
  const res = spawnSync("python3", [script], {
    input: JSON.stringify(shapes),
    encoding: "utf8",
    env,
  });
  if (res.status !== 0) return { label: "numpy unavailable", ms: shapes.map(() => null) };
  const out = JSON.parse(res.stdout) as { numpy: string; blas: string; seconds: number[] };
  return { label: `numpy ${out.numpy} (${out.blas})`, ms: out.seconds.map((s) => s * 1e3) };
}

export async function run(flags: CliFlags) {
  nativeSingleThread();
  const sgemm = withBackend("cpu", () => nativeKernel<SgemmKernel>("sgemm"))!;
  const shapes = flags.quick ? SHAPES.filter(([m, n]) => m === 1 || n === 256) : SHAPES;
  const opts = timing(flags);
  const ort = await onnxRunner(opts);
  const numpy = numpyTimes(shapes);
  const rows: Row[] = [];
  for (const [i, [m, n, k]] of shapes.entries()) {
    progress(`sgemm [${i + 1}/${shapes.length}] ${m}x${n}x${k}`);
    const a = fill(m * k),
      b = fill(k * n),
      c = new Float32Array(m * n);
    const ours = await time(() => sgemm(a, b, c, m, n, k, false, false, 1, 0, 0, 0), opts);
    const ortMs = ort ? await ort(m, n, k) : null;
    const npMs = numpy.ms[i] ?? null;
    rows.push({
      shape: `${m}x${n}x${k}`,
      ours_gflops: gflops(m, n, k, ours.medianMs),
      onnxruntime_gflops: ortMs === null ? null : gflops(m, n, k, ortMs),
      numpy_gflops: npMs === null ? null : gflops(m, n, k, npMs),
      ours_over_onnxruntime: ortMs === null ? null : ortMs / ours.medianMs,
    });
  }
  const context = {
    benchmark: "sgemm (m x n x k, C = A B, f32, median)",
    baselines: `onnxruntime-node ${ort ? "1 intra-op thread, B as a graph input" : "unavailable"}; ${numpy.label}`,
  };
  return { context, rows };
}

await main(
  import.meta.url,
  run,
  "usage: tsx bench/sgemm.ts [--json] [--quick]\nSingle-thread sgemm GFLOP/s vs onnxruntime-node MatMul and numpy.",
);
