// The contract between ops (src/ops) and native backends (src/backend/cpu, later cuda).
// Ops validate shapes and dtypes, make operands contiguous where a kernel requires it, and call
// `nativeKernel<K>(name)`; when it returns undefined they run their own js implementation, which
// is the oracle every native kernel is tested against. All kernels are synchronous, write into
// caller-allocated outputs, and never retain the arrays they are given.

/** Binary elementwise op codes shared with native code (native/src/elementwise/ops.h). */
export const BinaryOp = { add: 0, sub: 1, mul: 2, div: 3, max: 4, min: 5, pow: 6 } as const;
export type BinaryOpName = keyof typeof BinaryOp;

/** Unary elementwise op codes shared with native code. */
export const UnaryOp = {
  neg: 0,
  abs: 1,
  exp: 2,
  log: 3,
  sqrt: 4,
  rsqrt: 5,
  sin: 6,
  cos: 7,
  tanh: 8,
  sigmoid: 9,
  silu: 10,
  gelu: 11,
  relu: 12,
  square: 13,
  reciprocal: 14,
  gelu_tanh: 15,
} as const;
export type UnaryOpName = keyof typeof UnaryOp;

/** Reduction op codes shared with native code. */
export const ReduceOp = {
  sum: 0,
  max: 1,
  min: 2,
  argmax: 3,
  argmin: 4,
  logsumexp: 5,
  sumsq: 6,
} as const;
export type ReduceOpName = keyof typeof ReduceOp;

/**
 * Batched C = op(A) * op(B), row-major, f32. A is [m,k] ([k,m] when transA), B is [k,n]
 * ([n,k] when transB), C is [m,n]. Batch i uses offsets i*strideA, i*strideB, i*strideC
 * (a stride of 0 broadcasts an operand). C is overwritten.
 */
export type SgemmKernel = (
  a: Float32Array,
  b: Float32Array,
  c: Float32Array,
  m: number,
  n: number,
  k: number,
  transA: boolean,
  transB: boolean,
  batch: number,
  strideA: number,
  strideB: number,
  strideC: number,
) => void;

/**
 * out[i] = op(a[i], b[i]) over a strided broadcast: `shape` is the output shape (rank <= 8),
 * `aStrides`/`bStrides` are element strides (0 on broadcast axes) from offset 0 of a / b.
 * out is contiguous. f32 only.
 */
export type BinaryKernel = (
  op: number,
  a: Float32Array,
  aStrides: Int32Array,
  b: Float32Array,
  bStrides: Int32Array,
  out: Float32Array,
  shape: Int32Array,
) => void;

/** out[i] = op(x[i]) for contiguous f32 arrays of equal length. */
export type UnaryKernel = (op: number, x: Float32Array, out: Float32Array) => void;

/**
 * Reduces the middle axis of a contiguous [outer, len, inner] f32 array into out [outer, inner]
 * (argmax/argmin write indices as f32-exact integers into an Int32Array instead).
 */
export type ReduceKernel = (
  op: number,
  x: Float32Array,
  out: Float32Array | Int32Array,
  outer: number,
  len: number,
  inner: number,
) => void;

/** Row-wise (log-)softmax over contiguous [rows, cols] f32. */
export type SoftmaxKernel = (
  x: Float32Array,
  out: Float32Array,
  rows: number,
  cols: number,
  log: boolean,
) => void;

/** RMSNorm over rows: out = x / sqrt(mean(x^2) + eps) * weight (weight may be empty = 1). */
export type RmsNormKernel = (
  x: Float32Array,
  weight: Float32Array,
  out: Float32Array,
  rows: number,
  cols: number,
  eps: number,
) => void;

/** LayerNorm over rows with optional (empty array = absent) weight and bias. */
export type LayerNormKernel = (
  x: Float32Array,
  weight: Float32Array,
  bias: Float32Array,
  out: Float32Array,
  rows: number,
  cols: number,
  eps: number,
) => void;

/**
 * Rotary embedding on contiguous x [rows, heads, dim]; cos/sin are [rows, dim/2] (one angle set
 * per row, so positions are resolved by the caller). rotateHalf: HF layout (pairs i, i+dim/2);
 * otherwise interleaved (pairs 2i, 2i+1).
 */
export type RopeKernel = (
  x: Float32Array,
  cos: Float32Array,
  sin: Float32Array,
  out: Float32Array,
  rows: number,
  heads: number,
  dim: number,
  rotateHalf: boolean,
) => void;

/** Converts n elements between f32 and f16/bf16 bit patterns (dtype codes: "f32" | "f16" | "bf16"). */
export type CastKernel = (
  src: Float32Array | Uint16Array,
  srcDtype: string,
  dst: Float32Array | Uint16Array,
  dstDtype: string,
) => void;

