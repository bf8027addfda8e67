// GGUF v3 writer: header, typed metadata, tensor infos, then aligned tensor data, written
// atomically and one tensor at a time (a tensor's bytes may be produced on demand).
import * as fs from "node:fs";
import { ValueError, writeFileAtomic } from "@x/tensor";
import {
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_SCALAR_BYTES,
  GGUF_TYPE_ID,
  GGUF_VERSION,
  type GgmlTypeInfo,
  type GgufScalarType,
  type GgufScalarValue,
  type GgufValue,
  ggmlBytes,
} from "./types.js";

/** One tensor to write. `shape` is row-major (outermost first, as in PyTorch). */
export interface GgufTensorSpec {
  name: string;
  shape: readonly number[];
  type: GgmlTypeInfo;
  /** The encoded bytes, or a function that produces them when the tensor is written. */
  data: Uint8Array | (() => Uint8Array);
}

const utf8 = new TextEncoder();

/** Appends little-endian values to a growing byte list. */
class Bytes {
  private chunks: Uint8Array[] = [];
  length = 0;
  private push(b: Uint8Array): void {
    this.chunks.push(b);
    this.length += b.length;
  }
  scalar(type: Exclude<GgufScalarType, "string">, v: GgufScalarValue): void {
    const b = new Uint8Array(GGUF_SCALAR_BYTES[type]);
    const dv = new DataView(b.buffer);
    if (type === "bool") dv.setUint8(0, v ? 1 : 0);
    else if (type === "u64") dv.setBigUint64(0, BigInt(v as number | bigint), true);
    else if (type === "i64") dv.setBigInt64(0, BigInt(v as number | bigint), true);
    else {
      const n = Number(v);
      if (type === "u8") dv.setUint8(0, n);
      else if (type === "i8") dv.setInt8(0, n);
      else if (type === "u16") dv.setUint16(0, n, true);
      else if (type === "i16") dv.setInt16(0, n, true);
      else if (type === "u32") dv.setUint32(0, n, true);
      else if (type === "i32") dv.setInt32(0, n, true);
      else if (type === "f32") dv.setFloat32(0, n, true);
      else dv.setFloat64(0, n, true);
    }
    this.push(b);
  }
  string(s: string): void {
    const b = utf8.encode(s);
    this.scalar("u64", b.length);
    this.push(b);
  }
  value(type: GgufScalarType, v: GgufScalarValue): void {
    if (type === "string") {
      if (typeof v !== "string") throw new ValueError(`gguf: expected a string, got ${typeof v}`);
      this.string(v);
    } else this.scalar(type, v);
  }
  pad(alignment: number): void {
    const r = this.length % alignment;
    if (r) this.push(new Uint8Array(alignment - r));
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

function checkTensor(t: GgufTensorSpec): number {
  if (t.shape.length < 1 || t.shape.length > 4)
    throw new ValueError(`gguf: ${t.name} has ${t.shape.length} dims (1..4)`);
  const count = t.shape.reduce((a, b) => a * b, 1);
  if (t.shape[t.shape.length - 1]! % t.type.blockSize !== 0) {
    throw new ValueError(
      `gguf: ${t.name} rows of ${t.shape.at(-1)} are not whole ${t.type.name} blocks of ${t.type.blockSize}`,
    );
  }
  return ggmlBytes(t.type, count);
}

/**
 * Serializes the header, metadata and tensor infos; returns them and each tensor's offset
 * inside the data section.
 *
 * ```ts
 * const { header } = ggufHeader({ "general.architecture": { type: "string", value: "llama" } }, []);
 * ```
 */
export function ggufHeader(
  metadata: Readonly<Record<string, GgufValue>>,
  tensors: readonly GgufTensorSpec[],
): { header: Uint8Array; offsets: number[]; sizes: number[]; alignment: number } {
  const align = metadata["general.alignment"];
  const alignment = align ? Number(align.value) : GGUF_DEFAULT_ALIGNMENT;
  if (!Number.isInteger(alignment) || alignment <= 0 || alignment % 8 !== 0) {
    throw new ValueError(
      `gguf: general.alignment must be a positive multiple of 8, got ${alignment}`,
    );
  }
  const b = new Bytes();
  b.scalar("u32", GGUF_MAGIC);
  b.scalar("u32", GGUF_VERSION);
  b.scalar("u64", tensors.length);
  const entries = Object.entries(metadata);
  b.scalar("u64", entries.length);
  for (const [key, v] of entries) {
    b.string(key);
    b.scalar("u32", GGUF_TYPE_ID[v.type]);
    if (v.type !== "array") {
      b.value(v.type, v.value);
      continue;
    }
    if (v.itemType === "array") throw new ValueError(`gguf: ${key}: nested arrays are not written`);
    b.scalar("u32", GGUF_TYPE_ID[v.itemType]);
    b.scalar("u64", v.value.length);
    for (const item of v.value as GgufScalarValue[]) b.value(v.itemType, item);
  }
  const offsets: number[] = [];
  const sizes: number[] = [];
  const names = new Set<string>();
  let offset = 0;
  for (const t of tensors) {
    if (names.has(t.name)) throw new ValueError(`gguf: tensor ${t.name} appears twice`);
    names.add(t.name);
    const size = checkTensor(t);
    b.string(t.name);
    b.scalar("u32", t.shape.length);
    for (let d = t.shape.length - 1; d >= 0; d--) b.scalar("u64", t.shape[d]!); // ne[0] is innermost
    b.scalar("u32", t.type.id);
    b.scalar("u64", offset);
    offsets.push(offset);
    sizes.push(size);
    offset += Math.ceil(size / alignment) * alignment;
  }
  b.pad(alignment);
  return { header: b.bytes(), offsets, sizes, alignment };
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length)
    done += fs.writeSync(fd, bytes, done, Math.min(bytes.length - done, 1 << 30));
}

/**
 * Writes a GGUF v3 file atomically (temp file + rename): a failed write leaves any earlier
 * file at `path` intact. `onTensor` is called after each tensor (for progress).
 *
 * ```ts
 * writeGguf("tiny.gguf", { "general.architecture": { type: "string", value: "llama" } },
 *   [{ name: "w", shape: [2, 32], type: ggmlType("f32"), data: new Uint8Array(256) }]);
 * ```
 */
export function writeGguf(
  path: string,
  metadata: Readonly<Record<string, GgufValue>>,
  tensors: readonly GgufTensorSpec[],
  onTensor?: (done: number, total: number, name: string) => void,
): void {
  const { header, sizes, alignment } = ggufHeader(metadata, tensors);
  writeFileAtomic(path, (fd) => {
    writeAll(fd, header);
    tensors.forEach((t, i) => {
      const data = typeof t.data === "function" ? t.data() : t.data;
      if (data.length !== sizes[i]) {
        throw new ValueError(
          `gguf: ${t.name} has ${data.length} bytes, its shape and type need ${sizes[i]}`,
        );
      }
      writeAll(fd, data);
      const pad = (alignment - (data.length % alignment)) % alignment;
      if (pad) writeAll(fd, new Uint8Array(pad));
      onTensor?.(i + 1, tensors.length, t.name);
    });
  });
}
