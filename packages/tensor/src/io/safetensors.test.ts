import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DTYPES, type DType } from "../dtype.js";
import { DTypeError, FormatError, IndexError, ValueError } from "../errors.js";
import { Tensor } from "../tensor.js";
import { loadSafetensors, openSafetensors } from "./safetensors-file.js";
import { readSafetensors } from "./safetensors-read.js";
import { serializeSafetensors, writeSafetensors } from "./safetensors-write.js";

const dir = mkdtempSync(join(tmpdir(), "x-safetensors-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hex = (s: string) =>
  Uint8Array.from(s.replace(/\s+/g, "").match(/../g)!, (b) => Number.parseInt(b, 16));
const ascii = (s: string) => new TextEncoder().encode(s);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

const sample: Record<DType, number[]> = {
  f32: [1.5, -2.25, 3e-8, 65504],
  f16: [1.5, -2.25, 0.0009765625, 65504],
  bf16: [1.5, -2.25, 3.0517578125e-5, -256],
  f64: [Math.PI, -1e300, 5e-324, 0],
  i32: [-2147483648, 2147483647, 0, -1],
  i8: [-128, 127, 0, -1],
  u8: [0, 255, 1, 128],
  bool: [1, 0, 0, 1],
};

describe("safetensors round trip", () => {
  for (const dtype of DTYPES) {
    it(`keeps ${dtype} values, shape and dtype in memory and on disk`, () => {
      const t = Tensor.from(sample[dtype], [2, 2], dtype);
      const empty = Tensor.empty([0, 3], dtype);
      const bytes = serializeSafetensors({ t, empty });
      const back = readSafetensors(bytes).tensors;
      expect(back.t!.dtype).toBe(dtype);
      expect(back.t!.shape).toEqual([2, 2]);
      expect(back.t!.toArray()).toEqual(t.toArray());
      expect(back.empty!.shape).toEqual([0, 3]);
      const path = join(dir, `rt-${dtype}.safetensors`);
      writeSafetensors(path, { t, empty }, { dtype });
      expect(new Uint8Array(readFileSync(path))).toEqual(
        serializeSafetensors({ t, empty }, { dtype }),
      );
      const loaded = loadSafetensors(path);
      expect(loaded.metadata).toEqual({ dtype });
      expect(loaded.tensors.t!.toArray()).toEqual(t.toArray());
    });
  }

  it("writes non-contiguous views in logical order", () => {
    const t = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3]).transpose(0, 1);
    expect(readSafetensors(serializeSafetensors({ t })).tensors.t!.toArray()).toEqual([
      1, 4, 2, 5, 3, 6,
    ]);
  });

  it("upcasts f16 and bf16 to f32 on request", () => {
    const h = Tensor.from([1.5, -0.25], [2], "f16");
    const b = Tensor.from([1.5, -0.25], [2], "bf16");
    const i = Tensor.from([7], [1], "i32");
    const path = join(dir, "upcast.safetensors");
    writeSafetensors(path, { h, b, i });
    const file = openSafetensors(path);
    expect(file.get("h", { dtype: "f32" }).dtype).toBe("f32");
    expect(file.get("b", { dtype: "f32" }).toArray()).toEqual([1.5, -0.25]);
    expect(() => file.get("i", { dtype: "f32" })).toThrow(DTypeError);
    expect(() => file.get("nope")).toThrow(IndexError);
    file.close();
    expect(() => file.get("h")).toThrow(ValueError);
    const all = loadSafetensors(path, { upcastHalf: true }).tensors;
    expect([all.h!.dtype, all.b!.dtype, all.i!.dtype]).toEqual(["f32", "f32", "i32"]);
  });
});

describe("safetensors bytes", () => {
  // Built by hand from the format: u64 LE header length, JSON, space padding to an 8-byte
  // boundary, then the tensors' little-endian bytes in the order of their data_offsets.
  const json =
    '{"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},' +
    '"b":{"dtype":"BF16","shape":[1,2],"data_offsets":[8,12]}}';
  const fixture = concat(
    hex("90 00 00 00 00 00 00 00"), // header length 144 = 142 bytes of JSON + 2 spaces
    ascii(`${json}  `),
    hex("00 00 80 3f  00 00 00 c0"), // a = [1, -2] as f32
    hex("c0 3f  80 be"), // b = [[1.5, -0.25]] as bf16
  );

  it("writes exactly the hand-built fixture", () => {
    const a = Tensor.from([1, -2], [2]);
    const b = Tensor.from([1.5, -0.25], [1, 2], "bf16");
    expect(json.length).toBe(142);
    expect(serializeSafetensors({ b, a }, { format: "pt" })).toEqual(fixture);
  });

  it("reads the hand-built fixture", () => {
    const { tensors, metadata } = readSafetensors(fixture);
    expect(metadata).toEqual({ format: "pt" });
    expect(tensors.a!.toArray()).toEqual([1, -2]);
    expect(tensors.b!.dtype).toBe("bf16");
    expect(tensors.b!.toArray()).toEqual([1.5, -0.25]);
  });

  it("reports file-order keys and absolute byte ranges", () => {
    const path = join(dir, "fixture.safetensors");
    writeFileSync(path, fixture);
    const file = openSafetensors(path);
    expect(file.keys()).toEqual(["a", "b"]);
    expect(file.info("b")).toEqual({
      name: "b",
      dtypeName: "BF16",
      dtype: "bf16",
      shape: [1, 2],
      byteRange: [160, 164],
    });
    file.close();
  });

  it("accepts unaligned data starts and header keys in any order", () => {
    const j =
      '{"b":{"data_offsets":[4,5],"shape":[],"dtype":"U8"},"a":{"shape":[1],"dtype":"F32","data_offsets":[0,4]}}';
    const bytes = concat(
      hex(`${j.length.toString(16).padStart(2, "0")}00000000000000`),
      ascii(j),
      hex("0000c03f 07"),
    );
    const { tensors } = readSafetensors(bytes);
    expect(tensors.a!.toArray()).toEqual([1.5]);
    expect(tensors.b!.shape).toEqual([]);
    expect(tensors.b!.item()).toBe(7);
  });

  it("validates unsupported dtypes but refuses to read them", () => {
    const j = '{"ids":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}';
    const bytes = concat(
      hex(`${j.length.toString(16)}00000000000000`),
      ascii(j),
      new Uint8Array(8),
    );
    const path = join(dir, "i64.safetensors");
    writeFileSync(path, bytes);
    const file = openSafetensors(path);
    expect(file.info("ids")).toMatchObject({ dtypeName: "I64", dtype: undefined });
    expect(() => file.get("ids")).toThrow(/I64.*not support/);
    file.close();
  });

  it("rejects BOOL bytes other than 0 and 1 at their offset", () => {
    const j = '{"m":{"dtype":"BOOL","shape":[3],"data_offsets":[0,3]}}';
    const bytes = concat(hex(`${j.length.toString(16)}00000000000000`), ascii(j), hex("01 00 02"));
    const err = catchFormat(() => readSafetensors(bytes));
    expect(err.offset).toBe(8 + j.length + 2);
  });

  it("refuses reserved names and non-string metadata on write", () => {
    expect(() => serializeSafetensors({ __metadata__: Tensor.from([1]) })).toThrow(ValueError);
    expect(() => serializeSafetensors({}, { n: 1 as unknown as string })).toThrow(ValueError);
  });
});

function catchFormat(fn: () => unknown): FormatError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FormatError) return err;
    throw err;
  }
  throw new Error("expected a FormatError");
}
