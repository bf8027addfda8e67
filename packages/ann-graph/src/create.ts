// createIndex: validates options and allocates an empty index.
import { AnnIndex } from "./ann-index.js";
import { NotSupportedError } from "./errors.js";
import { DEFAULTS, type IndexOptions } from "./options.js";
import { emptyState } from "./state.js";

/**
 * Creates an empty index. `hnsw` supports incremental add; `nndescent` is built once with
 * `build()`; `flat` is the exact SIMD scan (the oracle, and the right answer for small sets).
 *
 * @example
 * const index = createIndex("hnsw", { dim: 8, metric: "l2", M: 16, efConstruction: 200 });
 * index.add(new Float32Array(8 * 1000).map(Math.random));
 * index.search(new Float32Array(8), 10).labels;
 */
export function createIndex(
  kind: "hnsw" | "nndescent" | "flat" | "vamana",
  opts: IndexOptions,
): AnnIndex {
  if (kind === "vamana")
    throw new NotSupportedError(
      "vamana is not implemented yet; use 'hnsw' or 'nndescent' (alpha > 1 gives Vamana-style pruning)",
    );
  if (!["hnsw", "nndescent", "flat"].includes(kind))
    throw new NotSupportedError(`unknown index kind ${String(kind)}`);
  if (!Number.isInteger(opts.dim) || opts.dim < 1 || opts.dim > 1 << 20)
    throw new RangeError(`dim must be an integer in [1, 2^20], got ${opts.dim}`);
  if (!["l2", "ip", "cosine"].includes(opts.metric))
    throw new NotSupportedError(`unknown metric ${String(opts.metric)}`);
  const dtype = opts.dtype ?? "f32";
  if (dtype === "i8" && opts.metric !== "cosine")
    throw new NotSupportedError("i8 storage supports metric 'cosine' only");
  if (opts.mipsLift && opts.metric !== "ip")
    throw new NotSupportedError("mipsLift applies to metric 'ip' only");
  if (opts.mipsLift && kind === "hnsw" && dtype === "i8")
    throw new NotSupportedError("mipsLift needs f32 or f16 storage");
  const M = opts.M ?? DEFAULTS.M;
  const K = opts.K ?? DEFAULTS.K;
  if (!Number.isInteger(M) || M < 2 || M > 1024)
    throw new RangeError(`M must be an integer in [2, 1024], got ${M}`);
  const maxDeg = kind === "hnsw" ? 2 * M : kind === "nndescent" ? Math.ceil(1.5 * K) : 0;
  const state = emptyState({
    kind,
    metric: opts.metric,
    dtype,
    dim: opts.dim,
    capacity: opts.capacity ?? 1024,
    M,
    M0: 2 * M,
    efConstruction: opts.efConstruction ?? DEFAULTS.efConstruction,
    K,
    alpha: opts.alpha ?? DEFAULTS.alpha,
    seed: opts.seed ?? DEFAULTS.seed,
    normalized: opts.metric === "cosine",
    mipsLift: opts.mipsLift ?? false,
    liftR2: 0,
    maxDeg,
  });
  return new AnnIndex(state, opts);
}
