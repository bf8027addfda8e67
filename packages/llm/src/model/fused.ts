// Row-fused quantized projections: q/k/v and gate/up of a layer share their input, so running
// them as one qmatmul over the concatenated rows saves kernel calls and JS dispatch per layer
// (every output row is computed as before, so results are unchanged). With `tiles`, the fused
// weight is stored in the CPU tile layout and each part is a view of its own whole tiles.
import { QTensor, TILE_ROWS, tileBytes } from "@x/tensor";

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

/** The bytes the parts hold one after another in a single buffer (rows or tiles), if they do. */
function sharedRun(qs: readonly QTensor[]): Uint8Array | undefined {
  const bytes = (p: QTensor) => (p.tiles ?? p.data) as Uint8Array;
  const d0 = bytes(qs[0]!);
  const adjacent = qs.every(
    (p, i) =>
      p.layout === qs[0]!.layout &&
      (i === 0 ||
        (bytes(p).buffer === d0.buffer &&
          bytes(p).byteOffset === bytes(qs[i - 1]!).byteOffset + bytes(qs[i - 1]!).byteLength)),
  );
  const total = qs.reduce((s, p) => s + bytes(p).byteLength, 0);
  return adjacent ? new Uint8Array(d0.buffer, d0.byteOffset, total) : undefined;
}

/**
 * Concatenates ggml weights [n_i, k] of one format into [Σn_i, k] and returns it with the parts
 * re-made as views of the new bytes, so the model keeps one copy (parts already adjacent in one
 * buffer are shared as they are); undefined if they differ. With `tiles` (and every part but the
 * last a whole number of tiles) the fused weight is in the CPU tile layout.
 */
function fuseRows(
  parts: readonly (QTensor | undefined)[],
  tiles: boolean,
): FusedProjection | undefined {
  const first = parts[0];
  if (!first || (first.format !== "q8_0" && first.format !== "q4_0")) return undefined;
  const format = first.format;
  const k = first.shape[1]!;
  const ok = parts.every(
    (p) => p && p.format === format && p.shape.length === 2 && p.shape[1] === k,
  );
  if (!ok) return undefined;
  const qs = parts as readonly QTensor[];
  const shape = [qs.reduce((s, p) => s + p.shape[0]!, 0), k];
  const shared = sharedRun(qs);
  if (shared) {
    // Already one run of bytes (a model built from another model's fused weights): share it.
    const init = first.layout === "tiles" ? { tiles: shared } : { data: shared };
    return { weight: new QTensor({ format, shape, ...init }), parts: qs };
  }
  const data = new Uint8Array(qs.reduce((s, p) => s + p.data.byteLength, 0));
  let at = 0;
  for (const p of qs) {
    data.set(p.data as Uint8Array, at);
    at += p.data.byteLength;
  }
  const rows = new QTensor({ format, shape, data });
  const whole = qs.slice(0, -1).every((p) => p.shape[0]! % TILE_ROWS === 0);
  const weight = tiles && whole ? rows.toTiles() : rows;
  const bytes = (weight.tiles ?? weight.data) as Uint8Array;
  at = 0;
  const views = qs.map((p) => {
    const n = p.shape[0]!;
    const size = weight.tiles ? tileBytes(format, n, k) : p.data.byteLength;
    const view = bytes.subarray(at, at + size);
    at += size;
    const init = weight.tiles ? { tiles: view } : { data: view };
    return new QTensor({ format, shape: p.shape, ...init });
  });
  return { weight, parts: views };
}

/**
 * Fuses each layer's q/k/v and gate/up projections found in `quantized` (HF names), replacing
 * those entries by views of the fused bytes (in the CPU tile layout with `tiles`).
 *
 * ```ts
 * const fused = fuseQuantized(quantized, cfg.numLayers); // fused[l].qkv?.weight: [q+k+v rows, hidden]
 * ```
 */
export function fuseQuantized(
  quantized: Record<string, QTensor>,
  numLayers: number,
  opts: { tiles?: boolean } = {},
): FusedLayer[] {
  const groups = {
    qkv: ["self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"],
    gateUp: ["mlp.gate_proj", "mlp.up_proj"],
  };
  return Array.from({ length: numLayers }, (_, l) => {
    const layer: FusedLayer = {};
    for (const [group, projections] of Object.entries(groups) as [keyof FusedLayer, string[]][]) {
      const names = projections.map((p) => `model.layers.${l}.${p}.weight`);
      const fused = fuseRows(
        names.map((n) => quantized[n]),
        opts.tiles ?? false,
      );
      if (!fused) continue;
      names.forEach((n, i) => {
        quantized[n] = fused.parts[i]!;
      });
      layer[group] = fused;
    }
    return layer;
  });
}
