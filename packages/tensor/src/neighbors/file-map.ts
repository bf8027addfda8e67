// Read-only file mapping and CRC32C for file formats (index files, caches).
import { readFileSync } from "node:fs";
import type { Crc32cKernel, MapFileKernel } from "../backend/kernels.js";
import { nativeKernel } from "../backend/registry.js";

/**
 * Maps a file into memory as an ArrayBuffer (private copy-on-write pages: reading is zero-copy,
 * a write changes only this process's copy). Without the native addon the file is read instead.
 *
 * @example
 * const bytes = new Uint8Array(mapFile("index.xann"));
 */
export function mapFile(path: string): ArrayBuffer {
  const kernel = nativeKernel<MapFileKernel>("mapFile");
  if (kernel) return kernel(path);
  const b = readFileSync(path);
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
}

let table: Uint32Array | undefined;

/**
 * CRC32C (Castagnoli, as in iSCSI and ext4) of `bytes`, continuing from `seed` (0 to start).
 *
 * @example
 * crc32c(new TextEncoder().encode("123456789")); // 0xe3069283
 */
export function crc32c(bytes: Uint8Array, seed = 0): number {
  const kernel = nativeKernel<Crc32cKernel>("crc32c");
  if (kernel) return kernel(bytes, seed >>> 0);
  if (!table) {
    table = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
      let c = i;
      for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
      table[i] = c >>> 0;
    }
  }
  let crc = ~seed >>> 0;
  for (let i = 0; i < bytes.length; i++)
    crc = (table[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8)) >>> 0;
  return ~crc >>> 0;
}