/** Quantizes contiguous f32 rows into ggml blocks ("q8_0" | "q4_0"); length must be a multiple of 32. */
export type QuantizeKernel = (format: string, src: Float32Array, dst: Uint8Array) => void;

/** Dequantizes ggml blocks back to f32. */
export type DequantizeKernel = (format: string, src: Uint8Array, dst: Float32Array) => void;

/**
 * out[m,n] = x[m,k] * W^T with W [n,k] stored as ggml blocks row by row; x is quantized to q8_0 on
 * the fly (as ggml does) before the integer dot products. Returns false, computing nothing, when
 * some |x| exceeds 65504·127 or is NaN (its q8_0 scale would not be a finite f16).
 */
export type QMatmulKernel = (
  format: string,
  w: Uint8Array,
  x: Float32Array,
  out: Float32Array,
  m: number,
  n: number,
  k: number,
) => boolean;

/** {@link QMatmulKernel} with W in the CPU tile layout (src/quant/cpu-tiles.ts) instead of rows. */
export type QMatmulTilesKernel = QMatmulKernel;

/**
 * Moves an [n, k] ggml weight between row-major blocks and the CPU tile layout: packTiles(format,
 * rows, tiles, n, k), unpackTiles(format, tiles, rows, n, k).
 */
export type MoveTilesKernel = (
  format: string,
  from: Uint8Array,
  to: Uint8Array,
  n: number,
  k: number,
) => void;

/**
 * Scaled dot-product attention. q [B, Hq, Sq, D], k/v [B, Hkv, Skv, D] (f32, or f16 bit
 * patterns when kvHalf), out [B, Hq, Sq, D]; Hq must be a multiple of Hkv (GQA). When causal,
 * query i attends to keys j <= i + (Skv - Sq) (queries are the last Sq positions).
 */
export type AttentionKernel = (
  q: Float32Array,
  /** One [B, Hkv, Skv, D] array, or B·Hkv per-head arrays of at least Skv·D values each. */
  k: Float32Array | Uint16Array | readonly (Float32Array | Uint16Array)[],
  v: Float32Array | Uint16Array | readonly (Float32Array | Uint16Array)[],
  out: Float32Array,
  b: number,
  hq: number,
  hkv: number,
  sq: number,
  skv: number,
  d: number,
  scale: number,
  causal: boolean,
  kvHalf: boolean,
) => void;

/** RandomKernel kinds (native/src/random): uniform f32, normal f32, integers i32. */
export const RandomKind = { uniform: 0, normal: 1, int: 2 } as const;

/**
 * Fills `out` with elements 0.. of the Philox stream (seed, offset), transformed exactly as
 * src/ops/random.ts does (bit-identical): uniform/normal into a Float32Array, integers
 * low + floor(w * span / 2^32) (span <= 2^32, wrapped like an Int32Array store) into an Int32Array.
 */
export type RandomKernel = (
  kind: number,
  seed: number,
  offset: number,
  out: Float32Array | Int32Array,
  low: number,
  span: number,
) => void;

/**
 * out[o, j, :] = src[o, idx[j], :] for contiguous src [outer, n, inner] (f32 or i32 bits);
 * throws a RangeError naming the first index outside [0, n).
 */
export type IndexSelectKernel = (
  src: Float32Array | Int32Array,
  idx: Int32Array,
  out: Float32Array | Int32Array,
  outer: number,
  n: number,
  inner: number,
) => void;

/**
 * gather: out[p] = src[base(p) + idx[p] * strides[axis]] for every position p of the contiguous
 * index array of `indexShape`, where base(p) = sum over other axes of p_d * strides[d] (src starts
 * at the tensor's offset). Indices are checked against `axisSize` (RangeError naming the first bad one).
 */
export type GatherKernel = (
  src: Float32Array | Int32Array,
  idx: Int32Array,
  out: Float32Array | Int32Array,
  indexShape: Int32Array,
  strides: Int32Array,
  axis: number,
  axisSize: number,
) => void;

/**
 * scatterAdd: dst[base(p) + idx[p] * strides[axis]] += src[p] in index order, summing in f64 and
 * rounding once per element (bit-identical to the js backend). dst is updated in place.
 */
export type ScatterAddKernel = (
  dst: Float32Array,
  idx: Int32Array,
  src: Float32Array,
  indexShape: Int32Array,
  strides: Int32Array,
  axis: number,
  axisSize: number,
) => void;

/** out = cond ? a : b over a strided broadcast (like BinaryKernel); cond holds bool bytes. */
export type WhereKernel = (
  cond: Uint8Array,
  cStrides: Int32Array,
  a: Float32Array,
  aStrides: Int32Array,
  b: Float32Array,
  bStrides: Int32Array,
  out: Float32Array,
  shape: Int32Array,
) => void;

