import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DTypeError, FormatError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { openSafetensors } from "./safetensors-file.js";
import { readSafetensors } from "./safetensors-read.js";
import { serializeSafetensors } from "./safetensors-write.js";

const enc = new TextEncoder();
const dir = mkdtempSync(join(tmpdir(), "x-st-malformed-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file with the given header text (plus padding) and `data` bytes of zeros or given bytes. */
function file(json: string | Uint8Array, data: number | Uint8Array = 0, pad = ""): Uint8Array {
  const head = typeof json === "string" ? enc.encode(json + pad) : json;
  const body = typeof data === "number" ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + head.length + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  out.set(body, 8 + head.length);
  return out;
}

function offsetOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    if (err instanceof FormatError) return err.offset;
    throw err;
  }
  throw new Error("expected a FormatError");
}

/** Absolute offset of the `nth` occurrence of `needle` in the header JSON. */
const at = (json: string, needle: string, after = "") =>
  8 + json.indexOf(needle, json.indexOf(after));
const entry = (dtype: string, shape: number[], range: number[]) =>
  JSON.stringify({ dtype, shape, data_offsets: range });

describe("malformed safetensors throw FormatError at the offset at fault", () => {
  it("truncated header length", () => {
    expect(offsetOf(() => readSafetensors(new Uint8Array(5)))).toBe(0);
    writeFileSync(join(dir, "short"), new Uint8Array(3));
    expect(offsetOf(() => openSafetensors(join(dir, "short")))).toBe(0);
  });

  it("header length beyond the file, or above the limit", () => {
    const bytes = file("{}");
    new DataView(bytes.buffer).setBigUint64(0, 1000n, true);
    expect(() => readSafetensors(bytes)).toThrow(/runs past the end/);
    expect(offsetOf(() => readSafetensors(bytes))).toBe(0);
    new DataView(bytes.buffer).setBigUint64(0, 0xffffffffffffffffn, true);
    expect(() => readSafetensors(bytes)).toThrow(/exceeds the limit/);
    const big = file("{}", 0, " ".repeat(198));
    expect(() => readSafetensors(big, { maxHeaderBytes: 100 })).toThrow(/exceeds the limit of 100/);
    expect(readSafetensors(big, { maxHeaderBytes: 200 }).tensors).toEqual({});
  });

  it("bad JSON, at the exact byte", () => {
    const trailingComma = `{"a":${entry("U8", [1], [0, 1])},}`;
    expect(offsetOf(() => readSafetensors(file(trailingComma, 1)))).toBe(
      at(trailingComma, ",}") + 1,
    );
    expect(offsetOf(() => readSafetensors(file('{"a":x}')))).toBe(8 + 5);
    expect(offsetOf(() => readSafetensors(file('{"a":1')))).toBe(8 + 5); // missing '}' found at the end
    expect(offsetOf(() => readSafetensors(file('{"a":01}')))).toBe(8 + 5);
    expect(offsetOf(() => readSafetensors(file("[1]")))).toBe(8);
    expect(() => readSafetensors(file(`{"a":${"[".repeat(100)}}`))).toThrow(
      /nesting deeper than 64/,
    );
  });

  it("invalid UTF-8 inside a key", () => {
    const bytes = file(Uint8Array.from([0x7b, 0x22, 0x6b, 0xff, 0x22, 0x3a, 0x31, 0x7d])); // {"k\xff":1}
    expect(() => readSafetensors(bytes)).toThrow(FormatError);
    expect(offsetOf(() => readSafetensors(bytes))).toBe(9);
  });

  it("padding other than trailing spaces", () => {
    const json = `{"a":${entry("U8", [1], [0, 1])}}`;
    expect(readSafetensors(file(json, 1, "    ")).tensors.a!.item()).toBe(0);
    expect(offsetOf(() => readSafetensors(file(json, 1, "\n ")))).toBe(8 + json.length);
    expect(offsetOf(() => readSafetensors(file(json, 1, "\0")))).toBe(8 + json.length);
  });

  it("overlapping ranges", () => {
    const json = `{"a":${entry("F32", [2], [0, 8])},"b":${entry("F32", [2], [4, 12])}}`;
    const bytes = file(json, 12);
    expect(() => readSafetensors(bytes)).toThrow(/overlaps/);
    expect(offsetOf(() => readSafetensors(bytes))).toBe(8 + json.length + 4);
  });

  it("gaps between tensors and uncovered trailing bytes", () => {
    const gap = `{"a":${entry("F32", [1], [0, 4])},"b":${entry("F32", [1], [8, 12])}}`;
    expect(() => readSafetensors(file(gap, 12))).toThrow(/gap of 4 bytes/);
    expect(offsetOf(() => readSafetensors(file(gap, 12)))).toBe(8 + gap.length + 4);
    const tail = `{"a":${entry("F32", [1], [0, 4])}}`;
    expect(offsetOf(() => readSafetensors(file(tail, 6)))).toBe(8 + tail.length + 4);
  });

  it("size mismatch between data_offsets and dtype x shape", () => {
    const json = `{"a":${entry("F32", [3], [0, 8])}}`;
    expect(() => readSafetensors(file(json, 8))).toThrow(/hold 8 bytes but F32 \[3\] needs 12/);
    expect(offsetOf(() => readSafetensors(file(json, 8)))).toBe(at(json, '"data_offsets"'));
    const half = `{"a":${entry("F16", [4], [0, 4])}}`;
    expect(offsetOf(() => readSafetensors(file(half, 4)))).toBe(at(half, '"data_offsets"'));
  });

  it("bad dtype, shape and data_offsets fields", () => {
    const cases: [string, string][] = [
      [`{"a":${entry("F128", [1], [0, 4])}}`, '"dtype"'],
      [`{"a":${entry("F32", [-1], [0, 4])}}`, '"shape"'],
      [`{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}`, '"shape"'],
      [`{"a":${entry("F32", [1], [0])}}`, '"data_offsets"'],
      [`{"a":${entry("F32", [1], [4, 0])}}`, '"data_offsets"'],
      [`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":1}}`, '"x"'],
      [`{"a":${entry("F32", [2 ** 40, 2 ** 40], [0, 4])}}`, '"shape"'],
    ];
    for (const [json, field] of cases)
      expect(offsetOf(() => readSafetensors(file(json, 4)))).toBe(at(json, field));
    const missing = '{"a":{"dtype":"F32","shape":[1]}}';
    expect(offsetOf(() => readSafetensors(file(missing, 4)))).toBe(at(missing, '"a"'));
    expect(offsetOf(() => readSafetensors(file('{"a":[]}')))).toBe(at('{"a":[]}', '"a"'));
  });

  it("offsets out of range", () => {
    const json = `{"a":${entry("F32", [2], [8, 16])}}`;
    expect(() => readSafetensors(file(json, 8))).toThrow(/run past the 8-byte data section/);
    expect(offsetOf(() => readSafetensors(file(json, 8)))).toBe(at(json, '"data_offsets"'));
  });

  it("metadata that is not a string map, and duplicate keys", () => {
    const meta = '{"__metadata__":{"ok":"1","n":2}}';
    expect(offsetOf(() => readSafetensors(file(meta)))).toBe(at(meta, '"n"'));
    expect(offsetOf(() => readSafetensors(file('{"__metadata__":[]}')))).toBe(9);
    const dup = `{"a":${entry("U8", [0], [0, 0])},"a":${entry("U8", [0], [0, 0])}}`;
    expect(offsetOf(() => readSafetensors(file(dup)))).toBe(8 + dup.lastIndexOf('"a"'));
  });

  it("random corruption and truncation only ever raise typed errors with in-range offsets", () => {
    const good = serializeSafetensors(
      { w: Tensor.from([1, 2, 3, 4], [2, 2]), m: Tensor.from([1, 0], [2], "bool") },
      { format: "pt" },
    );
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    for (let trial = 0; trial < 3000; trial++) {
      const bytes = trial < good.length ? good.subarray(0, trial) : good.slice();
      if (trial >= good.length) bytes[Math.floor(rand() * 200)] = Math.floor(rand() * 256);
      try {
        readSafetensors(bytes);
      } catch (err) {
        if (err instanceof DTypeError) continue;
        expect(err).toBeInstanceOf(FormatError);
        expect((err as FormatError).offset).toBeGreaterThanOrEqual(0);
        expect((err as FormatError).offset).toBeLessThanOrEqual(bytes.length);
      }
    }
  });
});
