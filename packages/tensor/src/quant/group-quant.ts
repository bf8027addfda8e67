import type { GroupDequantizeKernel, GroupQuantizeKernel } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";
import { ValueError } from "../errors.js";
import { f16BitsToF32, f32ToF16Bits } from "../half.js";
import { normAxis, type Shape } from "../shape.js";
import { checkGroupShape, type GroupFormat, groupBits, QTensor } from "./qtensor.js";

const fr = Math.fround;
const F16_MAX = 65504;

/**
 * Packs N-bit codes LSB-first into u32 words: code j sits at bits `(j mod (32/N))·N` of word
 * `j ÷ (32/N)`; the unused high bits of the last word are zero.
 *
 * ```ts
 * packCodes(Uint8Array.of(0, 1, 2, 3), 2)[0]; // 0xe4
 * ```
 */
export function packCodes(codes: ArrayLike<number>, bits: 2 | 4 | 8): Uint32Array {
  checkBits("packCodes", bits);
  const per = 32 / bits;
  const out = new Uint32Array(Math.ceil(codes.length / per));
  for (let j = 0; j < codes.length; j++) out[(j / per) | 0]! |= codes[j]! << ((j % per) * bits);
  return out;
}

/**
 * Inverse of {@link packCodes}: the first `count` codes.
 *
 * ```ts
 * unpackCodes(Uint32Array.of(0x76543210), 4, 8); // [0, 1, 2, 3, 4, 5, 6, 7]
 * ```
 */
export function unpackCodes(words: Uint32Array, bits: 2 | 4 | 8, count: number): Uint8Array {
  checkBits("unpackCodes", bits);
  const per = 32 / bits;
  const mask = (1 << bits) - 1;
  const out = new Uint8Array(count);
  for (let j = 0; j < count; j++) out[j] = (words[(j / per) | 0]! >>> ((j % per) * bits)) & mask;
  return out;
}

function checkBits(what: string, bits: number): void {
  if (bits !== 2 && bits !== 4 && bits !== 8)
    throw new ValueError(`${what}: bits must be 2, 4 or 8, got ${bits}`);
}

/** [outer, len, inner] of `shape` around `axis`: groups run along len. */
function around(shape: Shape, axis: number): [number, number, number] {
  const prod = (dims: readonly number[]) => dims.reduce((p, d) => p * d, 1);
  return [prod(shape.slice(0, axis)), shape[axis]!, prod(shape.slice(axis + 1))];
}

