// Generated benchmark data sets (spec section 8): splitmix64 stream, Box-Muller in f64, stored f32.
import { SplitMix64 } from "./rng.js";

/** Which generated data set: uniform on S^(dim-1), or a normalized Gaussian mixture. */
export type DatasetSpec =
  | { kind: "sphere"; dim: number; n: number; queries: number }
  | {
      kind: "clusters";
      dim: number;
      n: number;
      queries: number;
      clusters?: number;
      spread?: number;
    };

/** Base rows and fresh query rows (row-major f32), plus the duplicate count of the base. */
export interface Dataset {
  dim: number;
  base: Float32Array;
  queries: Float32Array;
  duplicates: number;
}

/**
 * Generates a data set: `sphere` = uniform on the unit sphere S^(dim-1); `clusters` = centres
 * ~ N(0, I), points = centre + spread * N(0, I) (spread 0.3, 100 clusters), then normalized.
 * Queries are fresh draws from the same distribution.
 *
 * @example
 * const { base, queries } = generateDataset({ kind: "sphere", dim: 8, n: 20000, queries: 200 }, 42);
 */
export function generateDataset(spec: DatasetSpec, seed = 42): Dataset {
  const rng = new SplitMix64(seed);
  const dim = spec.dim;
  let centres: Float64Array | undefined;
  const clusters = spec.kind === "clusters" ? (spec.clusters ?? 100) : 0;
  if (spec.kind === "clusters") {
    centres = new Float64Array(clusters * dim);
    for (let i = 0; i < centres.length; i++) centres[i] = rng.normal();
  }
  const spread = spec.kind === "clusters" ? (spec.spread ?? 0.3) : 0;
  const draw = (count: number): Float32Array => {
    const out = new Float32Array(count * dim);
    const v = new Float64Array(dim);
    for (let r = 0; r < count; r++) {
      const c = centres ? rng.below(clusters) : 0;
      let norm = 0;
      for (let j = 0; j < dim; j++) {
        v[j] = centres ? centres[c * dim + j]! + spread * rng.normal() : rng.normal();
        norm += v[j]! * v[j]!;
      }
      const inv = 1 / Math.sqrt(norm || 1);
      for (let j = 0; j < dim; j++) out[r * dim + j] = v[j]! * inv;
    }
    return out;
  };
  const base = draw(spec.n);
  const queries = draw(spec.queries);
  return { dim, base, queries, duplicates: countDuplicates(base, dim) };
}

/** Number of rows equal (bitwise) to an earlier row. */
export function countDuplicates(rows: Float32Array, dim: number): number {
  const seen = new Set<string>();
  const bytes = new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength);
  let dup = 0;
  for (let r = 0; r < rows.length / dim; r++) {
    const key = Buffer.from(bytes.subarray(r * dim * 4, (r + 1) * dim * 4)).toString("base64");
    if (seen.has(key)) dup++;
    else seen.add(key);
  }
  return dup;
}
