// GGUF v3 vocabulary: metadata value types and the ggml tensor types with their block sizes.

/** "GGUF" read as a little-endian u32. */
export const GGUF_MAGIC = 0x46554747;
/** The version this module writes (readers accept 2 and 3, which share the layout). */
export const GGUF_VERSION = 3;
/** Default alignment of the tensor data section and of every tensor in it. */
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** Scalar metadata types, named by their width. */
export type GgufScalarType =
  | "u8"
  | "i8"
  | "u16"
  | "i16"
  | "u32"
  | "i32"
  | "f32"
  | "bool"
  | "string"
  | "u64"
  | "i64"
  | "f64";

/** A scalar value: 64-bit integers are bigint, other numbers are numbers. */
export type GgufScalarValue = number | bigint | boolean | string;

/** A typed metadata value; arrays hold items of one type (arrays of arrays are read, not written). */
export type GgufValue =
  | { type: GgufScalarType; value: GgufScalarValue }
  | { type: "array"; itemType: GgufScalarType; value: GgufScalarValue[] }
  | { type: "array"; itemType: "array"; value: GgufValue[] };

/** Wire ids of the metadata value types. */
export const GGUF_TYPE_ID: Readonly<Record<GgufScalarType | "array", number>> = {
  u8: 0,
  i8: 1,
  u16: 2,
  i16: 3,
  u32: 4,
  i32: 5,
  f32: 6,
  bool: 7,
  string: 8,
  array: 9,
  u64: 10,
  i64: 11,
  f64: 12,
};

/** Byte width of fixed-size scalar types. */
export const GGUF_SCALAR_BYTES: Readonly<Record<Exclude<GgufScalarType, "string">, number>> = {
  u8: 1,
  i8: 1,
  u16: 2,
  i16: 2,
  u32: 4,
  i32: 4,
  f32: 4,
  bool: 1,
  u64: 8,
  i64: 8,
  f64: 8,
};

/** ggml tensor types this module can write. */
export type GgmlWriteType = "f32" | "f16" | "q8_0" | "q4_0";

/** A ggml tensor type: wire id, elements per block and bytes per block. */
export interface GgmlTypeInfo {
  id: number;
  name: string;
  blockSize: number;
  blockBytes: number;
}

const TYPES: GgmlTypeInfo[] = [
  { id: 0, name: "f32", blockSize: 1, blockBytes: 4 },
  { id: 1, name: "f16", blockSize: 1, blockBytes: 2 },
  { id: 2, name: "q4_0", blockSize: 32, blockBytes: 18 },
  { id: 3, name: "q4_1", blockSize: 32, blockBytes: 20 },
  { id: 6, name: "q5_0", blockSize: 32, blockBytes: 22 },
  { id: 7, name: "q5_1", blockSize: 32, blockBytes: 24 },
  { id: 8, name: "q8_0", blockSize: 32, blockBytes: 34 },
  { id: 9, name: "q8_1", blockSize: 32, blockBytes: 36 },
  { id: 10, name: "q2_k", blockSize: 256, blockBytes: 84 },
  { id: 11, name: "q3_k", blockSize: 256, blockBytes: 110 },
  { id: 12, name: "q4_k", blockSize: 256, blockBytes: 144 },
  { id: 13, name: "q5_k", blockSize: 256, blockBytes: 176 },
  { id: 14, name: "q6_k", blockSize: 256, blockBytes: 210 },
  { id: 15, name: "q8_k", blockSize: 256, blockBytes: 292 },
  { id: 16, name: "iq2_xxs", blockSize: 256, blockBytes: 66 },
  { id: 17, name: "iq2_xs", blockSize: 256, blockBytes: 74 },
  { id: 18, name: "iq3_xxs", blockSize: 256, blockBytes: 98 },
  { id: 19, name: "iq1_s", blockSize: 256, blockBytes: 50 },
  { id: 20, name: "iq4_nl", blockSize: 32, blockBytes: 18 },
  { id: 21, name: "iq3_s", blockSize: 256, blockBytes: 110 },
  { id: 22, name: "iq2_s", blockSize: 256, blockBytes: 82 },
  { id: 23, name: "iq4_xs", blockSize: 256, blockBytes: 136 },
  { id: 24, name: "i8", blockSize: 1, blockBytes: 1 },
  { id: 25, name: "i16", blockSize: 1, blockBytes: 2 },
  { id: 26, name: "i32", blockSize: 1, blockBytes: 4 },
  { id: 27, name: "i64", blockSize: 1, blockBytes: 8 },
  { id: 28, name: "f64", blockSize: 1, blockBytes: 8 },
  { id: 29, name: "iq1_m", blockSize: 256, blockBytes: 56 },
  { id: 30, name: "bf16", blockSize: 1, blockBytes: 2 },
  { id: 34, name: "tq1_0", blockSize: 256, blockBytes: 54 },
  { id: 35, name: "tq2_0", blockSize: 256, blockBytes: 66 },
  { id: 39, name: "mxfp4", blockSize: 32, blockBytes: 17 },
];

/** Known ggml types by wire id (others are rejected by the reader). */
export const GGML_TYPES: ReadonlyMap<number, GgmlTypeInfo> = new Map(TYPES.map((t) => [t.id, t]));

/**
 * The ggml type of a name this module writes.
 *
 * ```ts
 * ggmlType("q4_0").id; // 2
 * ```
 */
export function ggmlType(name: GgmlWriteType): GgmlTypeInfo {
  return TYPES.find((t) => t.name === name)!;
}

/**
 * Bytes of a tensor of `count` elements in a ggml type (count must fill whole blocks).
 *
 * ```ts
 * ggmlBytes(ggmlType("q8_0"), 64); // 68
 * ```
 */
export function ggmlBytes(type: GgmlTypeInfo, count: number): number {
  return (count / type.blockSize) * type.blockBytes;
}

/** llama.cpp's `general.file_type` for a whole-model type. */
export const GGUF_FILE_TYPE: Readonly<Record<GgmlWriteType, number>> = {
  f32: 0,
  f16: 1,
  q4_0: 2,
  q8_0: 7,
};

/** llama.cpp token types (`tokenizer.ggml.token_type`). */
export const TOKEN_TYPE = {
  normal: 1,
  unknown: 2,
  control: 3,
  userDefined: 4,
  unused: 5,
  byte: 6,
} as const;
