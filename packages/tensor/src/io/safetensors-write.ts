import { ValueError } from "../errors.js";
import type { Tensor } from "../tensor.js";
import { writeAll, writeFileAtomic } from "./atomic-write.js";
import { dtypeToSafetensors } from "./safetensors-dtype.js";

interface Plan {
  /** Length field, JSON and space padding: the data section starts at `header.length`. */
  readonly header: Uint8Array;
  readonly names: readonly string[];
  readonly dataBytes: number;
}

const encoder = new TextEncoder();

/**
 * Lays out a file deterministically: `__metadata__` first, then tensors sorted by name (UTF-16
 * code unit order) with data in the same order, compact JSON built key by key (JSON.stringify
 * would move integer-like keys first), and spaces padding the header so data starts at a
 * multiple of 8 bytes.
 */
function plan(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Plan {
  const parts: string[] = [];
  if (metadata && Object.keys(metadata).length > 0) {
    const meta = Object.keys(metadata)
      .sort()
      .map((k) => {
        const v = metadata[k];
        if (typeof v !== "string")
          throw new ValueError(`metadata value of "${k}" must be a string, got ${typeof v}`);
        return `${JSON.stringify(k)}:${JSON.stringify(v)}`;
      });
    parts.push(`"__metadata__":{${meta.join(",")}}`);
  }
  const names = Object.keys(tensors).sort();
  let offset = 0;
  for (const name of names) {
    if (name === "__metadata__")
      throw new ValueError(`"__metadata__" is reserved and cannot name a tensor`);
    const t = tensors[name]!;
    const entry = {
      dtype: dtypeToSafetensors(t.dtype),
      shape: t.shape,
      data_offsets: [offset, offset + t.nbytes],
    };
    parts.push(`${JSON.stringify(name)}:${JSON.stringify(entry)}`);
    offset += t.nbytes;
  }
  const json = encoder.encode(`{${parts.join(",")}}`);
  const padded = Math.ceil((8 + json.length) / 8) * 8;
  const header = new Uint8Array(padded).fill(0x20);
  new DataView(header.buffer).setBigUint64(0, BigInt(padded - 8), true);
  header.set(json, 8);
  return { header, names, dataBytes: offset };
}

/** The little-endian bytes of a tensor in row-major order (a view when already contiguous). */
function tensorBytes(t: Tensor): Uint8Array {
  const d = t.data();
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
}

/**
 * Encodes tensors as a complete safetensors file in memory.
 *
 * ```ts
 * const bytes = serializeSafetensors({ w: Tensor.from([1, 2], [2]) }, { format: "pt" });
 * readSafetensors(bytes).tensors.w?.toArray(); // [1, 2]
 * ```
 */
export function serializeSafetensors(
  tensors: Record<string, Tensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  const p = plan(tensors, metadata);
  const out = new Uint8Array(p.header.length + p.dataBytes);
  out.set(p.header);
  let at = p.header.length;
  for (const name of p.names) {
    const bytes = tensorBytes(tensors[name]!);
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}

/**
 * Writes tensors to a safetensors file through a temporary file that is fsynced and renamed,
 * so an existing file at `path` is replaced whole or not at all. Tensors are streamed one by
 * one (non-contiguous views are materialized one at a time).
 *
 * ```ts
 * writeSafetensors("adapter.safetensors", { "lora.A": a, "lora.B": b }, { format: "pt" });
 * ```
 */
export function writeSafetensors(
  path: string,
  tensors: Record<string, Tensor>,
  metadata?: Record<string, string>,
): void {
  const p = plan(tensors, metadata);
  writeFileAtomic(path, (fd) => {
    writeAll(fd, p.header);
    for (const name of p.names) writeAll(fd, tensorBytes(tensors[name]!));
  });
}
