// Row-fused quantized projections: q/k/v and gate/up of a layer share their input, so running
// them as one qmatmul over the concatenated rows saves kernel calls and JS dispatch per layer
// (every output row is computed as before, so results are unchanged).
import { QTensor } from "@x/tensor";

/** Projections run as one matmul: `weight` holds `parts` row after row. */
export interface FusedProjection {
  weight: QTensor;
  /** The per-projection tensors, views of `weight`'s bytes (identity marks them unreplaced). */
  parts: readonly QTensor[];
}

/** The fused groups of one layer (absent when the weights are not all ggml blocks of one format). */
export interface FusedLayer {
  qkv?: FusedProjection;
  gateUp?: FusedProjection;
}

/**
 * Concatenates ggml weights [n_i, k] of one format into [Σn_i, k] and returns it with the parts
 * re-made as views of the new bytes, so the model keeps one copy (parts already adjacent in one
 * buffer are shared as they are); undefined if they differ.
 */
function fuseRows(parts: readonly (QTensor | undefined)[]): FusedProjection | undefined {
  const first = parts[0];
  if (!first || (first.format !== "q8_0" && first.format !== "q4_0")) return undefined;
  const k = first.shape[1];
  const ok = parts.every(
    (p) => p && p.format === first.format && p.shape.length === 2 && p.shape[1] === k,
  );
  if (!ok) return undefined;
  const qs = parts as readonly QTensor[];
  const rows = qs.reduce((s, p) => s + p.shape[0]!, 0);
  const total = qs.reduce((s, p) => s + p.data.byteLength, 0);
  const d0 = first.data;
  const adjacent = qs.every(
    (p, i) =>
      i === 0 ||
      (p.data.buffer === d0.buffer &&
        p.data.byteOffset === qs[i - 1]!.data.byteOffset + qs[i - 1]!.data.byteLength),
  );
  if (adjacent) {
    // Already one run of bytes (a model built from another model's fused weights): share it.
    const data = new Uint8Array(d0.buffer, d0.byteOffset, total);
    return { weight: new QTensor({ format: first.format, shape: [rows, k!], data }), parts: qs };
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  const views = qs.map((p) => {
    const src = p.data as Uint8Array;
    bytes.set(src, at);
    const view = new QTensor({
      format: p.format,
      shape: p.shape,
      data: bytes.subarray(at, at + src.length),
    });
    at += src.length;
    return view;
  });
  return {
    weight: new QTensor({ format: first.format, shape: [rows, k!], data: bytes }),
    parts: views,
  };
}

/**
 * Fuses each layer's q/k/v and gate/up projections found in `quantized` (HF names), replacing
 * those entries by views of the fused bytes.
 *
 * ```ts
 * const fused = fuseQuantized(quantized, cfg.numLayers); // fused[l].qkv?.weight: [q+k+v rows, hidden]
 * ```
 */
export function fuseQuantized(quantized: Record<string, QTensor>, numLayers: number): FusedLayer[] {
  const groups = {
    qkv: ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"],
    gateUp: ["mlp.gate_proj", "mlp.up_proj"],
  };
  return Array.from({ length: numLayers }, (_, l) => {
    const layer: FusedLayer = {};
    for (const [group, projections] of Object.entries(groups) as [keyof FusedLayer, string[]][]) {
      const names = projections.map((p) => `model.layers.${l}.${p}.weight`);
      const fused = fuseRows(names.map((n) => quantized[n]));
      if (!fused) continue;
      names.forEach((n, i) => {
        quantized[n] = fused.parts[i]!;
      });
      layer[group] = fused;
    }
    return layer;
  });
}
