// Dense products on cuda through cuBLAS (f32, TF32 opt-in, f16/bf16 with f32 accumulation),
// attention as GEMM + masked softmax + GEMM with grouped KV heads, and ggml qmatmul.
import { noGrad, record } from "../../autograd/tape.js";
import type { DType } from "../../dtype.js";
import { DTypeError, ShapeError, ValueError } from "../../errors.js";
import type { AttentionOptions, AttentionResult } from "../../ops/attention.js";
import { add } from "../../ops/elementwise.js";
import type { MatmulOptions } from "../../ops/matmul.js";
import { broadcastShapes, fmtShape, numel } from "../../shape.js";
import { Tensor } from "../../tensor.js";
import { cuda } from "./addon.js";
import { sumTo } from "./ops-elementwise.js";
import { addr, devContiguous, devEmpty, expectCuda, release, toDevice, toHost } from "./tensors.js";

const GEMM_TYPE: Partial<Record<DType, number>> = { f32: 0, f16: 1, bf16: 2 };
let tf32 = false;

/**
 * Lets f32 matrix products on cuda use TF32 tensor cores ("tf32": ~10 mantissa bits, much faster)
 * or keep full f32 ("highest", the default), like torch.backends.cuda.matmul.allow_tf32.
 */
export function setCudaMatmulPrecision(mode: "highest" | "tf32"): void {
  if (mode !== "highest" && mode !== "tf32")
    throw new ValueError(`unknown matmul precision ${String(mode)}`);
  tf32 = mode === "tf32";
}

/** A [..., r, c] operand as cuBLAS sees it: dense rows, or the transpose of dense rows. */
function asMatrix(t: Tensor): { t: Tensor; trans: boolean } {
  if (t.isContiguous()) return { t, trans: false };
  const tt = t.transpose(-1, -2);
  if (tt.isContiguous()) return { t: tt, trans: true };
  return { t: devContiguous(t), trans: false };
}

/** The batch stride of `t` broadcast over `batch` (0 = one matrix shared), materializing if needed. */
function batched(t: Tensor, batch: number[]): { t: Tensor; stride: number; trans: boolean } {
  const own = numel(t.shape.slice(0, -2));
  const mat = t.shape.slice(-2) as [number, number];
  let src = t;
  if (own !== numel(batch) && own !== 1) src = devContiguous(t.expand([...batch, ...mat]));
  const m = asMatrix(noGrad(() => (own === 1 ? src.reshape(mat) : src)));
  return { t: m.t, stride: own === 1 ? 0 : mat[0] * mat[1], trans: m.trans };
}

