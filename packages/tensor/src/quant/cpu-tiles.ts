// The CPU tile layout of ggml weights (defined in native/src/quant/quant.h): rows in tiles of 16,
// the last padded with zero rows; a tile holds its rows' block b side by side for b = 0, 1, ...:
// first the codes, dword c (4 code bytes) of row r at byte 64·c + 4·r, then the 16 f16 scales in
// row order. q4_0 keeps its code bytes; q8_0 codes are stored plus 128 (xor 0x80). The native
// kernel then takes one W row per int32 lane and never reduces across lanes.

import type { MoveTilesKernel } from "../backend/kernels.js";
import { loadNative } from "../backend/native.js";
import { getBackend, hasKernel, nativeKernel } from "../backend/registry.js";
import { GGML_BLOCK, GGML_BLOCK_BYTES, type GgmlFormat } from "./qtensor.js";

/** W rows per tile. */
export const TILE_ROWS = 16;

/**
 * Bytes of an [n, k] weight in the tile layout (n rounded up to whole tiles).
 *
 * ```ts
 * tileBytes("q4_0", 20, 64); // 2 tiles x 16 rows x 2 blocks x 18 bytes = 1152
 * ```
 */
export function tileBytes(format: GgmlFormat, n: number, k: number): number {
  return Math.ceil(n / TILE_ROWS) * TILE_ROWS * (k / GGML_BLOCK) * GGML_BLOCK_BYTES[format];
}

/**
 * Whether weights are better kept as tiles here: the native CPU backend is active and its ISA
 * has a SIMD tile kernel (AVX-512 VNNI). Other ISAs run tiles through a plain reference loop
 * (correct, slower than their row kernels), and the js backend would rebuild the row-major
 * blocks for every product.
 *
 * ```ts
 * const w = nativeTiles() ? quantize(weight, "q4_0").toTiles() : quantize(weight, "q4_0");
 * ```
 */
export function nativeTiles(): boolean {
  const isa = loadNative()?.isa();
  return (
    getBackend() === "cpu" &&
    hasKernel("qmatmulTiles", "cpu") &&
    (isa === "avx512" || isa === "avx2")
  );
}

/** Copies every code and scale byte between the row-major blocks and the tiles (the js backend's copy, and the reference of the native one). */
function move(
  format: GgmlFormat,
  n: number,
  k: number,
  rows: Uint8Array,
  tiles: Uint8Array,
  pack: boolean,
): void {
  const bb = GGML_BLOCK_BYTES[format];
  const codes = bb - 2;
  const nb = k / GGML_BLOCK;
  const flip = format === "q8_0" ? 0x80 : 0;
  for (let row = 0; row < n; row++) {
    const r = row % TILE_ROWS;
    const tile = (row - r) * nb * bb;
    for (let b = 0; b < nb; b++) {
      const src = (row * nb + b) * bb;
      const dst = tile + b * TILE_ROWS * bb;
      const scale = dst + TILE_ROWS * codes + 2 * r;
      for (let j = 0; j < codes; j++) {
        const t = dst + 64 * (j >> 2) + 4 * r + (j & 3);
        if (pack) tiles[t] = rows[src + 2 + j]! ^ flip;
        else rows[src + 2 + j] = tiles[t]! ^ flip;
      }
      if (pack) {
        tiles[scale] = rows[src]!;
        tiles[scale + 1] = rows[src + 1]!;
      } else {
        rows[src] = tiles[scale]!;
        rows[src + 1] = tiles[scale + 1]!;
      }
    }
  }
}

/**
 * Row-major ggml blocks of an [n, k] weight in the tile layout (padding rows zero).
 *
 * ```ts
 * const tiles = packTiles("q4_0", q.data as Uint8Array, n, k);
 * ```
 */
export function packTiles(format: GgmlFormat, rows: Uint8Array, n: number, k: number): Uint8Array {
  const tiles = new Uint8Array(tileBytes(format, n, k));
  const native = nativeKernel<MoveTilesKernel>("packTiles");
  if (native) native(format, rows, tiles, n, k);
  else move(format, n, k, rows, tiles, true);
  return tiles;
}

/**
 * The row-major ggml blocks of an [n, k] weight stored in the tile layout (inverse of packTiles).
 *
 * ```ts
 * unpackTiles("q4_0", packTiles("q4_0", blocks, n, k), n, k); // equals blocks
 * ```
 */
export function unpackTiles(
  format: GgmlFormat,
  tiles: Uint8Array,
  n: number,
  k: number,
): Uint8Array {
  const rows = new Uint8Array((n * k * GGML_BLOCK_BYTES[format]) / GGML_BLOCK);
  const native = nativeKernel<MoveTilesKernel>("unpackTiles");
  if (native) native(format, tiles, rows, n, k);
  else move(format, n, k, rows, tiles, false);
  return rows;
}