/** Row-major copy of a strided view (element strides >= 0, from src[0]) into dense dst of the same element size. */
export type CopyStridedKernel = (
  src: Float32Array | Int32Array | Uint16Array | Uint8Array,
  strides: Int32Array,
  shape: Int32Array,
  dst: Float32Array | Int32Array | Uint16Array | Uint8Array,
) => void;

/**
 * First k positions of a stable sort of each contiguous f32 row [rows, n] (NaN largest, -0 == 0,
 * ties by position; descending keeps ties ascending by position) into out [rows, k].
 */
export type SortRowsKernel = (
  x: Float32Array,
  rows: number,
  n: number,
  k: number,
  descending: boolean,
  out: Int32Array,
) => void;

/** Per-row -log softmax(logits)[target] of contiguous [rows, vocab] f32 (0 where target == ignoreIndex). */
export type CrossEntropyKernel = (
  logits: Float32Array,
  targets: Int32Array,
  rows: number,
  vocab: number,
  ignoreIndex: number,
  out: Float32Array,
) => void;

/** grad[r] = (softmax(logits[r]) - onehot(target[r])) * weights[r], zero for ignored rows. */
export type CrossEntropyGradKernel = (
  logits: Float32Array,
  targets: Int32Array,
  rows: number,
  vocab: number,
  ignoreIndex: number,
  weights: Float32Array,
  grad: Float32Array,
) => void;

/** Why native group quantization stopped: the first failing group, as the js code would report it. */
export interface GroupQuantizeFailure {
  /** "value": element `element` cannot be stored with the metadata dtype; "range": group too wide for f32. */
  kind: "value" | "range";
  group: number;
  element: number;
}

/**
 * Group-asymmetric quantization (src/quant/group-quant.ts rules, byte-identical) of contiguous
 * x [outer, len, inner], groups of `groupSize` along len; scales/zeros are f16 bits (Uint16Array)
 * or f32. Writes every word and returns undefined, or the first failure.
 */
export type GroupQuantizeKernel = (
  x: Float32Array,
  outer: number,
  len: number,
  inner: number,
  groupSize: number,
  bits: number,
  words: Uint32Array,
  scales: Uint16Array | Float32Array,
  zeros: Uint16Array | Float32Array,
) => GroupQuantizeFailure | undefined;

/** Inverse of GroupQuantizeKernel: out = f32(q * s) + z. */
export type GroupDequantizeKernel = (
  words: Uint32Array,
  scales: Uint16Array | Float32Array,
  zeros: Uint16Array | Float32Array,
  outer: number,
  len: number,
  inner: number,
  groupSize: number,
  bits: number,
  out: Float32Array,
) => void;

/**
 * A row set for the distance and graph kernels: `rows` (any typed array, read as bytes) holds n
 * rows of `stride` bytes, each zero-padded to `dimPad` elements (a multiple of 16); rowType 0 f32,
 * 1 f16, 2 i8 (round(127 * unit vector)); metric 0 = squared l2, 1 = 1 - <q, x>.
 */
export type RowArgs = [
  rows: ArrayBufferView,
  stride: number,
  dimPad: number,
  rowType: number,
  metric: number,
  n: number,
];

/** out[j] = d(q, row ids[j]) (row j when ids is null). */
export type DistanceRowsKernel = (
  ...args: [...RowArgs, q: Float32Array, dim: number, ids: Uint32Array | null, out: Float32Array]
) => void;

/** Exact k nearest rows per query, ascending with ties by smaller id; missing = 0xFFFFFFFF / +inf. */
export type KnnScanKernel = (
  ...args: [
    ...RowArgs,
    queries: Float32Array,
    nq: number,
    dim: number,
    k: number,
    allow: Uint8Array | null,
    f64: boolean,
    outIds: Uint32Array,
    outDist: Float32Array,
  ]
) => void;

/**
 * A graph over a row set: level-0 lists of (1 + maxDeg) u32 (count, ids), optional HNSW upper
 * levels (node i at level l >= 1: list upperOff[i] + l - 1 of (1 + upperDeg) u32) and a deleted bitset.
 */
export type GraphArgs = [
  ...RowArgs,
  adj: Uint32Array,
  maxDeg: number,
  levels: Uint8Array | null,
  upperOff: Uint32Array | null,
  upperAdj: Uint32Array | null,
  upperDeg: number,
  deleted: Uint8Array | null,
];

/** Beam search (or greedy walk) of nq queries; trace (nq x 3: hops, distance evaluations, visited) optional. */
export type GraphSearchKernel = (
  ...args: [
    ...GraphArgs,
    entries: Uint32Array,
    maxLevel: number,
    queries: Float32Array,
    nq: number,
    dim: number,
    k: number,
    ef: number,
    epsilon: number,
    greedy: boolean,
    allow: Uint8Array | null,
    outIds: Uint32Array,
    outDist: Float32Array,
    trace: Float64Array | null,
  ]
) => void;