/** C = A B over the last two axes (not recorded). */
function product(a: Tensor, b: Tensor): Tensor {
  const [m, k] = a.shape.slice(-2) as [number, number];
  const [kb, n] = b.shape.slice(-2) as [number, number];
  if (k !== kb)
    throw new ShapeError(
      `matmul: inner dimensions differ (${k} vs ${kb}) for ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
    );
  const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = devEmpty([...batch, m, n], a.dtype);
  const count = numel(batch);
  if (out.size === 0) return out;
  if (k === 0) {
    cuda().fill(addr(out), 0, out.size);
    return out;
  }
  const A = batched(a, batch);
  const B = batched(b, batch);
  cuda().gemm(
    GEMM_TYPE[a.dtype],
    A.trans,
    B.trans,
    m,
    n,
    k,
    addr(A.t),
    addr(B.t),
    addr(out),
    count,
    A.stride,
    B.stride,
    m * n,
    1,
    0,
    tf32,
  );
  return out;
}

export function matmul(a: Tensor, b: Tensor, opts: MatmulOptions = {}): Tensor {
  expectCuda("matmul", a, b);
  if (GEMM_TYPE[a.dtype] === undefined || a.dtype !== b.dtype)
    throw new DTypeError(
      `matmul on cuda needs two f32, f16 or bf16 operands, got ${a.dtype} and ${b.dtype}`,
    );
  if (a.ndim === 0 || b.ndim === 0)
    throw new ShapeError(
      `matmul needs operands of rank >= 1, got ${fmtShape(a.shape)} and ${fmtShape(b.shape)}`,
    );
  const { a2, b2, c2, c } = noGrad(() => {
    const a2 = a.ndim === 1 ? a.unsqueeze(0) : opts.transA ? a.transpose(-1, -2) : a;
    const b2 = b.ndim === 1 ? b.unsqueeze(1) : opts.transB ? b.transpose(-1, -2) : b;
    const c2 = product(a2, b2);
    let c = c2;
    if (a.ndim === 1) c = c.squeeze(-2);
    if (b.ndim === 1) c = c.squeeze(-1);
    return { a2, b2, c2, c };
  });
  return record(
    c,
    [a, b],
    (g) => {
      const g2 = g.reshape(c2.shape);
      let da = sumTo(product(g2, b2.transpose(-1, -2)), a2.shape);
      let db = sumTo(product(a2.transpose(-1, -2), g2), b2.shape);
      da =
        a.ndim === 1 ? da.reshape(a.shape) : opts.transA ? devContiguous(da.transpose(-1, -2)) : da;
      db =
        b.ndim === 1 ? db.reshape(b.shape) : opts.transB ? devContiguous(db.transpose(-1, -2)) : db;
      return [da, db];
    },
    [a, b],
  );
}

export function linear(x: Tensor, weight: Tensor, bias?: Tensor): Tensor {
  if (weight.ndim !== 2)
    throw new ShapeError(`linear: weight must be [out, in], got ${fmtShape(weight.shape)}`);
  const y = matmul(x, weight, { transB: true });
  return bias ? add(y, bias) : y;
}

function gemmF32(
  transA: boolean,
  transB: boolean,
  m: number,
  n: number,
  k: number,
  a: number,
  b: number,
  c: number,
  batch: number,
  sA: number,
  sB: number,
  sC: number,
  alpha: number,
): void {
  cuda().gemm(0, transA, transB, m, n, k, a, b, c, batch, sA, sB, sC, alpha, 0, tf32);
}

export function scaledDotProductAttention(
  q: Tensor,
  k: Tensor,
  v: Tensor,
  opts: AttentionOptions = {},
): Tensor | AttentionResult {
  expectCuda("attention", q, k, v);
  if (q.dtype !== "f32" || k.dtype !== "f32" || v.dtype !== "f32")
    throw new DTypeError(
      `attention on cuda supports f32 q, k and v, got ${q.dtype}, ${k.dtype}, ${v.dtype}`,
    );
  if (q.ndim !== 4 || k.ndim !== 4 || v.ndim !== 4)
    throw new ShapeError(
      `attention needs q [B, Hq, Sq, D] and k/v [B, Hkv, Skv, D], got ${fmtShape(q.shape)}, ${fmtShape(k.shape)}, ${fmtShape(v.shape)}`,
    );
  const [B, Hq, Sq, D] = q.shape as [number, number, number, number];
  const [, Hkv, Skv] = k.shape as [number, number, number, number];
  if (
    k.shape[0] !== B ||
    v.shape[0] !== B ||
    k.shape[3] !== D ||
    v.shape[3] !== D ||
    v.shape[1] !== Hkv ||
    v.shape[2] !== Skv ||
    Hq % Hkv !== 0
  )
    throw new ShapeError(
      `attention shapes do not fit: q ${fmtShape(q.shape)}, k ${fmtShape(k.shape)}, v ${fmtShape(v.shape)}`,
    );
  const g = Hq / Hkv;
  const scale = opts.scale ?? 1 / Math.sqrt(D);
  const [qc, kc, vc] = [devContiguous(q), devContiguous(k), devContiguous(v)];
  const batch = B * Hkv;
  const rows = g * Sq;
  // Heads of one KV group are adjacent in q, so each group's queries form one [g*Sq, D] matrix.
  const P = devEmpty([B, Hq, Sq, Skv], "f32");
  const out = devEmpty([B, Hq, Sq, D], "f32");
  if (P.size) {
    gemmF32(
      false,
      true,
      rows,
      Skv,
      D,
      addr(qc),
      addr(kc),
      addr(P),
      batch,
      rows * D,
      Skv * D,
      rows * Skv,
      scale,
    );
    if (opts.mask) {
      const m =
        opts.mask.dtype === "bool"
          ? additiveMask(opts.mask)
          : opts.mask.device === "cuda"
            ? opts.mask
            : toDevice(opts.mask);
      const shape = P.shape;
      const strides = (t: Tensor) =>
        Int32Array.from(
          shape.map((_d, i) => {
            const j = i - (shape.length - t.ndim);
            return j < 0 || t.shape[j] === 1 ? 0 : t.strides[j]!;
          }),
        );
      cuda().binary(0, addr(P), addr(m), addr(P), Int32Array.from(shape), strides(P), strides(m));
    }
    cuda().maskedSoftmax(addr(P), B * Hq * Sq, Skv, Sq, opts.causal ?? false);
    gemmF32(
      false,
      false,
      rows,
      D,
      Skv,
      addr(P),
      addr(vc),
      addr(out),
      batch,
      rows * Skv,
      Skv * D,
      rows * D,
      1,
    );
  } else if (out.size) cuda().fill(addr(out), 0, out.size);
  const res = record(
    out,
    [q, k, v],
    (gOut) => {
      const dO = devContiguous(gOut);
      const dP = devEmpty(P.shape, "f32");
      const dq = devEmpty(q.shape, "f32");
      const dk = devEmpty(k.shape, "f32");
      const dv = devEmpty(v.shape, "f32");
      gemmF32(
        false,
        true,
        rows,
        Skv,
        D,
        addr(dO),
        addr(vc),
        addr(dP),
        batch,
        rows * D,
        Skv * D,
        rows * Skv,
        1,
      );
      gemmF32(
        true,
        false,
        Skv,
        D,
        rows,
        addr(P),
        addr(dO),
        addr(dv),
        batch,
        rows * Skv,
        rows * D,
        Skv * D,
        1,
      );
      cuda().softmaxBackward(addr(P), addr(dP), addr(dP), B * Hq * Sq, Skv, false);
      gemmF32(
        false,
        false,
        rows,
        D,
        Skv,
        addr(dP),
        addr(kc),
        addr(dq),
        batch,
        rows * Skv,
        Skv * D,
        rows * D,
        scale,
      );
      gemmF32(
        true,
        false,
        Skv,
        D,
        rows,
        addr(dP),
        addr(qc),
        addr(dk),
        batch,
        rows * Skv,
        rows * D,
        Skv * D,
        scale,
      );
      release(dP);
      return [dq, dk, dv];
    },
    [q, k, v, P],
  );
  return opts.returnProbs ? { out: res, probs: P } : res;
}

/** A bool mask (true = may attend) as an additive f32 device mask of 0 / -Infinity. */
function additiveMask(mask: Tensor): Tensor {
  const host = toHost(mask);
  const vals = Float32Array.from(host.data() as Uint8Array, (b) =>
    b ? 0 : Number.NEGATIVE_INFINITY,
  );
  return toDevice(Tensor.wrap(vals, mask.shape, "f32"));
}
