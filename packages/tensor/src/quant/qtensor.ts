import { ShapeError, ValueError } from "../errors.js";
import { checkShape, fmtShape, normAxis, numel, type Shape } from "../shape.js";
import { packTiles, tileBytes, unpackTiles } from "./cpu-tiles.js";

/** ggml block formats: 32 elements per block along the last axis. */
export type GgmlFormat = "q8_0" | "q4_0";
/** Group-asymmetric N-bit codes with a scale and zero per group (KIVI). */
export type GroupFormat = "u2" | "u4" | "u8";
/** Every quantized storage format. */
export type QFormat = GgmlFormat | GroupFormat;

/** Elements per ggml block. */
export const GGML_BLOCK = 32;
/** Bytes per ggml block: f16 scale + 32 int8 (q8_0) or + 16 bytes of nibbles (q4_0). */
export const GGML_BLOCK_BYTES: Readonly<Record<GgmlFormat, number>> = { q8_0: 34, q4_0: 18 };

/**
 * True for the ggml block formats.
 *
 * ```ts
 * isGgmlFormat("q4_0"); // true
 * ```
 */
export function isGgmlFormat(format: QFormat): format is GgmlFormat {
  return format === "q8_0" || format === "q4_0";
}

/**
 * Bits per code of a group format.
 *
 * ```ts
 * groupBits("u4"); // 4
 * ```
 */
export function groupBits(format: GroupFormat): 2 | 4 | 8 {
  if (format === "u2") return 2;
  if (format === "u4") return 4;
  if (format === "u8") return 8;
  throw new ValueError(`group formats are u2, u4 and u8, got ${String(format)}`);
}

/**
 * Fields of a {@link QTensor}; `scales`, `zeros`, `groupSize` and `axis` are for group formats.
 * A ggml tensor takes either `data` (row-major blocks) or `tiles` (the CPU tile layout, see
 * `packTiles`).
 */
export interface QTensorInit {
  format: QFormat;
  shape: Shape;
  data?: Uint8Array | Uint32Array;
  tiles?: Uint8Array;
  scales?: Uint16Array | Float32Array;
  zeros?: Uint16Array | Float32Array;
  groupSize?: number;
  axis?: number;
}

/**
 * A quantized tensor: a logical shape plus packed storage. Two layouts:
 *
 * **q8_0 / q4_0** (byte-compatible with ggml): the tensor is split into rows along its last
 * axis (which must be a multiple of 32), each row into blocks of 32 consecutive elements, and
 * `data` (Uint8Array) holds the blocks in row-major order. A q8_0 block is 34 bytes: the scale
 * d as f16 (little-endian) then 32 int8 codes, x ≈ q·d. A q4_0 block is 18 bytes: d as f16,
 * then 16 bytes whose low nibble of byte j is element j and high nibble element j + 16, each
 * an unsigned code c with x ≈ (c − 8)·d.
 *
 * **u2 / u4 / u8** (group-asymmetric, KIVI): groups of `groupSize` (G) consecutive elements
 * along `axis` (which G must divide). "Rows" enumerate the other axes in row-major order, so
 * with the logical shape S and L = S[axis], `scales` and `zeros` have shape
 * `[...S without axis, L/G]` (row-major; f16 bit patterns in a Uint16Array, or a Float32Array)
 * and x ≈ q·scale + zero. Codes are N-bit unsigned and packed LSB-first into u32 words, each
 * group starting on a fresh word: group `r·(L/G) + g` occupies words `[W·(r·(L/G) + g), …+W)`
 * with W = ⌈G·N/32⌉, and its element e sits in word e ÷ (32/N) at bits `(e mod (32/N))·N` to
 * `… + N − 1`. Unused bits of a group's last word are zero. For keys `[B, H, T, D]` grouped
 * along tokens (axis −2), scales are `[B, H, D, T/G]`; for values grouped along channels (axis
 * −1), `[B, H, T, D/G]`.
 *
 * A ggml tensor may instead hold its blocks in the CPU tile layout (`toTiles()`, `layout ===
 * "tiles"`): the native qmatmul then runs on `tiles` directly, and `data` rebuilds the
 * row-major bytes on demand (kept while referenced elsewhere), so every reader sees the same
 * blocks either way.
 *
 * ```ts
 * const q = quantize(Tensor.from(values, [4, 64]), "q4_0");
 * q.nbytes; // 4 * 2 * 18
 * const t = q.toTiles(); // same blocks, faster native products; t.data equals q.data
 * ```
 */
export class QTensor {
  readonly format: QFormat;
  readonly shape: Shape;
  /** Where the blocks live: row-major `data`, or the CPU tile layout in `tiles`. */
  readonly layout: "rows" | "tiles";
  /** The blocks in the CPU tile layout (layout "tiles"), else undefined. */
  readonly tiles: Uint8Array | undefined;
  #rows: Uint8Array | Uint32Array | undefined;
  #unpacked: WeakRef<Uint8Array> | undefined;
  readonly scales: Uint16Array | Float32Array | undefined;
  readonly zeros: Uint16Array | Float32Array | undefined;
  /** Elements per block (32 for ggml formats) or per group. */
  readonly groupSize: number;
  /** The (non-negative) axis along which blocks or groups run. */
  readonly axis: number;

