import { typedView } from "../dtype.js";
import { DTypeError, FormatError, IndexError } from "../errors.js";
import { bf16BitsToF32, f16BitsToF32 } from "../half.js";
import { numel } from "../shape.js";
import { Tensor } from "../tensor.js";
import {
  parseSafetensorsHeader,
  readHeaderLength,
  type SafetensorsHeader,
  type SafetensorsReadOptions,
  type SafetensorsTensorInfo,
} from "./safetensors-header.js";

/** Per-tensor read options. */
export interface TensorReadOptions {
  /** "f32": return f16/bf16 (and f32) tensors as f32; any other stored dtype is a DTypeError. */
  dtype?: "f32";
}

/** Options of the whole-file readers. */
export interface SafetensorsLoadOptions extends SafetensorsReadOptions {
  /** Decode every f16/bf16 tensor to f32; other dtypes are returned as stored. */
  upcastHalf?: boolean;
}

/**
 * Every tensor of a safetensors file plus its `__metadata__`. `tensors` has a null prototype,
 * so any tensor name (even "__proto__") is an ordinary key.
 *
 * ```ts
 * const { tensors, metadata } = readSafetensors(bytes);
 * tensors["embed.weight"]?.shape;
 * ```
 */
export interface SafetensorsContents {
  readonly tensors: Record<string, Tensor>;
  readonly metadata: Record<string, string>;
}

/**
 * Builds a tensor from its raw little-endian bytes. `bytes` must be exactly the tensor's bytes
 * in a buffer this tensor may own, starting at a multiple of the element size.
 *
 * ```ts
 * const t = decodeTensor(file.info("w"), rawBytes, { dtype: "f32" });
 * ```
 */
export function decodeTensor(
  info: SafetensorsTensorInfo,
  bytes: Uint8Array,
  opts: TensorReadOptions = {},
): Tensor {
  const { dtype, shape, name } = info;
  if (dtype === undefined) {
    throw new DTypeError(
      `tensor "${name}" has dtype ${info.dtypeName}, which @x/tensor does not support`,
    );
  }
  const n = numel(shape);
  const data = typedView(dtype, bytes.buffer, bytes.byteOffset, n);
  if (dtype === "bool") {
    const bad = (data as Uint8Array).findIndex((b) => b > 1);
    if (bad >= 0)
      throw new FormatError(
        `tensor "${name}": BOOL byte ${data[bad]} is not 0 or 1`,
        info.byteRange[0] + bad,
      );
  }
  if (opts.dtype === "f32" && dtype !== "f32") {
    if (dtype !== "f16" && dtype !== "bf16") {
      throw new DTypeError(
        `tensor "${name}" is ${dtype}; only f16, bf16 and f32 can be read as f32`,
      );
    }
    const decode = dtype === "f16" ? f16BitsToF32 : bf16BitsToF32;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = decode(data[i]!);
    return Tensor.wrap(out, shape, "f32");
  }
  return Tensor.wrap(data, shape, dtype);
}

/**
 * Parses a complete safetensors file held in memory. Tensors get their own aligned copies of
 * their bytes, so `bytes` may be released afterwards.
 *
 * ```ts
 * const { tensors } = readSafetensors(new Uint8Array(await readFile("model.safetensors")));
 * ```
 */
export function readSafetensors(
  bytes: Uint8Array,
  opts: SafetensorsLoadOptions = {},
): SafetensorsContents {
  const header = parseBuffer(bytes, opts);
  const tensors: Record<string, Tensor> = Object.create(null);
  const tensorOpts: TensorReadOptions = {};
  for (const info of header.tensors.values()) {
    const [begin, end] = info.byteRange;
    // slice() copies into a fresh buffer: aligned for any element size, independent of `bytes`.
    const own = bytes.slice(begin, end);
    tensorOpts.dtype =
      opts.upcastHalf && (info.dtype === "f16" || info.dtype === "bf16") ? "f32" : undefined;
    tensors[info.name] = decodeTensor(info, own, tensorOpts);
  }
  return { tensors, metadata: header.metadata };
}

/**
 * Parses and validates only the header of an in-memory file.
 *
 * ```ts
 * const { tensors } = parseBuffer(bytes);
 * [...tensors.keys()];
 * ```
 */
export function parseBuffer(
  bytes: Uint8Array,
  opts: SafetensorsReadOptions = {},
): SafetensorsHeader {
  const len = readHeaderLength(bytes.subarray(0, 8), bytes.length, opts);
  return parseSafetensorsHeader(bytes.subarray(8, 8 + len), bytes.length);
}

/** Looks a tensor up by name, with an error listing a few known names. */
export function lookup(
  header: SafetensorsHeader,
  name: string,
  where: string,
): SafetensorsTensorInfo {
  const info = header.tensors.get(name);
  if (!info) {
    const known = [...header.tensors.keys()].slice(0, 5).join(", ");
    throw new IndexError(
      `no tensor "${name}" in ${where} (it has ${header.tensors.size}, e.g. ${known})`,
    );
  }
  return info;
}
