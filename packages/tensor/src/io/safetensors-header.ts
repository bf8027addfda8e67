import type { DType } from "../dtype.js";
import { FormatError } from "../errors.js";
import { type KeyOffsets, parseJsonBytes } from "./json-bytes.js";
import { dtypeFromSafetensors, SAFETENSORS_DTYPE_BYTES } from "./safetensors-dtype.js";

/** The largest JSON header accepted unless configured otherwise (the reference implementation's limit). */
export const DEFAULT_MAX_HEADER_BYTES = 100 * 1024 * 1024;

/** Options shared by every safetensors reader. */
export interface SafetensorsReadOptions {
  /** Largest accepted JSON header in bytes (default {@link DEFAULT_MAX_HEADER_BYTES}). */
  maxHeaderBytes?: number;
}

/**
 * What the header says about one tensor. `dtype` is undefined for dtypes @x/tensor cannot hold
 * (I64, U16, F8_E4M3...); such tensors are validated but reading them throws a DTypeError.
 * `byteRange` is absolute within the file: `[begin, end)`.
 *
 * ```ts
 * file.info("lm_head.weight"); // {name, dtypeName: "BF16", dtype: "bf16", shape: [32000, 4096], byteRange: [..]}
 * ```
 */
export interface SafetensorsTensorInfo {
  readonly name: string;
  readonly dtypeName: string;
  readonly dtype: DType | undefined;
  readonly shape: readonly number[];
  readonly byteRange: readonly [number, number];
}

/**
 * A validated header: tensors in file order, metadata, and where the data section starts.
 *
 * ```ts
 * const h = parseSafetensorsHeader(bytes.subarray(8, 8 + len), bytes.length);
 * h.dataStart; // 8 + len
 * ```
 */
export interface SafetensorsHeader {
  readonly tensors: Map<string, SafetensorsTensorInfo>;
  readonly metadata: Record<string, string>;
  readonly dataStart: number;
}

/**
 * Reads and checks the 8-byte little-endian header length against the file size and the limit.
 *
 * ```ts
 * const len = readHeaderLength(first8Bytes, fileSize); // throws FormatError at offset 0 if bad
 * ```
 */
export function readHeaderLength(
  prefix: Uint8Array,
  fileSize: number,
  opts: SafetensorsReadOptions = {},
): number {
  const limit = opts.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES;
  if (prefix.length < 8 || fileSize < 8) {
    throw new FormatError(`file of ${fileSize} bytes is too short for the 8-byte header length`, 0);
  }
  const n = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(limit))
    throw new FormatError(`header length ${n} exceeds the limit of ${limit} bytes`, 0);
  if (8n + n > BigInt(fileSize)) {
    throw new FormatError(`header length ${n} runs past the end of the ${fileSize}-byte file`, 0);
  }
  return Number(n);
}

const SPACE = 0x20;
const FIELDS = new Set(["dtype", "shape", "data_offsets"]);

/**
 * Parses and validates the JSON header (the bytes after the length field) of a file of
 * `fileSize` bytes. Every failure is a FormatError carrying the absolute byte offset of the
 * header field or data region at fault.
 *
 * ```ts
 * const len = readHeaderLength(bytes, bytes.length);
 * const header = parseSafetensorsHeader(bytes.subarray(8, 8 + len), bytes.length);
 * ```
 */
