// Reference (js) implementation of ggml's q8_0 and q4_0 blocks, the oracle for native kernels.
// Arithmetic is IEEE f32 as in ggml's C reference (Math.fround after every operation: exact,
// since each f64 result is rounded once more to f32 and f64 has over 2·24 + 2 bits), so the
// bytes match what ggml writes for the same f32 input.

import { f16BitsToF32, f32ToF16Bits } from "../half.js";
import { GGML_BLOCK, GGML_BLOCK_BYTES, type GgmlFormat } from "./qtensor.js";

const fr = Math.fround;

/** C's roundf: half-way cases away from zero. */
function roundAway(v: number): number {
  return v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5);
}

function quantizeQ8_0(src: Float32Array, dst: Uint8Array): void {
  const codes = new Int8Array(dst.buffer, dst.byteOffset, dst.length);
  for (let s = 0, o = 0; s < src.length; s += GGML_BLOCK, o += 34) {
    let amax = 0;
    for (let j = 0; j < GGML_BLOCK; j++) amax = Math.max(amax, Math.abs(src[s + j]!));
    const d = fr(amax / 127);
    const id = d ? fr(1 / d) : 0;
    const h = f32ToF16Bits(d);
    dst[o] = h & 0xff;
    dst[o + 1] = h >>> 8;
    for (let j = 0; j < GGML_BLOCK; j++) codes[o + 2 + j] = roundAway(fr(src[s + j]! * id));
  }
}

function quantizeQ4_0(src: Float32Array, dst: Uint8Array): void {
  for (let s = 0, o = 0; s < src.length; s += GGML_BLOCK, o += 18) {
    // d comes from the signed value of largest magnitude (the first one on ties), so that value
    // maps to code 0 exactly and the opposite extreme to 16, clamped to 15.
    let amax = 0;
    let max = 0;
    for (let j = 0; j < GGML_BLOCK; j++) {
      const v = src[s + j]!;
      if (Math.abs(v) > amax) {
        amax = Math.abs(v);
        max = v;
      }
    }
    const d = fr(max / -8);
    const id = d ? fr(1 / d) : 0;
    const h = f32ToF16Bits(d);
    dst[o] = h & 0xff;
    dst[o + 1] = h >>> 8;
    const code = (v: number) => Math.min(15, Math.trunc(fr(fr(v * id) + 8.5)));
    for (let j = 0; j < 16; j++) dst[o + 2 + j] = code(src[s + j]!) | (code(src[s + 16 + j]!) << 4);
  }
}

/**
 * Quantizes contiguous f32 values (a multiple of 32) into ggml blocks; same contract as the
 * native `QuantizeKernel`. Values must be finite (callers check; ggml does not).
 *
 * ```ts
 * const dst = new Uint8Array(34);
 * quantizeBlocks("q8_0", new Float32Array(32).fill(1), dst); // d = 1/127, codes 127
 * ```
 */
export function quantizeBlocks(format: GgmlFormat, src: Float32Array, dst: Uint8Array): void {
  if (format === "q8_0") quantizeQ8_0(src, dst);
  else quantizeQ4_0(src, dst);
}

/**
 * Decodes ggml blocks to f32; same contract as the native `DequantizeKernel`.
 *
 * ```ts
 * const out = new Float32Array(32);
 * dequantizeBlocks("q4_0", blocks, out);
 * ```
 */
export function dequantizeBlocks(format: GgmlFormat, src: Uint8Array, dst: Float32Array): void {
  const bytes = GGML_BLOCK_BYTES[format];
  const codes = new Int8Array(src.buffer, src.byteOffset, src.length);
  for (let o = 0, t = 0; t < dst.length; o += bytes, t += GGML_BLOCK) {
    const d = blockScale(src, o);
    if (format === "q8_0") {
      for (let j = 0; j < GGML_BLOCK; j++) dst[t + j] = codes[o + 2 + j]! * d;
    } else {
      for (let j = 0; j < 16; j++) {
        const byte = src[o + 2 + j]!;
        dst[t + j] = ((byte & 15) - 8) * d;
        dst[t + 16 + j] = ((byte >>> 4) - 8) * d;
      }
    }
  }
}

/**
 * The f16 scale d of the block starting at byte `offset`, as a number.
 *
 * ```ts
 * blockScale(blocks, 34); // d of the second q8_0 block
 * ```
 */
export function blockScale(blocks: Uint8Array, offset: number): number {
  return f16BitsToF32(blocks[offset]! | (blocks[offset + 1]! << 8));
}
