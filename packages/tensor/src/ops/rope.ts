import { noGrad, record } from "../autograd/tape.js";
import { deviceOp, onDevice } from "../backend/device.js";
import type { RopeKernel } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import { ShapeError, ValueError } from "../errors.js";
import { fmtShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { castRaw } from "./cast.js";
import { expectFloat, f32Output } from "./nn-common.js";
import { fromF64, readF64 } from "./strided.js";

/** Frequency scaling for context extension (Hugging Face `rope_scaling`). */
export type RopeScaling =
  /** Position interpolation: every frequency divided by `factor`. */
  | { type: "linear"; factor: number }
  /** Llama 3.1: long wavelengths divided by `factor`, short ones kept, a smooth blend between. */
  | {
      type: "llama3";
      factor: number;
      lowFreqFactor: number;
      highFreqFactor: number;
      originalMaxPositionEmbeddings: number;
    };

export interface RopeFrequencyOptions {
  /** Rotary dimension (the head dimension for Llama); must be even. */
  dim: number;
  /** `rope_theta`; default 10000. */
  base?: number;
  scaling?: RopeScaling;
}

/**
 * Inverse frequencies `base^(-2i/dim)` for i < dim/2, optionally scaled, as Hugging Face
 * transformers computes them for `rope_type` "default", "linear" and "llama3" (in f64).
 *
 * ```ts
 * const freqs = ropeFrequencies({ dim: 64, base: 500000, scaling: { type: "llama3", factor: 8,
 *   lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 } });
 * ```
 */
export function ropeFrequencies(opts: RopeFrequencyOptions): Float64Array {
  const { dim, base = 10000, scaling } = opts;
  if (!Number.isInteger(dim) || dim <= 0 || dim % 2 !== 0)
    throw new ValueError(`rope dim must be a positive even integer, got ${dim}`);
  if (!(base > 0)) throw new ValueError(`rope base must be positive, got ${base}`);
  const inv = new Float64Array(dim / 2);
  for (let i = 0; i < inv.length; i++) inv[i] = 1 / base ** ((2 * i) / dim);
  if (!scaling) return inv;
  if (!(scaling.factor > 0))
    throw new ValueError(`rope scaling factor must be positive, got ${scaling.factor}`);
  if (scaling.type === "linear") return inv.map((f) => f / scaling.factor);
  const {
    factor,
    lowFreqFactor: lo,
    highFreqFactor: hi,
    originalMaxPositionEmbeddings: ctx,
  } = scaling;
  if (!(hi > lo))
    throw new ValueError(
      `llama3 rope scaling needs highFreqFactor > lowFreqFactor, got ${hi} and ${lo}`,
    );
  // Wavelengths longer than ctx/lo are slowed by `factor`, shorter than ctx/hi kept; in between,
  // blend linearly in ctx/wavelength (the number of turns over the original context).
  const lowWave = ctx / lo;
  const highWave = ctx / hi;
  return inv.map((f) => {
    const wave = (2 * Math.PI) / f;
    if (wave > lowWave) return f / factor;
    if (wave < highWave) return f;
    const t = (ctx / wave - lo) / (hi - lo);
    return (1 - t) * (f / factor) + t * f;
  });
}

export type RopeLayout = "rotate-half" | "interleaved";

export interface RopeOptions {
  /**
   * Which dimensions form rotation pairs: "rotate-half" (Hugging Face Llama: i and i + dim/2) or
   * "interleaved" (Meta's original and GPT-J: 2i and 2i + 1). Default "rotate-half".
   */
  layout?: RopeLayout;
}

/** A rope call's validated layout: positions on the CPU, and how x's rows map onto them. */
export interface RopeGeometry {
  pos: Tensor;
  seq: number;
  dim: number;
  /** Rows of length dim in x (all axes before the last two, times seq / seq). */
  lead: number;
  /** Rows sharing one row of positions (all of them unless positions are [batch, seq]). */
  perRow: number;
}

/** Checks x [..., seq, dim] against the positions ([seq] or [batch, seq]) and frequencies. */
export function ropeGeometry(
  x: Tensor,
  positions: Tensor | ArrayLike<number>,
  freqs: ArrayLike<number>,
): RopeGeometry {
  if (x.ndim < 2) throw new ShapeError(`rope needs x [..., seq, dim], got ${fmtShape(x.shape)}`);
  const seq = x.shape[x.ndim - 2]!;
  const dim = x.shape[x.ndim - 1]!;
  if (dim !== 2 * freqs.length) {
    throw new ShapeError(
      `rope: x ${fmtShape(x.shape)} has dim ${dim} but ${freqs.length} frequencies were given`,
    );
  }
  const pos =
    positions instanceof Tensor
      ? positions.toHost()
      : Tensor.from(positions, [positions.length], "f64");
  const batched = pos.ndim === 2;
  if (
    !(pos.ndim === 1 && pos.shape[0] === seq) &&
    !(batched && x.ndim >= 3 && pos.shape[0] === x.shape[0] && pos.shape[1] === seq)
  ) {
    throw new ShapeError(
      `rope: positions ${fmtShape(pos.shape)} do not fit x ${fmtShape(x.shape)} (want [seq] or [batch, seq])`,
    );
  }
  const lead = seq === 0 || dim === 0 ? 0 : x.size / (seq * dim);
  return { pos, seq, dim, lead, perRow: batched ? lead / x.shape[0]! : lead };
}

/**
 * Applies rotary position embeddings to `x` `[..., seq, dim]`, e.g. Hugging Face's q/k layout
 * `[batch, heads, seq, headDim]`: pair i of the token at position p is rotated by `p * freqs[i]`.
 * `positions` is [seq] (shared by all rows) or [batch, seq] with batch = x.shape[0]; `freqs` has
 * dim/2 entries (see {@link ropeFrequencies}). The result has `x`'s shape and dtype.
 *
 * ```ts
 * const freqs = ropeFrequencies({ dim: 64 });
 * const qRot = rope(q, [0, 1, 2, 3], freqs); // q [1, 8, 4, 64]
 * ```
 */
export function rope(
  x: Tensor,
  positions: Tensor | ArrayLike<number>,
  freqs: ArrayLike<number>,
  opts: RopeOptions = {},
): Tensor {
  expectFloat("rope", x);
  if (onDevice(x)) return deviceOp("rope")(x, positions, freqs, opts);
  const layout = opts.layout ?? "rotate-half";
  const { pos, seq, dim, lead, perRow } = ropeGeometry(x, positions, freqs);
  const angles = sharedAngles(readF64(pos), freqs);
  const plan: RopePlan = { lead, perRow, seq, dim, rotateHalf: layout === "rotate-half" };
  const y = noGrad(() => applyRope(x, angles.cos, angles.sin, plan));
  return record(y, [x], (g) => {
    // The inverse rotation (by -theta) is the transpose of the rotation.
    const negSin = angles.sin.map((s) => -s);
    return [applyRope(castRaw(g, x.dtype), angles.cos, negSin, plan)];
  });
}

interface RopePlan {
  /** Number of [seq, dim] blocks in x. */
  lead: number;
  /** Consecutive blocks sharing one row of positions. */
  perRow: number;
  seq: number;
  dim: number;
  rotateHalf: boolean;
}

/** cos/sin of position * frequency, [positions.length, freqs.length] row-major. */
export function ropeAngles(
  positions: Float64Array,
  freqs: ArrayLike<number>,
): { cos: Float64Array; sin: Float64Array } {
  const half = freqs.length;
  const cos = new Float64Array(positions.length * half);
  const sin = new Float64Array(positions.length * half);
  for (let p = 0; p < positions.length; p++) {
    for (let i = 0; i < half; i++) {
      const a = positions[p]! * freqs[i]!;
      cos[p * half + i] = Math.cos(a);
      sin[p * half + i] = Math.sin(a);
    }
  }
  return { cos, sin };
}

// The last angles computed: every layer of a forward pass rotates by the same positions, so
// they are computed once (checked by value, so a caller mutating its arrays is still correct).
let lastAngles:
  | { pos: Float64Array; freqs: Float64Array; cos: Float64Array; sin: Float64Array }
  | undefined;

function sharedAngles(
  pos: Float64Array,
  freqs: ArrayLike<number>,
): { cos: Float64Array; sin: Float64Array } {
  const same = (a: ArrayLike<number>, b: ArrayLike<number>) => {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
    return true;
  };
  if (lastAngles && same(lastAngles.pos, pos) && same(lastAngles.freqs, freqs)) return lastAngles;
  const angles = ropeAngles(pos, freqs);
  lastAngles = { pos, freqs: Float64Array.from(freqs), ...angles };
  return angles;
}

// f32 copies of angle tables for the kernel, made once per table.
const f32Tables = new WeakMap<Float64Array, Float32Array>();
function f32Table(t: Float64Array): Float32Array {
  let f = f32Tables.get(t);
  if (!f) f32Tables.set(t, (f = Float32Array.from(t)));
  return f;
}

function applyRope(x: Tensor, cos: Float64Array, sin: Float64Array, plan: RopePlan): Tensor {
  const { lead, perRow, seq, dim, rotateHalf } = plan;
  const half = dim / 2;
  const block = seq * dim;
  const kernel = x.dtype === "f32" ? nativeKernel<RopeKernel>("rope") : undefined;
  if (kernel) {
    // The kernel takes [rows, heads, dim] with one angle row per row: each [seq, dim] block is
    // seq rows of one head.
    const c32 = f32Table(cos);
    const s32 = f32Table(sin);
    const src = x.data() as Float32Array;
    const { out, data } = f32Output(x.shape);
    if (seq === 1 && lead > 0) {
      // One token per block (decode): x is [rows, perRow heads, dim] with one angle row per
      // row, the kernel's own layout, so a single call covers every head.
      kernel(src, c32, s32, data, lead / perRow, perRow, dim, rotateHalf);
      return out;
    }
    for (let l = 0; l < lead; l++) {
      const a = Math.floor(l / perRow) * seq * half;
      kernel(
        src.subarray(l * block, (l + 1) * block),
        c32.subarray(a, a + seq * half),
        s32.subarray(a, a + seq * half),
        data.subarray(l * block, (l + 1) * block),
        seq,
        1,
        dim,
        rotateHalf,
      );
    }
    return out;
  }
  const v = readF64(x);
  const out = new Float64Array(v.length);
  // Element offsets of the two members of pair i within a row.
  const first = (i: number) => (rotateHalf ? i : 2 * i);
  const second = rotateHalf ? half : 1;
  for (let l = 0; l < lead; l++) {
    const rowBase = Math.floor(l / perRow) * seq;
    for (let s = 0; s < seq; s++) {
      const o = l * block + s * dim;
      const a = (rowBase + s) * half;
      for (let i = 0; i < half; i++) {
        const p = o + first(i);
        const q = p + second;
        const c = cos[a + i]!;
        const sn = sin[a + i]!;
        out[p] = v[p]! * c - v[q]! * sn;
        out[q] = v[q]! * c + v[p]! * sn;
      }
    }
  }
  return fromF64(out, x.shape, x.dtype);
}
