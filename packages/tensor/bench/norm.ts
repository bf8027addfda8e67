// Row-wise LLM kernels at model sizes: softmax (attention rows of 576/2048 keys, 32000-token
// vocab), RMSNorm (4096 tokens x 2048) and RoPE (32 heads x 2048 positions x 64). GB/s of the
// input bytes (each reads x and writes as many bytes, like a copy) against copying the same bytes
// with TypedArray.set. Single thread, medians.
// `pnpm --filter @x/tensor exec tsx bench/norm.ts [--json] [--quick]`
import type { RmsNormKernel, RopeKernel, SoftmaxKernel } from "../src/backend/kernels.js";
import { nativeKernel, withBackend } from "../src/backend/registry.js";
import {
  type CliFlags,
  copyGBps,
  fillRandom,
  gbps,
  main,
  nativeSingleThread,
  progress,
  type Row,
  timeSync,
  timing,
} from "./harness.js";

// [rows, cols]; 4096 x 32000 would need 1 GB of buffers, so the vocab rows stop at 512.
const SOFTMAX: [number, number][] = [
  [128, 576],
  [4096, 576],
  [128, 2048],
  [4096, 2048],
  [128, 32000],
  [512, 32000],
];
const QUICK_SOFTMAX: [number, number][] = [
  [128, 576],
  [128, 32000],
];

export async function run(flags: CliFlags) {
  nativeSingleThread();
  const [softmax, rmsnorm, rope] = withBackend("cpu", () => [
    nativeKernel<SoftmaxKernel>("softmax")!,
    nativeKernel<RmsNormKernel>("rmsnorm")!,
    nativeKernel<RopeKernel>("rope")!,
  ]);
  const opts = timing(flags);
  const rows: Row[] = [];
  // One row of the table; `fn` reads `bytes` bytes of x and writes as many.
  const measure = (kernel: string, shape: string, bytes: number, fn: () => void) => {
    progress(`${kernel} ${shape}`);
    const t = timeSync(fn, opts);
    const ours = gbps(bytes, t.medianMs);
    const copy = copyGBps(bytes, opts);
    rows.push({
      kernel,
      shape,
      mb: bytes / 1e6,
      us: t.medianMs * 1e3,
      gbps: ours,
      copy_gbps: copy,
      vs_copy: `${((ours / copy) * 100).toFixed(0)}%`,
    });
  };

  for (const [r, c] of flags.quick ? QUICK_SOFTMAX : SOFTMAX) {
    const x = fillRandom(new Float32Array(r * c), r + c);
    const out = new Float32Array(r * c);
    measure("softmax", `${r}x${c}`, x.byteLength, () => softmax(x, out, r, c, false));
  }

  const [nr, nc] = flags.quick ? [512, 2048] : [4096, 2048];
  const x = fillRandom(new Float32Array(nr * nc), 5);
  const weight = fillRandom(new Float32Array(nc), 6);
  const normed = new Float32Array(nr * nc);
  measure("rmsnorm", `${nr}x${nc}`, x.byteLength, () => rmsnorm(x, weight, normed, nr, nc, 1e-6));

  // RoPE on q of shape [1, 32, seq, 64], stored as the kernel's [seq, heads, dim].
  const heads = 32,
    dim = 64,
    seq = flags.quick ? 256 : 2048;
  const xr = fillRandom(new Float32Array(seq * heads * dim), 7);
  const cos = new Float32Array((seq * dim) / 2);
  const sin = new Float32Array((seq * dim) / 2);
  for (let p = 0; p < seq; p++)
    for (let i = 0; i < dim / 2; i++) {
      const angle = p / 10000 ** ((2 * i) / dim);
      cos[(p * dim) / 2 + i] = Math.cos(angle);
      sin[(p * dim) / 2 + i] = Math.sin(angle);
    }
  const rotated = new Float32Array(xr.length);
  measure("rope", `[1, ${heads}, ${seq}, ${dim}]`, xr.byteLength, () =>
    rope(xr, cos, sin, rotated, seq, heads, dim, true),
  );

  const context = {
    benchmark: "softmax / RMSNorm / RoPE, f32 (GB/s of input bytes, median)",
    baselines: "copy: TypedArray.set of the same bytes",
  };
  return { context, rows };
}

await main(import.meta.url, run, "usage: tsx bench/norm.ts [--json] [--quick]");
