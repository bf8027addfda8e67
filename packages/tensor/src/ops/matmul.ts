import { noGrad, record } from "../autograd/tape.js";
import { deviceOp, onDevice } from "../backend/device.js";
import type { SgemmKernel } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import { DTypeError, ShapeError } from "../errors.js";
import { broadcastShapes, fmtShape, numel } from "../shape.js";
import { Tensor } from "../tensor.js";
import { castRaw } from "./cast.js";
import { batchOffsets, expectFloat, expectLastDim, f32Output, reduceToShape } from "./nn-common.js";
import { fromF64, readF64 } from "./strided.js";

export interface MatmulOptions {
  /** Use the transpose of `a`'s last two axes. */
  transA?: boolean;
  /** Use the transpose of `b`'s last two axes. */
  transB?: boolean;
}

/**
 * Matrix product with numpy semantics: a 1-D operand is a row (left) or column (right) vector
 * whose axis is dropped from the result; leading (batch) axes broadcast. Both operands must share
 * one float dtype, which the result keeps. `transA`/`transB` transpose the last two axes of
 * matrices (ignored for vectors) without copying.
 *
 * ```ts
 * const c = matmul(Tensor.from([1, 2, 3, 4], [2, 2]), Tensor.from([5, 6], [2])); // [17, 39]
 * const scores = matmul(q, k, { transB: true }); // [B, H, S, D] x [B, H, T, D] -> [B, H, S, T]
 * ```
 */
