import { DTypeError } from "./errors.js";

/** Element types. f16/bf16 are stored as raw 16-bit patterns; f64 exists on the js backend only. */
export type DType = "f32" | "f16" | "bf16" | "f64" | "i32" | "i8" | "u8" | "bool";

/** Typed array backing each dtype. */
export type TypedArray =
  | Float32Array
  | Float64Array
  | Int32Array
  | Int8Array
  | Uint8Array
  | Uint16Array;

export const DTYPES: readonly DType[] = ["f32", "f16", "bf16", "f64", "i32", "i8", "u8", "bool"];

const BYTES: Record<DType, number> = {
  f32: 4,
  f16: 2,
  bf16: 2,
  f64: 8,
  i32: 4,
  i8: 1,
  u8: 1,
  bool: 1,
};

/** Bytes per element. */
export function dtypeBytes(dtype: DType): number {
  return BYTES[dtype];
}

/** True for the floating-point dtypes. */
export function isFloat(dtype: DType): boolean {
  return dtype === "f32" || dtype === "f16" || dtype === "bf16" || dtype === "f64";
}

/** True for dtypes stored as 16-bit patterns that need decoding on access. */
export function isHalf(dtype: DType): dtype is "f16" | "bf16" {
  return dtype === "f16" || dtype === "bf16";
}

/** Allocates a zeroed typed array of `length` elements for `dtype`. */
export function allocTyped(dtype: DType, length: number): TypedArray {
  switch (dtype) {
    case "f32":
      return new Float32Array(length);
    case "f64":
      return new Float64Array(length);
    case "i32":
      return new Int32Array(length);
    case "i8":
      return new Int8Array(length);
    case "u8":
    case "bool":
      return new Uint8Array(length);
    case "f16":
    case "bf16":
      return new Uint16Array(length);
    default:
      // Unreachable from typed code; guards callers passing an arbitrary string.
      throw new DTypeError(`unknown dtype ${String(dtype)} (expected ${DTYPES.join(", ")})`);
  }
}

/** Wraps bytes of an ArrayBuffer as the typed array of `dtype` (no copy). */
export function typedView(
  dtype: DType,
  buffer: ArrayBufferLike,
  byteOffset: number,
  length: number,
): TypedArray {
  switch (dtype) {
    case "f32":
      return new Float32Array(buffer, byteOffset, length);
    case "f64":
      return new Float64Array(buffer, byteOffset, length);
    case "i32":
      return new Int32Array(buffer, byteOffset, length);
    case "i8":
      return new Int8Array(buffer, byteOffset, length);
    case "u8":
    case "bool":
      return new Uint8Array(buffer, byteOffset, length);
    case "f16":
    case "bf16":
      return new Uint16Array(buffer, byteOffset, length);
  }
}

/** Throws a DTypeError unless `dtype` is one of `allowed`. */
export function expectDType(what: string, dtype: DType, allowed: readonly DType[]): void {
  if (!allowed.includes(dtype)) {
    throw new DTypeError(
      `${what}: dtype ${dtype} is not supported (expected ${allowed.join(", ")})`,
    );
  }
}

/** The dtype two operands promote to in a binary op (torch-like, floats win, wider wins). */
export function promote(a: DType, b: DType): DType {
  if (a === b) return a;
  const rank: DType[] = ["bool", "u8", "i8", "i32", "bf16", "f16", "f32", "f64"];
  if ((a === "f16" && b === "bf16") || (a === "bf16" && b === "f16")) return "f32";
  if ((a === "u8" && b === "i8") || (a === "i8" && b === "u8")) return "i32";
  return rank.indexOf(a) > rank.indexOf(b) ? a : b;
}
