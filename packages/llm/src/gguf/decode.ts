// GGUF tensor bytes -> f32 values, for the types this module writes (plus bf16).
import { bf16BitsToF32, dequantizeBlocks, f16BitsToF32, ValueError } from "@x/tensor";
import type { GgufTensorInfo } from "./read.js";

/**
 * Decodes a tensor's raw bytes (see `readGgufTensor`) to f32 in row-major order.
 *
 * ```ts
 * const w = decodeGgufTensor(info, readGgufTensor("model.gguf", info)); // Float32Array
 * ```
 */
export function decodeGgufTensor(info: GgufTensorInfo, bytes: Uint8Array): Float32Array {
  if (bytes.length !== info.nbytes)
    throw new ValueError(`gguf: ${info.name} needs ${info.nbytes} bytes, got ${bytes.length}`);
  const n = info.shape.reduce((a, b) => a * b, 1);
  const out = new Float32Array(n);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (info.type.name) {
    case "f32":
      for (let i = 0; i < n; i++) out[i] = dv.getFloat32(4 * i, true);
      return out;
    case "f16":
      for (let i = 0; i < n; i++) out[i] = f16BitsToF32(dv.getUint16(2 * i, true));
      return out;
    case "bf16":
      for (let i = 0; i < n; i++) out[i] = bf16BitsToF32(dv.getUint16(2 * i, true));
      return out;
    case "q8_0":
    case "q4_0":
      dequantizeBlocks(info.type.name, bytes, out);
      return out;
    default:
      throw new ValueError(
        `gguf: decoding ${info.type.name} (${info.name}) is not supported (f32, f16, bf16, q8_0, q4_0)`,
      );
  }
}
