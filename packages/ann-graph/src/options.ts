// Public option and result types of @x/ann-graph, with their defaults.

/** Index algorithms: HNSW (incremental), NN-Descent graph (batch build), exact flat scan. */
export type IndexKind = "hnsw" | "nndescent" | "flat";
/** `l2` = squared Euclidean; `ip` = 1 - <q, x>; `cosine` = 1 - <q/|q|, x/|x|>. */
export type Metric = "l2" | "ip" | "cosine";
/** Vector storage: f32, f16 (f32 compute), i8 (cosine only: round(127 * unit vector)). */
export type StorageDtype = "f32" | "f16" | "i8";

/**
 * Options of {@link createIndex}.
 *
 * @example
 * const opts: IndexOptions = { dim: 64, metric: "cosine", M: 16, efConstruction: 200 };
 */
export interface IndexOptions {
  dim: number;
  metric: Metric;
  dtype?: StorageDtype;
  /** Initial capacity in vectors (grows by doubling unless autoResize is false). */
  capacity?: number;
  /** Default true. */
  autoResize?: boolean;
  /** HNSW links per node (level 0 keeps up to 2M); default 16. */
  M?: number;
  /** HNSW build beam; default 200. */
  efConstruction?: number;
  /** NN-Descent neighbours per node; default 20 (search degree cap 1.5K). */
  K?: number;
  rho?: number;
  delta?: number;
  maxIters?: number;
  /** Pruning slack of graph edges (1 = HNSW heuristic); default 1. */
  alpha?: number;
  /** NN-Descent graphs: seeded random entry points beside the medoid (long-range starts across clusters); default 64. */
  nEntry?: number;
  /** Default 42. */
  seed?: number;
  /** 'ip': the caller guarantees unit vectors, so no norm-spread warning. */
  assumeNormalized?: boolean;
  /** 'ip', batch build: search in the l2 lift x' = [x, sqrt(R^2 - |x|^2)] (exact MIPS order). */
  mipsLift?: boolean;
  /** Turn warnings (raw inner product, copies) into errors. */
  strict?: boolean;
  /** Filters admitting fewer than this fraction of the vectors use an exact scan; default 0.01. */
  filterExactBelow?: number;
}

/** A precomputed allowlist (see `AnnIndex.allowList`), reusable across queries. */
export interface AllowList {
  readonly bits: Uint8Array;
  readonly count: number;
}

/** Options of `search` / `searchBatch`. */
export interface SearchOptions {
  /** Beam width (raised to k, hnswlib's rule); default 64 (hnsw), 32 (nndescent). */
  ef?: number;
  /** Only these labels may be returned (a label array or a precomputed AllowList). */
  filter?: Uint32Array | readonly number[] | AllowList;
  /** Keep expanding while d < (1 + epsilon) * bound; default 0 (hnsw), 0.1 (nndescent). */
  epsilon?: number;
  /** 'greedy' = plain greedy routing to a local minimum (theory experiments). */
  mode?: "beam" | "greedy";
  /** Return {efEffective, hops, distanceEvals, visited}. */
  trace?: boolean;
  /** searchBatch: native threads (default 1). */
  threads?: number;
}

/** Per-query search statistics. */
export interface SearchTrace {
  efEffective: number;
  hops: number;
  distanceEvals: number;
  visited: number;
  exact: boolean;
}

/** k results ascending by distance; `count` may be below k. */
export interface SearchResult {
  labels: Uint32Array;
  distances: Float32Array;
  count: number;
  trace?: SearchTrace;
}

/** Row-major nq x k results; missing slots are 0xFFFFFFFF / +Infinity. */
export interface BatchResult {
  labels: Uint32Array;
  distances: Float32Array;
}

/** Index statistics. */
export interface IndexStats {
  kind: IndexKind;
  n: number;
  deleted: number;
  /** Nodes per HNSW level (index = level). */
  levels: number[];
  /** Level-0 out-degree counts (index = degree). */
  degreeHistogram: number[];
  /** Fraction of live nodes reachable from the entry set on level 0 (1 for flat). */
  reachable: number;
  memoryBytes: number;
  isa: string;
}

export const DEFAULTS = {
  M: 16,
  efConstruction: 200,
  K: 20,
  rho: 1,
  delta: 0.001,
  maxIters: 12,
  alpha: 1,
  nEntry: 64,
  seed: 42,
  filterExactBelow: 0.01,
} as const;
