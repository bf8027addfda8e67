// Attention decode (one query position against a long K/V cache): GB/s of K and V read by the
// native kernel at 4k and 16k keys, f32 and f16 K/V, against copying the same bytes.
// Llama-like heads (8 query heads sharing 2 KV heads, head dim 128), single thread, medians.
// Run: pnpm tsx bench/attention.ts [--json]
import { installCpuBackend, setNumThreads } from "../src/backend/cpu/index.js";
import type { AttentionKernel } from "../src/backend/kernels.js";
import { loadNative } from "../src/backend/native.js";
import { nativeKernel, withBackend } from "../src/backend/registry.js";
import { f32ToF16Bits } from "../src/half.js";
import { copyGBps, medianSeconds, report } from "./bandwidth.js";

const HQ = 8,
  HKV = 2,
  D = 128;

if (!installCpuBackend())
  throw new Error("attention bench: the native addon did not load (pnpm build:native)");
setNumThreads(1);
const attention = withBackend("cpu", () => nativeKernel<AttentionKernel>("attention")!);

let seed = 7;
const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
const q = Float32Array.from({ length: HQ * D }, random);
const out = new Float32Array(HQ * D);

const rows: Record<string, string | number>[] = [];
for (const skv of [4096, 16384]) {
  const kf = Float32Array.from({ length: HKV * skv * D }, random);
  const vf = Float32Array.from({ length: HKV * skv * D }, random);
  for (const half of [false, true]) {
    const k = half ? Uint16Array.from(kf, f32ToF16Bits) : kf;
    const v = half ? Uint16Array.from(vf, f32ToF16Bits) : vf;
    const bytes = k.byteLength + v.byteLength;
    const s = medianSeconds(
      () => attention(q, k, v, out, 1, HQ, HKV, 1, skv, D, 1 / Math.sqrt(D), true, half),
      15,
    );
    const copy = copyGBps(bytes, 15);
    rows.push({
      keys: skv,
      kv: half ? "f16" : "f32",
      "K+V MB": (bytes / 1e6).toFixed(1),
      ms: (s * 1e3).toFixed(3),
      "attention GB/s": (bytes / s / 1e9).toFixed(2),
      "copy GB/s": copy.toFixed(2),
      "vs copy": `${((bytes / s / 1e9 / copy) * 100).toFixed(0)}%`,
    });
  }
}
report(
  `attention decode, hq ${HQ}, hkv ${HKV}, d ${D}`,
  { isa: loadNative()!.isa(), threads: 1 },
  rows,
);
