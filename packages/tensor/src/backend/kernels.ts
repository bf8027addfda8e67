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
  neg: 0, abs: 1, exp: 2, log: 3, sqrt: 4, rsqrt: 5, sin: 6, cos: 7, tanh: 8, sigmoid: 9,
  silu: 10, gelu: 11, relu: 12, square: 13, reciprocal: 14, gelu_tanh: 15,
} as const;
export type UnaryOpName = keyof typeof UnaryOp;

/** Reduction op codes shared with native code. */
export const ReduceOp = { sum: 0, max: 1, min: 2, argmax: 3, argmin: 4, logsumexp: 5, sumsq: 6 } as const;
export type ReduceOpName = keyof typeof ReduceOp;

/**
 * Batched C = op(A) * op(B), row-major, f32. A is [m,k] ([k,m] when transA), B is [k,n]
 * ([n,k] when transB), C is [m,n]. Batch i uses offsets i*strideA, i*strideB, i*strideC
 * (a stride of 0 broadcasts an operand). C is overwritten.
 */
export type SgemmKernel = (
  a: Float32Array, b: Float32Array, c: Float32Array,
  m: number, n: number, k: number,
  transA: boolean, transB: boolean,
  batch: number, strideA: number, strideB: number, strideC: number,
) => void;

/**
 * out[i] = op(a[i], b[i]) over a strided broadcast: `shape` is the output shape (rank <= 8),
 * `aStrides`/`bStrides` are element strides (0 on broadcast axes) from offset 0 of a / b.
 * out is contiguous. f32 only.
 */
export type BinaryKernel = (
  op: number, a: Float32Array, aStrides: Int32Array, b: Float32Array, bStrides: Int32Array,
  out: Float32Array, shape: Int32Array,
) => void;

/** out[i] = op(x[i]) for contiguous f32 arrays of equal length. */
export type UnaryKernel = (op: number, x: Float32Array, out: Float32Array) => void;

/**
 * Reduces the middle axis of a contiguous [outer, len, inner] f32 array into out [outer, inner]
 * (argmax/argmin write indices as f32-exact integers into an Int32Array instead).
 */
export type ReduceKernel = (
  op: number, x: Float32Array, out: Float32Array | Int32Array, outer: number, len: number, inner: number,
) => void;

/** Row-wise (log-)softmax over contiguous [rows, cols] f32. */
export type SoftmaxKernel = (x: Float32Array, out: Float32Array, rows: number, cols: number, log: boolean) => void;

/** RMSNorm over rows: out = x / sqrt(mean(x^2) + eps) * weight (weight may be empty = 1). */
export type RmsNormKernel = (
  x: Float32Array, weight: Float32Array, out: Float32Array, rows: number, cols: number, eps: number,
) => void;

/** LayerNorm over rows with optional (empty array = absent) weight and bias. */
export type LayerNormKernel = (
  x: Float32Array, weight: Float32Array, bias: Float32Array, out: Float32Array,
  rows: number, cols: number, eps: number,
) => void;

/**
 * Rotary embedding on contiguous x [rows, heads, dim]; cos/sin are [rows, dim/2] (one angle set
 * per row, so positions are resolved by the caller). rotateHalf: HF layout (pairs i, i+dim/2);
 * otherwise interleaved (pairs 2i, 2i+1).
 */
export type RopeKernel = (
  x: Float32Array, cos: Float32Array, sin: Float32Array, out: Float32Array,
  rows: number, heads: number, dim: number, rotateHalf: boolean,
) => void;

/** Converts n elements between f32 and f16/bf16 bit patterns (dtype codes: "f32" | "f16" | "bf16"). */
export type CastKernel = (src: Float32Array | Uint16Array, srcDtype: string, dst: Float32Array | Uint16Array, dstDtype: string) => void;

/** Quantizes contiguous f32 rows into ggml blocks ("q8_0" | "q4_0"); length must be a multiple of 32. */
export type QuantizeKernel = (format: string, src: Float32Array, dst: Uint8Array) => void;

/** Dequantizes ggml blocks back to f32. */
export type DequantizeKernel = (format: string, src: Uint8Array, dst: Float32Array) => void;

/**
 * out[m,n] = x[m,k] * W^T with W [n,k] stored as ggml blocks row by row; x is quantized to q8_0 on
 * the fly (as ggml does) before the integer dot products.
 */
export type QMatmulKernel = (
  format: string, w: Uint8Array, x: Float32Array, out: Float32Array, m: number, n: number, k: number,
) => void;

/**
 * Scaled dot-product attention. q [B, Hq, Sq, D], k/v [B, Hkv, Skv, D] (f32, or f16 bit
 * patterns when kvHalf), out [B, Hq, Sq, D]; Hq must be a multiple of Hkv (GQA). When causal,
 * query i attends to keys j <= i + (Skv - Sq) (queries are the last Sq positions).
 */
export type AttentionKernel = (
  q: Float32Array, k: Float32Array | Uint16Array, v: Float32Array | Uint16Array, out: Float32Array,
  b: number, hq: number, hkv: number, sq: number, skv: number, d: number,
  scale: number, causal: boolean, kvHalf: boolean,
) => void;
