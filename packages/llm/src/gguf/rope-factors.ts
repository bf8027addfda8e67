// llama.cpp's per-dimension RoPE divisors for llama3 scaling: what its `rope_freqs` tensor holds.
// The exporter writes them; the loader fits the scaling parameters back from them.
import type { RopeScaling } from "@x/tensor";

/** Divisor of each of the headDim / 2 frequencies (1 above the high band, `factor` below the low one). */
export function llama3RopeFactors(
  headDim: number,
  theta: number,
  s: Extract<RopeScaling, { type: "llama3" }>,
): Float64Array {
  const out = new Float64Array(headDim / 2);
  const lowWavelen = s.originalMaxPositionEmbeddings / s.lowFreqFactor;
  const highWavelen = s.originalMaxPositionEmbeddings / s.highFreqFactor;
  for (let i = 0; i < out.length; i++) {
    const wavelen = 2 * Math.PI * theta ** ((2 * i) / headDim); // 2π / frequency
    if (wavelen < highWavelen) out[i] = 1;
    else if (wavelen > lowWavelen) out[i] = s.factor;
    else {
      const smooth =
        (s.originalMaxPositionEmbeddings / wavelen - s.lowFreqFactor) /
        (s.highFreqFactor - s.lowFreqFactor);
      out[i] = 1 / ((1 - smooth) / s.factor + smooth);
    }
  }
  return out;
}