  constructor(init: QTensorInit) {
    const { format, shape, data, tiles } = init;
    checkShape(shape);
    if (shape.length === 0) throw new ShapeError(`a ${format} tensor needs at least one dimension`);
    if ((data === undefined) === (tiles === undefined))
      throw new ValueError(`a ${format} tensor takes exactly one of data and tiles`);
    this.format = format;
    this.shape = Object.freeze([...shape]);
    this.#rows = data;
    this.tiles = tiles;
    this.layout = tiles ? "tiles" : "rows";
    this.scales = init.scales;
    this.zeros = init.zeros;
    if (isGgmlFormat(format)) {
      this.groupSize = GGML_BLOCK;
      this.axis = shape.length - 1;
      checkGgmlShape(format, shape);
      const k = shape[shape.length - 1]!;
      const expected = tiles
        ? tileBytes(format, numel(shape) / k, k)
        : (numel(shape) / GGML_BLOCK) * GGML_BLOCK_BYTES[format];
      const bytes = tiles ?? data;
      if (!(bytes instanceof Uint8Array) || bytes.length !== expected) {
        throw new ValueError(
          `${format} ${fmtShape(shape)} needs a Uint8Array of ${expected} bytes${tiles ? " of tiles" : ""}, got ${bytes?.length}`,
        );
      }
      return;
    }
    if (tiles) throw new ValueError(`${format} has no tile layout (ggml formats only)`);
    const g = init.groupSize ?? 0;
    this.axis = normAxis(init.axis ?? -1, shape.length);
    this.groupSize = g;
    checkGroupShape(shape, this.axis, g);
    const groups = numel(shape) / g;
    const words = groups * Math.ceil((g * groupBits(format)) / 32);
    if (!(data instanceof Uint32Array) || data.length !== words) {
      throw new ValueError(
        `${format} ${fmtShape(shape)} with groups of ${g} needs ${words} u32 words, got ${data?.length}`,
      );
    }
    const { scales, zeros } = init;
    if (
      !scales ||
      !zeros ||
      scales.length !== groups ||
      zeros.length !== groups ||
      scales.constructor !== zeros.constructor
    ) {
      throw new ValueError(
        `${format} needs scales and zeros of ${groups} entries each, of the same type`,
      );
    }
  }

  /** Number of logical elements. */
  get size(): number {
    return numel(this.shape);
  }

  /**
   * The codes: ggml blocks row by row, or a group format's packed u32 words. For layout "tiles"
   * this is a rebuilt copy (kept while referenced elsewhere): read it, do not write to it, since
   * products read `tiles`.
   */
  get data(): Uint8Array | Uint32Array {
    if (this.#rows) return this.#rows;
    let rows = this.#unpacked?.deref();
    if (!rows) {
      const k = this.shape[this.shape.length - 1]!;
      rows = unpackTiles(this.format as GgmlFormat, this.tiles!, this.size / k, k);
      this.#unpacked = new WeakRef(rows);
    }
    return rows;
  }

  /**
   * This ggml tensor with its blocks in the CPU tile layout (itself when already there); the
   * values, `data` and every product are unchanged, native CPU products run faster.
   */
  toTiles(): QTensor {
    if (this.tiles) return this;
    if (!isGgmlFormat(this.format))
      throw new ValueError(`${this.format} has no tile layout (ggml formats only)`);
    const k = this.shape[this.shape.length - 1]!;
    const tiles = packTiles(this.format, this.#rows as Uint8Array, this.size / k, k);
    return new QTensor({ format: this.format, shape: this.shape, tiles });
  }

  /** Bytes of codes plus metadata. */
  get nbytes(): number {
    const codes = this.tiles ?? this.#rows!;
    return codes.byteLength + (this.scales?.byteLength ?? 0) + (this.zeros?.byteLength ?? 0);
  }

  /** Storage type of group scales and zeros; undefined for ggml formats (f16 inside blocks). */
  get metaDtype(): "f16" | "f32" | undefined {
    return this.scales === undefined
      ? undefined
      : this.scales instanceof Uint16Array
        ? "f16"
        : "f32";
  }

  toString(): string {
    return `QTensor(${this.format}, ${fmtShape(this.shape)})`;
  }
}

/**
 * Throws a ShapeError unless the last dimension is a positive multiple of 32.
 *
 * ```ts
 * checkGgmlShape("q8_0", [4, 48]); // ShapeError
 * ```
 */
export function checkGgmlShape(format: GgmlFormat, shape: Shape): void {
  const last = shape[shape.length - 1];
  if (last === undefined || last % GGML_BLOCK !== 0) {
    throw new ShapeError(
      `${format} needs the last dimension to be a multiple of ${GGML_BLOCK}, got ${fmtShape(shape)}`,
    );
  }
}

/**
 * Throws a ShapeError unless `groupSize` is a positive integer dividing `shape[axis]`.
 *
 * ```ts
 * checkGroupShape([2, 8, 64], 1, 32); // ShapeError: 32 does not divide 8
 * ```
 */
export function checkGroupShape(shape: Shape, axis: number, groupSize: number): void {
  if (!Number.isInteger(groupSize) || groupSize <= 0)
    throw new ValueError(`groupSize must be a positive integer, got ${groupSize}`);
  if (shape[axis]! % groupSize !== 0) {
    throw new ShapeError(
      `group size ${groupSize} does not divide axis ${axis} of ${fmtShape(shape)}`,
    );
  }
}
