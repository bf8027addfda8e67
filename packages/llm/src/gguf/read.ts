// GGUF reader with strict validation: every malformed field is a FormatError naming its byte
// offset. Only the header is read eagerly; tensor data is read on demand.
import * as fs from "node:fs";
import { FormatError } from "@x/tensor";
import {
  GGML_TYPES,
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_SCALAR_BYTES,
  GGUF_TYPE_ID,
  type GgmlTypeInfo,
  type GgufScalarType,
  type GgufScalarValue,
  type GgufValue,
  ggmlBytes,
} from "./types.js";

/** A tensor described by the header. `shape` is row-major (outermost first). */
export interface GgufTensorInfo {
  name: string;
  shape: number[];
  type: GgmlTypeInfo;
  /** Absolute byte offset of the data in the file. */
  offset: number;
  nbytes: number;
}

/** A parsed GGUF header. */
export interface GgufFile {
  version: number;
  metadata: Map<string, GgufValue>;
  tensors: GgufTensorInfo[];
  alignment: number;
  /** Absolute offset of the data section. */
  dataOffset: number;
  fileSize: number;
}

const TYPE_BY_ID = new Map(
  Object.entries(GGUF_TYPE_ID).map(([k, v]) => [v, k as GgufScalarType | "array"]),
);
const MAX_STRING = 1 << 30;
const MAX_COUNT = 2 ** 40;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Signals that the buffer ends before the header does (the caller reads more and retries). */
class NeedMore extends Error {}

