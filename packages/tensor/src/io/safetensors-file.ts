import * as fs from "node:fs";
import { FormatError, ValueError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import {
  parseSafetensorsHeader,
  readHeaderLength,
  type SafetensorsHeader,
  type SafetensorsReadOptions,
  type SafetensorsTensorInfo,
} from "./safetensors-header.js";
import {
  decodeTensor,
  lookup,
  type SafetensorsContents,
  type SafetensorsLoadOptions,
  type TensorReadOptions,
} from "./safetensors-read.js";

/**
 * Reads exactly `length` bytes at `position` with positioned reads (no shared file cursor).
 * A short read means the file shrank after it was validated.
 */
function readAt(fd: number, length: number, position: number): Uint8Array {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    // Positioned reads are capped below 2 GiB per call on some platforms.
    const chunk = Math.min(length - done, 1 << 30);
    const got = fs.readSync(fd, out, done, chunk, position + done);
    if (got === 0)
      throw new FormatError(`file ended while reading ${length} bytes`, position + done);
    done += got;
  }
  return out;
}

/**
 * An open safetensors file whose tensors are read one at a time, each with a single positioned
 * read of its own byte range, so a 100 GB checkpoint costs only its header until used.
 *
 * ```ts
 * const file = openSafetensors("model.safetensors");
 * try {
 *   const w = file.get("lm_head.weight", { dtype: "f32" });
 * } finally {
 *   file.close();
 * }
 * ```
 */
export class SafetensorsFile {
  readonly path: string;
  readonly size: number;
  private readonly header: SafetensorsHeader;
  private fd: number | undefined;

  /** Use {@link openSafetensors}. */
  constructor(path: string, fd: number, size: number, header: SafetensorsHeader) {
    this.path = path;
    this.fd = fd;
    this.size = size;
    this.header = header;
  }

  /** The `__metadata__` strings of the header. */
  get metadata(): Record<string, string> {
    return this.header.metadata;
  }

  /** Tensor names in file order. */
  keys(): string[] {
    return [...this.header.tensors.keys()];
  }

  /** True when the file holds a tensor called `name`. */
  has(name: string): boolean {
    return this.header.tensors.has(name);
  }

  /** Dtype, shape and absolute byte range of tensor `name` (reads nothing). */
  info(name: string): SafetensorsTensorInfo {
    return lookup(this.header, name, this.path);
  }

  /** Reads tensor `name` (only its bytes). `{dtype: "f32"}` upcasts f16/bf16. */
  get(name: string, opts: TensorReadOptions = {}): Tensor {
    if (this.fd === undefined) throw new ValueError(`${this.path} is closed`);
    const info = this.info(name);
    const [begin, end] = info.byteRange;
    return decodeTensor(info, readAt(this.fd, end - begin, begin), opts);
  }

  /** Closes the file descriptor; later `get` calls throw. Idempotent. */
  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * Opens a safetensors file and validates its header (the data is not read).
 *
 * ```ts
 * const file = openSafetensors("model.safetensors");
 * file.keys(); // ["model.embed_tokens.weight", ...]
 * file.close();
 * ```
 */
export function openSafetensors(path: string, opts: SafetensorsReadOptions = {}): SafetensorsFile {
  const fd = fs.openSync(path, "r");
  try {
    const size = fs.fstatSync(fd).size;
    const len = readHeaderLength(size >= 8 ? readAt(fd, 8, 0) : new Uint8Array(0), size, opts);
    const header = parseSafetensorsHeader(readAt(fd, len, 8), size);
    return new SafetensorsFile(path, fd, size, header);
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}

/**
 * Reads every tensor of a safetensors file.
 *
 * ```ts
 * const { tensors, metadata } = loadSafetensors("model.safetensors", { upcastHalf: true });
 * ```
 */
export function loadSafetensors(
  path: string,
  opts: SafetensorsLoadOptions = {},
): SafetensorsContents {
  const file = openSafetensors(path, opts);
  try {
    const tensors: Record<string, Tensor> = Object.create(null);
    for (const info of file.keys().map((k) => file.info(k))) {
      const half = info.dtype === "f16" || info.dtype === "bf16";
      tensors[info.name] = file.get(info.name, opts.upcastHalf && half ? { dtype: "f32" } : {});
    }
    return { tensors, metadata: file.metadata };
  } finally {
    file.close();
  }
}