export function parseSafetensorsHeader(header: Uint8Array, fileSize: number): SafetensorsHeader {
  const base = 8;
  let end = header.length;
  while (end > 0 && header[end - 1] === SPACE) end--; // the format allows trailing spaces only
  if (header[0] !== 0x7b) throw new FormatError("header must start with '{'", base);
  if (header[end - 1] !== 0x7d) {
    throw new FormatError(
      "header must end with '}' followed only by space padding",
      base + end - 1,
    );
  }
  const { value: parsed, keys: offsets } = parseJsonBytes(header.subarray(0, end), base);
  if (!isObject(parsed)) throw new FormatError("header must be a JSON object", base);
  const dataStart = base + header.length;
  const dataLength = fileSize - dataStart;
  let metadata: Record<string, string> = {};
  const tensors: SafetensorsTensorInfo[] = [];
  for (const [name, value] of Object.entries(parsed)) {
    const at = offsets.get(name) ?? { at: base, fields: new Map<string, number>() };
    if (name === "__metadata__") metadata = checkMetadata(value, at);
    else tensors.push(checkEntry(name, value, at, dataStart, dataLength));
  }
  tensors.sort((a, b) => a.byteRange[0] - b.byteRange[0] || a.byteRange[1] - b.byteRange[1]);
  let expected = dataStart;
  for (const t of tensors) {
    const [begin, stop] = t.byteRange;
    if (begin < expected)
      throw new FormatError(`tensor "${t.name}" overlaps the previous tensor`, begin);
    if (begin > expected)
      throw new FormatError(`gap of ${begin - expected} bytes before tensor "${t.name}"`, expected);
    expected = stop;
  }
  if (expected !== fileSize) {
    throw new FormatError(
      `${fileSize - expected} bytes after the last tensor are not covered by the header`,
      expected,
    );
  }
  return { tensors: new Map(tensors.map((t) => [t.name, t])), metadata, dataStart };
}

function checkMetadata(value: unknown, at: KeyOffsets): Record<string, string> {
  if (!isObject(value)) throw new FormatError("__metadata__ must be an object of strings", at.at);
  const out: Record<string, string> = Object.create(null);
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== "string") {
      throw new FormatError(
        `__metadata__ value of ${JSON.stringify(k)} is not a string`,
        at.fields.get(k) ?? at.at,
      );
    }
    out[k] = v;
  }
  return out;
}

function checkEntry(
  name: string,
  value: unknown,
  at: KeyOffsets,
  dataStart: number,
  dataLength: number,
): SafetensorsTensorInfo {
  const fail = (msg: string, field?: string): never => {
    throw new FormatError(`tensor "${name}": ${msg}`, (field && at.fields.get(field)) || at.at);
  };
  if (!isObject(value)) return fail("entry must be an object");
  for (const k of Object.keys(value)) if (!FIELDS.has(k)) fail(`unknown field "${k}"`, k);
  for (const k of FIELDS) if (!(k in value)) fail(`missing field "${k}"`);
  const { dtype: dtypeName, shape, data_offsets: range } = value;
  if (typeof dtypeName !== "string" || !Object.hasOwn(SAFETENSORS_DTYPE_BYTES, dtypeName)) {
    return fail(`unknown dtype ${JSON.stringify(dtypeName)}`, "dtype");
  }
  if (!Array.isArray(shape) || !shape.every(isSize))
    return fail("shape must be an array of non-negative integers", "shape");
  if (!Array.isArray(range) || range.length !== 2 || !range.every(isSize)) {
    return fail("data_offsets must be [begin, end] with non-negative integers", "data_offsets");
  }
  const [begin, end] = range as [number, number];
  let nbytes = SAFETENSORS_DTYPE_BYTES[dtypeName]!;
  for (const d of shape as number[]) nbytes *= d;
  if (!Number.isSafeInteger(nbytes))
    return fail(`shape [${shape.join(", ")}] is too large`, "shape");
  if (end < begin)
    return fail(`data_offsets [${begin}, ${end}] end before they begin`, "data_offsets");
  if (end - begin !== nbytes) {
    return fail(
      `data_offsets [${begin}, ${end}] hold ${end - begin} bytes but ${dtypeName} [${shape.join(", ")}] needs ${nbytes}`,
      "data_offsets",
    );
  }
  if (end > dataLength) {
    return fail(
      `data_offsets [${begin}, ${end}] run past the ${dataLength}-byte data section`,
      "data_offsets",
    );
  }
  return {
    name,
    dtypeName,
    dtype: dtypeFromSafetensors(dtypeName),
    shape: Object.freeze([...(shape as number[])]),
    byteRange: Object.freeze([dataStart + begin, dataStart + end]) as readonly [number, number],
  };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function isSize(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}