/** Binds a graph, its entry set and (optionally) its id -> label map once; returns an opaque handle. */
export type GraphSearcherKernel = (
  ...args: [
    ...GraphArgs,
    entries: Uint32Array,
    maxLevel: number,
    dim: number,
    labels: Uint32Array | null,
  ]
) => object;

/** One beam search through a bound handle; writes labels (ids without a map) and distances, returns the count found. */
export type GraphSearchOneKernel = (
  handle: object,
  query: Float32Array,
  k: number,
  ef: number,
  epsilon: number,
  outLabels: Uint32Array,
  outDist: Float32Array,
) => number;

/** Links rows [from, to) into an HNSW graph in order; state = [entry (-1 when empty), maxLevel], updated. */
export type HnswInsertKernel = (
  ...args: [
    ...GraphArgs,
    from: number,
    to: number,
    efConstruction: number,
    M: number,
    alpha: number,
    state: Int32Array,
  ]
) => void;

/** HNSW heuristic / RobustPrune of sorted candidates; writes kept ids to out and returns their count. */
export type PruneNeighborsKernel = (
  ...args: [
    ...RowArgs,
    ids: Uint32Array,
    dist: Float32Array,
    maxDeg: number,
    alpha: number,
    keepAllBelow: boolean,
    out: Uint32Array,
  ]
) => number;

/** NN-Descent kNN lists (n x K, ascending); updates[i] = successful updates of iteration i (-1 after the last). */
export type NNDescentKernel = (
  ...args: [
    ...RowArgs,
    K: number,
    rho: number,
    delta: number,
    maxIters: number,
    seed: number,
    outIds: Uint32Array,
    outDist: Float32Array,
    updates: Float64Array,
  ]
) => void;

/** Search graph from kNN lists: prune, add reverse edges, prune to maxDeg; writes adj n x (1 + maxDeg). */
export type GraphDiversifyKernel = (
  ...args: [
    ...RowArgs,
    K: number,
    knnIds: Uint32Array,
    knnDist: Float32Array,
    alpha: number,
    adj: Uint32Array,
    maxDeg: number,
  ]
) => void;

/** BFS over level-0 lists from entries; marks reached nodes in outMask (n bytes) and returns their count. */
export type GraphReachKernel = (
  adj: Uint32Array,
  maxDeg: number,
  n: number,
  entries: Uint32Array,
  outMask: Uint8Array,
) => number;

/** Maps a file read-only (private copy-on-write pages) as an ArrayBuffer. */
export type MapFileKernel = (path: string) => ArrayBuffer;

/** CRC32C (Castagnoli) of bytes, continuing from seed. */
export type Crc32cKernel = (bytes: Uint8Array, seed: number) => number;

/**
 * One AdamW step in place over param, expAvg and expAvgSq (f32, one length, grad too), with the
 * arithmetic of src/ops/optim.ts (f64 per element, each operation rounded once): bit-identical.
 */
export type AdamWKernel = (
  param: Float32Array,
  grad: Float32Array,
  expAvg: Float32Array,
  expAvgSq: Float32Array,
  beta1: number,
  beta2: number,
  eps: number,
  shrink: number,
  stepSize: number,
  sqrtBias2: number,
) => void;

/**
 * One token through a Llama decoder layer (native/src/fused/decode_binding.cc has the argument
 * order). Each projection is one weight or its parts stacked by rows (qkv: [q, k, v], gateUp:
 * [gate, up]); a weight is ggml tiles of `format` (Uint8Array) or a dense f32 [rows, cols]
 * matrix. False when an activation fell outside the q8_0 range (nothing committed; rerun op by
 * op for the error).
 */
export type DecodeLayerKernel = (
  format: string,
  h: Float32Array,
  out: Float32Array,
  normIn: Float32Array,
  normPost: Float32Array,
  eps: number,
  qkv: DecodeLayerWeight | readonly DecodeLayerWeight[],
  o: DecodeLayerWeight,
  gateUp: DecodeLayerWeight | readonly DecodeLayerWeight[],
  down: DecodeLayerWeight,
  cos: Float32Array,
  sin: Float32Array,
  kHeads: readonly Float32Array[],
  vHeads: readonly Float32Array[],
  count: number,
  hq: number,
  hkv: number,
  d: number,
  inter: number,
  scale: number,
) => boolean;

/** A {@link DecodeLayerKernel} weight: ggml tiles, or a dense f32 row-major matrix. */
export type DecodeLayerWeight = Uint8Array | Float32Array;
