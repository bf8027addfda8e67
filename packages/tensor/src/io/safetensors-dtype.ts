import type { DType } from "../dtype.js";

/**
 * Element widths of every dtype name the safetensors format defines. Names we cannot hold as a
 * {@link DType} are still listed so that sizes and offsets of such tensors can be validated and
 * the error on reading them says "unsupported" rather than "malformed".
 *
 * ```ts
 * SAFETENSORS_DTYPE_BYTES.BF16; // 2
 * ```
 */
export const SAFETENSORS_DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  F8_E5M2: 1,
  F8_E4M3: 1,
  F8_E8M0: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

const TO_DTYPE: Readonly<Record<string, DType>> = {
  BOOL: "bool",
  U8: "u8",
  I8: "i8",
  F16: "f16",
  BF16: "bf16",
  I32: "i32",
  F32: "f32",
  F64: "f64",
};

const FROM_DTYPE: Readonly<Record<DType, string>> = {
  bool: "BOOL",
  u8: "U8",
  i8: "I8",
  f16: "F16",
  bf16: "BF16",
  i32: "I32",
  f32: "F32",
  f64: "F64",
};

/**
 * The tensor dtype for a safetensors dtype name, or undefined when @x/tensor has no such dtype.
 *
 * ```ts
 * dtypeFromSafetensors("BF16"); // "bf16"
 * dtypeFromSafetensors("I64"); // undefined
 * ```
 */
export function dtypeFromSafetensors(name: string): DType | undefined {
  return Object.hasOwn(TO_DTYPE, name) ? TO_DTYPE[name] : undefined;
}

/**
 * The safetensors dtype name of a tensor dtype.
 *
 * ```ts
 * dtypeToSafetensors("f32"); // "F32"
 * ```
 */
export function dtypeToSafetensors(dtype: DType): string {
  return FROM_DTYPE[dtype];
}