/** Options of group quantization. */
export interface GroupQuantizeOptions {
  /** Elements per group (G); must divide the size of `axis`. */
  groupSize: number;
  /**
   * Axis along which groups run and codes are packed (default −1). For KIVI's `[.., T, D]`
   * caches, "per-channel" (keys: G tokens of one channel) is axis −2 and "per-token" (values:
   * G channels of one token) is axis −1.
   */
  axis?: number | "per-channel" | "per-token";
  /** Storage of scales and zeros (default "f16"; "f32" for values beyond ±65504). */
  metaDtype?: "f16" | "f32";
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Next f32 above (dir = 1) or below (dir = −1) a finite f32 value. */
function stepF32(v: number, dir: 1 | -1): number {
  if (v === 0) return dir * 2 ** -149;
  f32[0] = v;
  u32[0]! += v > 0 === dir > 0 ? 1 : -1;
  return f32[0]!;
}

/** Next f16 bit pattern above (dir = 1) or below (dir = −1) a finite one. */
function stepF16(h: number, dir: 1 | -1): number {
  if ((h & 0x7fff) === 0) return dir > 0 ? 0x0001 : 0x8001;
  return ((h & 0x8000) === 0) === dir > 0 ? h + 1 : h - 1;
}

/** The largest (dir −1) or smallest (dir 1) metadata value on the far side of v: [stored, value]. */
function toMeta(v: number, meta: "f16" | "f32", dir: 1 | -1): [number, number] {
  if (meta === "f32") {
    const r = fr(v);
    const out = r === v || r > v === dir > 0 ? r : stepF32(r, dir);
    return [out, out];
  }
  let h = f32ToF16Bits(v);
  const r = f16BitsToF32(h);
  if (r !== v && r > v !== dir > 0) h = stepF16(h, dir);
  return [h, f16BitsToF32(h)];
}

/**
 * Resolves the group axis option against a rank.
 *
 * ```ts
 * groupAxis("per-channel", 4); // 2
 * ```
 */
export function groupAxis(axis: GroupQuantizeOptions["axis"], ndim: number): number {
  const a = axis === "per-channel" ? -2 : axis === "per-token" || axis === undefined ? -1 : axis;
  return normAxis(a, ndim, "group axis");
}

/**
 * Group-asymmetric quantization (KIVI, specs/kivi.md §2.1), bit-exact across backends:
 * per group, z = min, M = max; the stored zero z_h is the largest metadata value ≤ z and the
 * scale s_h the smallest metadata value ≥ (M − z_h)/(2^N − 1) (computed in f64, which is exact
 * enough that the rounding direction is never wrong); then with inv = f32(1/s_h) each code is
 * clamp(roundTiesEven(f32(f32(x − z_h)·inv)), 0, 2^N − 1), so |x − (q·s_h + z_h)| ≤ s_h/2
 * (+ f32 rounding). A constant group (M = z) stores s_h = 0 and codes 0 and dequantizes to z_h
 * (exact when z is representable, e.g. f16 inputs); so does a group whose f32 scale is too
 * small to invert. `values` is the tensor's contiguous data in row-major order.
 *
 * ```ts
 * const q = groupQuantize(values, [1, 2, 64, 8], "u2", { groupSize: 32, axis: "per-channel" });
 * q.scales?.length; // 1 * 2 * 8 * 2
 * ```
 */
export function groupQuantize(
  values: Float32Array,
  shape: Shape,
  format: GroupFormat,
  opts: GroupQuantizeOptions,
): QTensor {
  const bits = groupBits(format);
  const qmax = (1 << bits) - 1;
  const g = opts.groupSize;
  const meta = opts.metaDtype ?? "f16";
  const axis = groupAxis(opts.axis, shape.length);
  checkGroupShape(shape, axis, g);
  const len = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const groups = values.length / g;
  const wpg = Math.ceil((g * bits) / 32);
  const per = 32 / bits;
  const data = new Uint32Array(groups * wpg);
  const scales = meta === "f16" ? new Uint16Array(groups) : new Float32Array(groups);
  const zeros = meta === "f16" ? new Uint16Array(groups) : new Float32Array(groups);
  const limit = meta === "f16" ? F16_MAX : Number.MAX_VALUE;
  const fail = (p: number) =>
    new ValueError(
      `cannot quantize ${values[p]} at element ${p} with ${meta} scale/zero${meta === "f16" ? " (use metaDtype: 'f32')" : ""}`,
    );
  const kernel = nativeKernel<GroupQuantizeKernel>("groupQuantize");
  if (kernel && values.length > 0) {
    const [outer] = around(shape, axis);
    const failure = kernel(values, outer, len, inner, g, bits, data, scales, zeros);
    if (failure?.kind === "value") throw fail(failure.element);
    if (failure) throw wide(failure.group, values, g, len, inner);
    return new QTensor({ format, shape, data, scales, zeros, groupSize: g, axis });
  }
  for (let gi = 0; gi < groups; gi++) {
    const base = groupStart(gi, g, len, inner);
    let z = Number.POSITIVE_INFINITY;
    let m = Number.NEGATIVE_INFINITY;
    for (let e = 0, p = base; e < g; e++, p += inner) {
      const x = values[p]!;
      if (!(Math.abs(x) <= limit)) throw fail(p);
      if (x < z) z = x;
      if (x > m) m = x;
    }
    const [zStored, zh] = toMeta(z, meta, -1);
    zeros[gi] = zStored;
    if (m === z) continue; // scale 0, codes 0
    const [sStored, sh] = toMeta((m - zh) / qmax, meta, 1);
    const inv = fr(1 / sh);
    if (!Number.isFinite(inv)) continue; // an f32 scale below 2^-128: treated as constant
    if (!Number.isFinite(fr(m - zh))) throw wide(gi, values, g, len, inner);
    scales[gi] = sStored;
    const w0 = gi * wpg;
    for (let e = 0, p = base; e < g; e++, p += inner) {
      const q = Math.min(qmax, Math.max(0, roundTiesEven(fr(fr(values[p]! - zh) * inv))));
      data[w0 + ((e / per) | 0)]! |= q << ((e % per) * bits);
    }
  }
  return new QTensor({ format, shape, data, scales, zeros, groupSize: g, axis });
}

/** The error for group gi whose range does not fit f32. */
function wide(gi: number, values: Float32Array, g: number, len: number, inner: number): ValueError {
  let z = Number.POSITIVE_INFINITY;
  let m = Number.NEGATIVE_INFINITY;
  for (let e = 0, p = groupStart(gi, g, len, inner); e < g; e++, p += inner) {
    z = Math.min(z, values[p]!);
    m = Math.max(m, values[p]!);
  }
  return new ValueError(`group ${gi} spans [${z}, ${m}], too wide for f32`);
}

/**
 * Decodes a group-quantized tensor to f32 values in row-major order: x = f32(q·s_h) + z_h.
 *
 * ```ts
 * const values = groupDequantize(q); // Float32Array of q.size
 * ```
 */
export function groupDequantize(q: QTensor): Float32Array {
  const bits = groupBits(q.format as GroupFormat);
  const { groupSize: g, axis, shape } = q;
  const words = q.data as Uint32Array;
  const half = q.scales instanceof Uint16Array;
  const len = shape[axis]!;
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1);
  const wpg = Math.ceil((g * bits) / 32);
  const per = 32 / bits;
  const mask = (1 << bits) - 1;
  const out = new Float32Array(q.size);
  const kernel = nativeKernel<GroupDequantizeKernel>("groupDequantize");
  if (kernel && out.length > 0) {
    const [outer] = around(shape, axis);
    kernel(words, q.scales!, q.zeros!, outer, len, inner, g, bits, out);
    return out;
  }
  const groups = q.size / g;
  for (let gi = 0; gi < groups; gi++) {
    const s = half ? f16BitsToF32(q.scales![gi]!) : q.scales![gi]!;
    const z = half ? f16BitsToF32(q.zeros![gi]!) : q.zeros![gi]!;
    const base = groupStart(gi, g, len, inner);
    for (let e = 0, p = base; e < g; e++, p += inner) {
      const code = (words[gi * wpg + ((e / per) | 0)]! >>> ((e % per) * bits)) & mask;
      out[p] = fr(code * s) + z;
    }
  }
  return out;
}

/**
 * Flat index of the first element of group `gi`, whose elements then follow every `inner`
 * positions. Group gi is group gi mod (len/g) of row gi ÷ (len/g); a row is an (outer, inner)
 * index pair of the shape with the group axis (of size len) removed.
 */
function groupStart(gi: number, g: number, len: number, inner: number): number {
  const perRow = len / g;
  const row = (gi / perRow) | 0;
  return ((row / inner) | 0) * len * inner + (gi % perRow) * g * inner + (row % inner);
}

/** nearbyint in the default rounding mode: half-way cases to even. */
function roundTiesEven(v: number): number {
  const f = Math.floor(v);
  const diff = v - f;
  if (diff !== 0.5) return diff < 0.5 ? f : f + 1;
  return f % 2 === 0 ? f : f + 1;
}
