// Attention decode (one query position against a long K/V cache): GB/s of K and V read by the
// native kernel at 4k and 16k keys, f32 and f16 K/V, against copying the same bytes.
// Llama-like heads (8 query heads sharing 2 KV heads, head dim 128), single thread, medians.
// `pnpm --filter @x/tensor exec tsx bench/attention.ts [--json] [--quick]`
import type { AttentionKernel } from "../src/backend/kernels.js";
import { nativeKernel, withBackend } from "../src/backend/registry.js";
import { f32ToF16Bits } from "../src/half.js";
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

const HQ = 8,
  HKV = 2,
  D = 128;

export async function run(flags: CliFlags) {
  nativeSingleThread();
  const attention = withBackend("cpu", () => nativeKernel<AttentionKernel>("attention")!);
  const opts = timing(flags);
  const q = fillRandom(new Float32Array(HQ * D), 7);
  const out = new Float32Array(HQ * D);
  const rows: Row[] = [];
  for (const skv of flags.quick ? [4096] : [4096, 16384]) {
    const kf = fillRandom(new Float32Array(HKV * skv * D), 8);
    const vf = fillRandom(new Float32Array(HKV * skv * D), 9);
    for (const half of [false, true]) {
      progress(`attention ${skv} keys ${half ? "f16" : "f32"}`);
      const k = half ? Uint16Array.from(kf, f32ToF16Bits) : kf;
      const v = half ? Uint16Array.from(vf, f32ToF16Bits) : vf;
      const bytes = k.byteLength + v.byteLength;
      const t = timeSync(
        () => attention(q, k, v, out, 1, HQ, HKV, 1, skv, D, 1 / Math.sqrt(D), true, half),
        opts,
      );
      const ours = gbps(bytes, t.medianMs);
      const copy = copyGBps(bytes, opts);
      rows.push({
        keys: skv,
        kv: half ? "f16" : "f32",
        kv_mb: bytes / 1e6,
        us: t.medianMs * 1e3,
        attention_gbps: ours,
        copy_gbps: copy,
        vs_copy: `${((ours / copy) * 100).toFixed(0)}%`,
      });
    }
  }
  const context = {
    benchmark: `attention decode, sq 1, hq ${HQ}, hkv ${HKV}, d ${D} (GB/s of K+V bytes, median)`,
    baselines: "copy: TypedArray.set of the same bytes",
  };
  return { context, rows };
}

await main(import.meta.url, run, "usage: tsx bench/attention.ts [--json] [--quick]");
