// Counter-based random numbers (Philox4x32-10, Salmon et al., SC'11). Element i of a draw is a
// pure function of (seed, stream offset, i), so results are identical on every backend and
// platform and any slice of a stream can be regenerated without producing the rest.
import { deviceOp } from "../backend/device.js";
import { type RandomKernel, RandomKind } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import type { DType } from "../dtype.js";
import { DTypeError, ValueError } from "../errors.js";
import { checkShape, numel, type Shape } from "../shape.js";
import type { Device } from "../storage.js";
import { Tensor } from "../tensor.js";
import { logUniform, sinCosTurn } from "./random-math.js";
import { fromF64 } from "./strided.js";

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const TWO32 = 2 ** 32;

/** High 32 bits of the 64-bit product of two u32 (exact: 16-bit halves keep partial sums < 2^53). */
export function mulhi32(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const lh = al * bh;
  const hl = ah * bl;
  const mid = ((al * bl) >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (ah * bh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

/**
 * One Philox4x32 block: encrypts a 4-word counter under a 2-word key. Writes into `out` (4 words).
 *
 * ```ts
 * philox4x32([0, 0, 0, 0], [0, 0]); // Uint32Array [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]
 * ```
 */
export function philox4x32(
  counter: ArrayLike<number>,
  key: ArrayLike<number>,
  rounds = 10,
  out: Uint32Array = new Uint32Array(4),
): Uint32Array {
  let c0 = counter[0]! >>> 0;
  let c1 = counter[1]! >>> 0;
  let c2 = counter[2]! >>> 0;
  let c3 = counter[3]! >>> 0;
  let k0 = key[0]! >>> 0;
  let k1 = key[1]! >>> 0;
  for (let r = 0; r < rounds; r++) {
    if (r > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const hi0 = mulhi32(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi32(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
  return out;
}

function splitU64(v: number, what: string): [number, number] {
  if (!Number.isSafeInteger(v) || v < 0)
    throw new ValueError(`${what} must be a non-negative safe integer, got ${v}`);
  return [v % TWO32, Math.floor(v / TWO32)];
}

/**
 * Fills `n` u32 words of stream (seed, offset): word i is lane i%4 of the block with counter
 * [i/4 (low, high), offset (low, high)] under key [seed low, seed high].
 */
function words(seed: number, offset: number, n: number): Uint32Array {
  const key = splitU64(seed, "seed");
  const [o0, o1] = splitU64(offset, "stream offset");
  const out = new Uint32Array(n);
  const block = new Uint32Array(4);
  const ctr = [0, 0, o0, o1];
  for (let b = 0; b * 4 < n; b++) {
    ctr[0] = b % TWO32;
    ctr[1] = Math.floor(b / TWO32);
    philox4x32(ctr, key, 10, block);
    for (let j = 0; j < 4 && b * 4 + j < n; j++) out[b * 4 + j] = block[j]!;
  }
  return out;
}

/** Mantissa bits of a uniform draw per dtype: every value k * 2^-bits is exact and below 1. */
const UNIFORM_BITS: Partial<Record<DType, number>> = { f64: 32, f32: 24, f16: 11, bf16: 8 };

function uniformValues(w: Uint32Array, dtype: DType): Float64Array {
  const bits = UNIFORM_BITS[dtype];
  if (bits === undefined) throw new DTypeError(`uniform samples need a float dtype, got ${dtype}`);
  const scale = 2 ** -bits;
  const out = new Float64Array(w.length);
  for (let i = 0; i < w.length; i++) out[i] = Math.floor(w[i]! / 2 ** (32 - bits)) * scale;
  return out;
}

// Box-Muller on word pairs (2k, 2k+1): element 2k takes r*cos(theta), element 2k+1 r*sin(theta),
// r = sqrt(-2 log u1) with u1 = (w + 1) / 2^32 in (0, 1] and theta = 2 pi w' / 2^32.
function normalValues(seed: number, offset: number, n: number): Float64Array {
  const w = words(seed, offset, n + (n & 1));
  const out = new Float64Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * logUniform(w[i]!));
    const [c, s] = sinCosTurn(w[i + 1]!);
    out[i] = r * c;
    if (i + 1 < n) out[i + 1] = r * s;
  }
  return out;
}

function checkIntRange(low: number, high: number): void {
  const span = high - low;
  if (!Number.isInteger(low) || !Number.isInteger(high) || span < 1 || span > TWO32) {
    throw new ValueError(
      `randint needs integers low < high with high - low <= 2^32, got [${low}, ${high})`,
    );
  }
}

function intValues(w: Uint32Array, low: number, high: number): Float64Array {
  const span = high - low;
  const out = new Float64Array(w.length);
  // floor(w * span / 2^32) is the high word of an exact 32x32 product: unbiased to within 2^-32.
  for (let i = 0; i < w.length; i++) out[i] = low + (span === TWO32 ? w[i]! : mulhi32(w[i]!, span));
  return out;
}

/**
 * A seeded source of successive draws: draw k uses stream offset k, so the first draw of
 * `new Generator(s)` equals `rand(shape, {seed: s})`.
 *
 * ```ts
 * const g = new Generator(42);
 * const a = g.randn([2, 3]); // stream offset 0
 * const b = g.rand([4]);     // stream offset 1
 * ```
 */
export class Generator {
  readonly seed: number;
  /** Stream offset the next draw uses. */
  offset: number;

  constructor(seed: number, offset = 0) {
    splitU64(seed, "seed");
    this.seed = seed;
    this.offset = offset;
  }

  /** Uniform samples in [0, 1). */
  rand(shape: Shape, dtype: DType = "f32"): Tensor {
    return rand(shape, { seed: this.seed, offset: this.offset++, dtype });
  }

  /** Standard normal samples. */
  randn(shape: Shape, dtype: DType = "f32"): Tensor {
    return randn(shape, { seed: this.seed, offset: this.offset++, dtype });
  }

  /** Integers in [low, high). */
  randint(low: number, high: number, shape: Shape, dtype: DType = "i32"): Tensor {
    return randint(low, high, shape, { seed: this.seed, offset: this.offset++, dtype });
  }
}

let defaultGenerator = new Generator(0);

/**
 * Reseeds the generator used by draws that pass no seed.
 *
 * ```ts
 * manualSeed(7);
 * rand([2]); // same values after every manualSeed(7)
 * ```
 */
export function manualSeed(seed: number): void {
  defaultGenerator = new Generator(seed);
}

/** Options of the sampling functions. Without `seed`, the default generator's next stream is used. */
export interface RandomOptions {
  seed?: number;
  /** Stream offset within the seed (distinct offsets give independent streams). Default 0. */
  offset?: number;
  dtype?: DType;
  /** Where to draw: "cuda" draws on the GPU (the same values, bit for bit). Default "cpu". */
  device?: Device;
}

function stream(opts: RandomOptions): [number, number] {
  if (opts.seed === undefined) return [defaultGenerator.seed, defaultGenerator.offset++];
  const offset = opts.offset ?? 0;
  splitU64(opts.seed, "seed");
  splitU64(offset, "stream offset");
  return [opts.seed, offset];
}

/** The draw from the native kernel (f32 uniforms/normals, i32 integers), or undefined. */
function nativeDraw(
  kind: number,
  shape: Shape,
  dtype: DType,
  seed: number,
  offset: number,
  low = 0,
  span = 1,
  device: Device = "cpu",
): Tensor | undefined {
  if (device === "cuda") return deviceOp("random")(kind, shape, dtype, seed, offset, low, span);
  if (dtype !== (kind === RandomKind.int ? "i32" : "f32")) return undefined;
  const kernel = nativeKernel<RandomKernel>("random");
  if (!kernel) return undefined;
  const out = Tensor.empty(shape, dtype);
  kernel(kind, seed, offset, out.storage.data as Float32Array | Int32Array, low, span);
  return out;
}

/**
 * Uniform samples in [0, 1); element i depends only on (seed, offset, i). Resolution is 2^-24
 * for f32, 2^-32 for f64, 2^-11 for f16 and 2^-8 for bf16 (so no value rounds up to 1).
 *
 * ```ts
 * rand([2, 2], { seed: 1 }).toArray(); // four values in [0, 1), the same on every machine
 * ```
 */
export function rand(shape: Shape, opts: RandomOptions = {}): Tensor {
  checkShape(shape);
  const dtype = opts.dtype ?? "f32";
  const [seed, offset] = stream(opts);
  return (
    nativeDraw(RandomKind.uniform, shape, dtype, seed, offset, 0, 1, opts.device) ??
    fromF64(uniformValues(words(seed, offset, numel(shape)), dtype), shape, dtype)
  );
}

/**
 * Standard normal samples by Box-Muller over the Philox stream.
 *
 * ```ts
 * randn([1000], { seed: 3 }); // mean ~ 0, std ~ 1
 * ```
 */
export function randn(shape: Shape, opts: RandomOptions = {}): Tensor {
  checkShape(shape);
  const dtype = opts.dtype ?? "f32";
  if (UNIFORM_BITS[dtype] === undefined)
    throw new DTypeError(`randn needs a float dtype, got ${dtype}`);
  const [seed, offset] = stream(opts);
  return (
    nativeDraw(RandomKind.normal, shape, dtype, seed, offset, 0, 1, opts.device) ??
    fromF64(normalValues(seed, offset, numel(shape)), shape, dtype)
  );
}

/**
 * Uniform integers in [low, high) (i32 by default).
 *
 * ```ts
 * randint(0, 10, [5], { seed: 0 }).toArray(); // five integers in 0..9
 * ```
 */
export function randint(low: number, high: number, shape: Shape, opts: RandomOptions = {}): Tensor {
  checkShape(shape);
  checkIntRange(low, high);
  const [seed, offset] = stream(opts);
  const dtype = opts.dtype ?? "i32";
  return (
    nativeDraw(RandomKind.int, shape, dtype, seed, offset, low, high - low, opts.device) ??
    fromF64(intValues(words(seed, offset, numel(shape)), low, high), shape, dtype)
  );
}