class Cursor {
  pos = 0;
  private readonly dv: DataView;
  constructor(
    private readonly buf: Uint8Array,
    private readonly complete: boolean,
  ) {
    this.dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }
  need(n: number, what: string): void {
    if (this.pos + n <= this.buf.length) return;
    if (!this.complete) throw new NeedMore();
    throw new FormatError(`gguf: file ends inside ${what}`, this.pos);
  }
  u32(what: string): number {
    this.need(4, what);
    const v = this.dv.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  u64(what: string): number {
    this.need(8, what);
    const v = this.dv.getBigUint64(this.pos, true);
    if (v > BigInt(Number.MAX_SAFE_INTEGER))
      throw new FormatError(`gguf: ${what} ${v} is too large`, this.pos);
    this.pos += 8;
    return Number(v);
  }
  string(what: string): string {
    const at = this.pos;
    const n = this.u64(`${what} length`);
    if (n > MAX_STRING) throw new FormatError(`gguf: ${what} length ${n} is implausible`, at);
    this.need(n, what);
    const bytes = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    try {
      return utf8.decode(bytes);
    } catch {
      throw new FormatError(`gguf: ${what} is not valid UTF-8`, at + 8);
    }
  }
  scalar(type: GgufScalarType, what: string): GgufScalarValue {
    if (type === "string") return this.string(what);
    const n = GGUF_SCALAR_BYTES[type];
    this.need(n, what);
    const p = this.pos;
    this.pos += n;
    const dv = this.dv;
    switch (type) {
      case "u8":
        return dv.getUint8(p);
      case "i8":
        return dv.getInt8(p);
      case "u16":
        return dv.getUint16(p, true);
      case "i16":
        return dv.getInt16(p, true);
      case "u32":
        return dv.getUint32(p, true);
      case "i32":
        return dv.getInt32(p, true);
      case "f32":
        return dv.getFloat32(p, true);
      case "f64":
        return dv.getFloat64(p, true);
      case "u64":
        return dv.getBigUint64(p, true);
      case "i64":
        return dv.getBigInt64(p, true);
      default: {
        const b = dv.getUint8(p);
        if (b > 1) throw new FormatError(`gguf: ${what} bool is ${b}, not 0 or 1`, p);
        return b === 1;
      }
    }
  }
  valueType(what: string): GgufScalarType | "array" {
    const at = this.pos;
    const id = this.u32(what);
    const t = TYPE_BY_ID.get(id);
    if (!t) throw new FormatError(`gguf: ${what} has unknown value type ${id}`, at);
    return t;
  }
  value(type: GgufScalarType | "array", what: string): GgufValue {
    if (type !== "array") return { type, value: this.scalar(type, what) };
    const itemType = this.valueType(`${what} item type`);
    const at = this.pos;
    const count = this.u64(`${what} count`);
    if (count > MAX_COUNT) throw new FormatError(`gguf: ${what} count ${count} is implausible`, at);
    if (itemType === "array") {
      const items: GgufValue[] = [];
      for (let i = 0; i < count; i++) items.push(this.value("array", `${what}[${i}]`));
      return { type: "array", itemType, value: items };
    }
    const items: GgufScalarValue[] = [];
    for (let i = 0; i < count; i++) items.push(this.scalar(itemType, `${what}[${i}]`));
    return { type: "array", itemType, value: items };
  }
}

function parse(buf: Uint8Array, complete: boolean, fileSize: number): GgufFile {
  const c = new Cursor(buf, complete);
  if (c.u32("magic") !== GGUF_MAGIC) throw new FormatError("gguf: bad magic (not a GGUF file)", 0);
  const version = c.u32("version");
  if (version !== 2 && version !== 3)
    throw new FormatError(`gguf: version ${version} is not supported (2 or 3)`, 4);
  const nTensors = c.u64("tensor count");
  const nKv = c.u64("metadata count");
  if (nTensors > 1 << 24) throw new FormatError(`gguf: tensor count ${nTensors} is implausible`, 8);
  if (nKv > 1 << 24) throw new FormatError(`gguf: metadata count ${nKv} is implausible`, 16);
  const metadata = new Map<string, GgufValue>();
  for (let i = 0; i < nKv; i++) {
    const at = c.pos;
    const key = c.string(`metadata key ${i}`);
    if (metadata.has(key)) throw new FormatError(`gguf: metadata key ${key} appears twice`, at);
    metadata.set(key, c.value(c.valueType(`value type of ${key}`), key));
  }
  let alignment = GGUF_DEFAULT_ALIGNMENT;
  const a = metadata.get("general.alignment");
  if (a) {
    if (a.type !== "u32" || Number(a.value) <= 0 || Number(a.value) % 8 !== 0) {
      throw new FormatError(
        `gguf: general.alignment must be a u32 multiple of 8, got ${a.type} ${String(a.value)}`,
        24,
      );
    }
    alignment = Number(a.value);
  }
  const raw: { name: string; shape: number[]; type: GgmlTypeInfo; rel: number; at: number }[] = [];
  const names = new Set<string>();
  for (let i = 0; i < nTensors; i++) {
    const at = c.pos;
    const name = c.string(`tensor ${i} name`);
    if (names.has(name)) throw new FormatError(`gguf: tensor ${name} appears twice`, at);
    names.add(name);
    const nd = c.u32(`${name} dims`);
    if (nd < 1 || nd > 4) throw new FormatError(`gguf: ${name} has ${nd} dims (1..4)`, c.pos - 4);
    const ne: number[] = [];
    for (let d = 0; d < nd; d++) {
      const v = c.u64(`${name} ne[${d}]`);
      if (v < 1) throw new FormatError(`gguf: ${name} ne[${d}] is ${v}`, c.pos - 8);
      ne.push(v);
    }
    const tid = c.u32(`${name} type`);
    const type = GGML_TYPES.get(tid);
    if (!type) throw new FormatError(`gguf: ${name} has unsupported ggml type ${tid}`, c.pos - 4);
    if (ne[0]! % type.blockSize !== 0) {
      throw new FormatError(
        `gguf: ${name} ne[0] ${ne[0]} is not a multiple of the ${type.name} block ${type.blockSize}`,
        c.pos - 4,
      );
    }
    const rel = c.u64(`${name} offset`);
    if (rel % alignment !== 0)
      throw new FormatError(
        `gguf: ${name} offset ${rel} is not aligned to ${alignment}`,
        c.pos - 8,
      );
    raw.push({ name, shape: ne.reverse(), type, rel, at: c.pos - 8 });
  }
  const dataOffset = Math.ceil(c.pos / alignment) * alignment;
  const tensors = raw.map((r) => {
    const nbytes = ggmlBytes(
      r.type,
      r.shape.reduce((x, y) => x * y, 1),
    );
    const offset = dataOffset + r.rel;
    if (offset + nbytes > fileSize) {
      throw new FormatError(
        `gguf: ${r.name} data [${offset}, ${offset + nbytes}) runs past the end of the file (${fileSize} bytes)`,
        r.at,
      );
    }
    return { name: r.name, shape: r.shape, type: r.type, offset, nbytes, at: r.at };
  });
  const sorted = [...tensors].sort((x, y) => x.offset - y.offset);
  for (let i = 1; i < sorted.length; i++) {
    const p = sorted[i - 1]!;
    if (p.offset + p.nbytes > sorted[i]!.offset) {
      throw new FormatError(
        `gguf: tensors ${p.name} and ${sorted[i]!.name} overlap`,
        sorted[i]!.at,
      );
    }
  }
  return {
    version,
    metadata,
    tensors: tensors.map(({ at: _, ...t }) => t),
    alignment,
    dataOffset,
    fileSize,
  };
}

/**
 * Parses a GGUF buffer (a whole file in memory).
 *
 * ```ts
 * const g = parseGguf(fs.readFileSync("model.gguf"));
 * g.metadata.get("general.architecture")?.value; // "llama"
 * ```
 */
export function parseGguf(bytes: Uint8Array): GgufFile {
  return parse(bytes, true, bytes.length);
}

/**
 * Reads the header of a GGUF file (growing the read until the header fits); tensor data stays
 * on disk (see {@link readGgufTensor}).
 *
 * ```ts
 * const g = readGguf("model.gguf");
 * g.tensors.map((t) => `${t.name} ${t.type.name} [${t.shape}]`);
 * ```
 */
export function readGguf(path: string): GgufFile {
  const fd = fs.openSync(path, "r");
  try {
    const size = fs.fstatSync(fd).size;
    for (let n = Math.min(size, 1 << 20); ; n = Math.min(size, n * 4)) {
      const buf = new Uint8Array(n);
      fs.readSync(fd, buf, 0, n, 0);
      try {
        return parse(buf, n === size, size);
      } catch (err) {
        if (!(err instanceof NeedMore)) throw err;
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The raw bytes of one tensor of a GGUF file.
 *
 * ```ts
 * const bytes = readGgufTensor("model.gguf", g.tensors[0]);
 * ```
 */
export function readGgufTensor(path: string, info: GgufTensorInfo): Uint8Array {
  const fd = fs.openSync(path, "r");
  try {
    const buf = new Uint8Array(info.nbytes);
    const got = fs.readSync(fd, buf, 0, info.nbytes, info.offset);
    if (got !== info.nbytes)
      throw new FormatError(`gguf: ${info.name} is truncated`, info.offset + got);
    return buf;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * True when `path` is a file that starts with the GGUF magic (what `loadModel` and the CLI
 * check to treat a model path as a GGUF file rather than a Hugging Face folder).
 *
 * ```ts
 * isGgufFile("smollm2-q8_0.gguf"); // true
 * isGgufFile("./SmolLM2-135M");    // false (a folder)
 * ```
 */
export function isGgufFile(path: string): boolean {
  try {
    if (!fs.statSync(path).isFile()) return false;
    const fd = fs.openSync(path, "r");
    try {
      const b = new Uint8Array(4);
      if (fs.readSync(fd, b, 0, 4, 0) !== 4) return false;
      return new DataView(b.buffer).getUint32(0, true) === GGUF_MAGIC;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}