export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  if (onDevice(a, b)) return deviceOp("matmul")(a, b, opts);
  expectFloat("matmul", a);
  expectFloat("matmul", b);
  if (a.dtype !== b.dtype)
    throw new DTypeError(`matmul: operands have different dtypes ${a.dtype} and ${b.dtype}`);
  if (a.ndim === 0 || b.ndim === 0) {
    throw new ShapeError(
      `matmul needs operands of rank >= 1, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
    );
  }
  // Views and the product are computed off the tape; the op is recorded as one node below.
  const { a2, b2, c2, c } = noGrad(() => {
    const a2 = a.ndim === 1 ? a.unsqueeze(0) : opts.transA ? a.transpose(-1, -2) : a;
    const b2 = b.ndim === 1 ? b.unsqueeze(1) : opts.transB ? b.transpose(-1, -2) : b;
    const c2 = matmulViews(a2, b2, `${fmtShape(a.shape)} and ${fmtShape(b.shape)}`);
    let c = c2;
    if (a.ndim === 1) c = c.squeeze(-2);
    if (b.ndim === 1) c = c.squeeze(-1);
    return { a2, b2, c2, c };
  });
  return record(
    c,
    [a, b],
    (g) => {
      const g2 = castRaw(g, a.dtype).reshape(c2.shape);
      // dA = dC B^T and dB = A^T dC, summed over the batch axes each operand was broadcast along.
      let da = reduceToShape(matmulViews(g2, b2.transpose(-1, -2)), a2.shape);
      let db = reduceToShape(matmulViews(a2.transpose(-1, -2), g2), b2.shape);
      da =
        a.ndim === 1 ? da.reshape(a.shape) : opts.transA ? da.transpose(-1, -2).contiguous() : da;
      db =
        b.ndim === 1 ? db.reshape(b.shape) : opts.transB ? db.transpose(-1, -2).contiguous() : db;
      return [da, db];
    },
    [a, b],
  );
}

/**
 * Linear layer in the Hugging Face convention: `x W^T + bias` with `weight` [out, in] and
 * `bias` [out]; x is [..., in] and the result [..., out].
 *
 * ```ts
 * const y = linear(x, layer.weight, layer.bias); // x [batch, seq, 512], weight [2048, 512]
 * ```
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  if (onDevice(x, weight, bias)) return deviceOp("linear")(x, weight, bias);
  if (weight.ndim !== 2)
    throw new ShapeError(`linear: weight must be [out, in], got ${fmtShape(weight.shape)}`);
  const [outF, inF] = weight.shape as [number, number];
  expectLastDim("linear", x, inF, weight);
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
    throw new ShapeError(
      `linear: bias ${fmtShape(bias.shape)} does not match weight ${fmtShape(weight.shape)}`,
    );
  }
  if (bias) expectFloat("linear bias", bias);
  const y = noGrad(() => {
    const xw = matmul(x, weight, { transB: true });
    if (!bias) return xw;
    const vals = readF64(xw);
    const bv = readF64(bias);
    for (let i = 0; i < vals.length; i++) vals[i] = vals[i]! + bv[i % outF]!;
    return fromF64(vals, xw.shape, xw.dtype);
  });
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record(
    y,
    inputs,
    (g) => {
      const gy = castRaw(g, x.dtype);
      const g2 = gy.reshape([-1, outF]);
      const dx = matmul(gy, weight);
      const dw = matmul(g2, x.reshape([-1, inF]), { transA: true });
      if (!bias) return [dx, dw];
      return [dx, dw, castRaw(reduceToShape(g2, [1, outF]).reshape([outF]), bias.dtype)];
    },
    [x, weight],
  );
}

/** C = A B for matrices in the last two axes of `a` [..., m, k] and `b` [..., k, n], not recorded. */
function matmulViews(a: Tensor, b: Tensor, what?: string): Tensor {
  const [m, k] = a.shape.slice(-2) as [number, number];
  const [kb, n] = b.shape.slice(-2) as [number, number];
  const names = what ?? `${fmtShape(a.shape)} and ${fmtShape(b.shape)}`;
  if (k !== kb)
    throw new ShapeError(`matmul: inner dimensions differ (${k} vs ${kb}) for ${names}`);
  let batch: number[];
  try {
    batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  } catch {
    throw new ShapeError(`matmul: batch dimensions of ${names} do not broadcast`);
  }
  const outShape = [...batch, m, n];
  const sgemm = a.dtype === "f32" ? nativeKernel<SgemmKernel>("sgemm") : undefined;
  if (sgemm) return sgemmBatched(sgemm, a, b, batch, outShape);
  return matmulJs(a, b, batch, outShape);
}

/** Row-major layout of a matrix view as the sgemm contract takes it, copying only when strided. */
function asPacked(x: Tensor): { t: Tensor; trans: boolean } {
  const [r, c] = x.shape.slice(-2) as [number, number];
  const [sr, sc] = x.strides.slice(-2) as [number, number];
  if ((c === 1 || sc === 1) && (r === 1 || sr === c)) return { t: x, trans: false };
  if ((r === 1 || sr === 1) && (c === 1 || sc === r)) return { t: x, trans: true };
  return { t: x.contiguous(), trans: false };
}

/** The common step of `offsets` if they form an arithmetic sequence. */
function uniformStep(offsets: readonly number[]): number | undefined {
  if (offsets.length < 2) return 0;
  const step = offsets[1]! - offsets[0]!;
  for (let i = 2; i < offsets.length; i++)
    if (offsets[i]! - offsets[i - 1]! !== step) return undefined;
  return step;
}

function sgemmBatched(
  sgemm: SgemmKernel,
  a: Tensor,
  b: Tensor,
  batch: number[],
  outShape: number[],
): Tensor {
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.ndim - 1]!;
  const { out, data: c } = f32Output(outShape);
  if (out.size === 0 || k === 0) return out;
  const pa = asPacked(a);
  const pb = asPacked(b);
  const offA = batchOffsets(pa.t.expand([...batch, m, k]), batch.length);
  const offB = batchOffsets(pb.t.expand([...batch, k, n]), batch.length);
  const da = pa.t.storage.data as Float32Array;
  const db = pb.t.storage.data as Float32Array;
  const sA = uniformStep(offA);
  const sB = uniformStep(offB);
  if (sA !== undefined && sB !== undefined) {
    sgemm(
      da.subarray(offA[0]),
      db.subarray(offB[0]),
      c,
      m,
      n,
      k,
      pa.trans,
      pb.trans,
      offA.length,
      sA,
      sB,
      m * n,
    );
    return out;
  }
  // Batch axes that no single stride describes (e.g. [2, 1] x [1, 3]): one call per matrix.
  for (let i = 0; i < offA.length; i++) {
    sgemm(
      da.subarray(offA[i]),
      db.subarray(offB[i]),
      c.subarray(i * m * n),
      m,
      n,
      k,
      pa.trans,
      pb.trans,
      1,
      0,
      0,
      0,
    );
  }
  return out;
}

/** The js oracle: f64 accumulation in i-k-j order (unit-stride inner loop over rows of B and C). */
function matmulJs(a: Tensor, b: Tensor, batch: number[], outShape: number[]): Tensor {
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.ndim - 1]!;
  const a64 = Tensor.wrap(readF64(a), a.shape, "f64").expand([...batch, m, k]);
  const b64 = Tensor.wrap(readF64(b), b.shape, "f64").expand([...batch, k, n]);
  const offA = batchOffsets(a64, batch.length);
  const offB = batchOffsets(b64, batch.length);
  const A = a64.storage.data as Float64Array;
  const B = b64.storage.data as Float64Array;
  const C = new Float64Array(numel(outShape));
  for (let bi = 0; bi < offA.length; bi++) {
    const ao = offA[bi]!;
    const bo = offB[bi]!;
    const co = bi * m * n;
    for (let i = 0; i < m; i++) {
      const crow = co + i * n;
      for (let p = 0; p < k; p++) {
        const av = A[ao + i * k + p]!;
        const brow = bo + p * n;
        for (let j = 0; j < n; j++) C[crow + j] = C[crow + j]! + av * B[brow + j]!;
      }
    }
  }
  return fromF64(C, outShape, a.dtype);
}
