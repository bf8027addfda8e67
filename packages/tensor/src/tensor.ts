import { record } from "./autograd/tape.js";
import {
  permuteBackward,
  selectBackward,
  sliceBackward,
  sumToShape,
} from "./autograd/view-grads.js";
import { deviceOp } from "./backend/device.js";
import type { CopyStridedKernel } from "./backend/kernels.js";
import { nativeKernel } from "./backend/registry.js";
import { type DType, dtypeBytes, isHalf, type TypedArray } from "./dtype.js";
import { IndexError, ShapeError, ValueError } from "./errors.js";
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from "./half.js";
import {
  checkShape,
  contiguousStrides,
  fmtShape,
  normAxis,
  numel,
  type Shape,
  sameShape,
} from "./shape.js";
import { type Device, Storage } from "./storage.js";

/** Autograd bookkeeping attached to tensors produced while a tape records (see autograd/). */
export interface GradLink {
  readonly id: number;
}

/**
 * An n-dimensional array: a strided view into a shared {@link Storage}.
 *
 * ```ts
 * const t = Tensor.from([1, 2, 3, 4, 5, 6], [2, 3]);
 * t.transpose(0, 1).shape; // [3, 2], shares t's storage
 * ```
 */
export class Tensor {
  readonly dtype: DType;
  readonly shape: Shape;
  readonly strides: readonly number[];
  readonly offset: number;
  readonly storage: Storage;
  /** Number of elements (the product of the shape). */
  readonly size: number;
  /** Set by the autograd tape on tensors it tracks; undefined outside `grad`. */
  grad?: GradLink;

  constructor(storage: Storage, shape: Shape, strides?: readonly number[], offset = 0) {
    this.storage = storage;
    this.dtype = storage.dtype;
    // Own copies, readonly by type; not frozen: freezing cost more than the rest of a small
    // tensor's construction, and decoding creates hundreds of tensors per token.
    this.shape = [...shape];
    this.strides = strides ? [...strides] : contiguousStrides(shape);
    this.size = numel(shape);
    this.offset = offset;
  }

  /** Creates a contiguous tensor from numbers (or a typed array copied as is). */
  static from(values: ArrayLike<number>, shape?: Shape, dtype: DType = "f32"): Tensor {
    const s = shape ?? [values.length];
    checkShape(s);
    if (numel(s) !== values.length) {
      throw new ShapeError(`${values.length} values do not fill shape ${fmtShape(s)}`);
    }
    const storage = Storage.alloc(dtype, values.length);
    writeValues(storage.data, dtype, values);
    return new Tensor(storage, s);
  }

  /** Wraps an existing typed array (no copy) as a contiguous tensor. */
  static wrap(data: TypedArray, shape: Shape, dtype: DType): Tensor {
    checkShape(shape);
    if (numel(shape) !== data.length) {
      throw new ShapeError(`buffer of ${data.length} elements does not fill ${fmtShape(shape)}`);
    }
    return new Tensor(new Storage(dtype, data), shape);
  }

  /** An uninitialised (zeroed) contiguous tensor. */
  static empty(shape: Shape, dtype: DType = "f32"): Tensor {
    checkShape(shape);
    return new Tensor(Storage.alloc(dtype, numel(shape)), shape);
  }

  get device(): Device {
    return this.storage.device;
  }
  get ndim(): number {
    return this.shape.length;
  }
  get nbytes(): number {
    return this.size * dtypeBytes(this.dtype);
  }

  /** True when elements are laid out row-major without gaps (offset may be non-zero). */
  isContiguous(): boolean {
    let expected = 1;
    for (let i = this.ndim - 1; i >= 0; i--) {
      if (this.shape[i] !== 1 && this.strides[i] !== expected) return false;
      expected *= this.shape[i]!;
    }
    return true;
  }

  /** This tensor if contiguous, else a row-major copy. */
  contiguous(): Tensor {
    if (this.isContiguous()) return this;
    return this.clone();
  }

  /** A contiguous copy with its own storage. */
  clone(): Tensor {
    return record(copyOf(this), [this], (g) => [g]);
  }

  /** Contiguous element data in storage encoding (halves as bit patterns); copies only if needed. */
  data(): TypedArray {
    if (this.storage.device !== "cpu") return this.toHost().data();
    const c = this.isContiguous() ? this : copyOf(this);
    return c.storage.data.subarray(c.offset, c.offset + c.size);
  }

  /** Logical values as plain numbers in row-major order (halves decoded). */
  toArray(): number[] {
    const d = this.data();
    const out = new Array<number>(d.length);
    const decode = decoder(this.dtype);
    for (let i = 0; i < d.length; i++) out[i] = decode(d[i]!);
    return out;
  }

  /** Logical values as a Float64Array in row-major order. */
  toFloat64(): Float64Array {
    const d = this.data();
    const out = new Float64Array(d.length);
    const decode = decoder(this.dtype);
    for (let i = 0; i < d.length; i++) out[i] = decode(d[i]!);
    return out;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1)
      throw new ShapeError(`item() needs one element, got ${fmtShape(this.shape)}`);
    if (this.storage.device !== "cpu") return this.toHost().item();
    return decoder(this.dtype)(this.storage.data[this.offset]!);
  }

  /** A view with a new shape (one dimension may be -1); copies when the layout forbids a view. */
  reshape(shape: Shape): Tensor {
    const resolved = resolveReshape(this.size, shape);
    if (sameShape(resolved, this.shape)) return this;
    const src = this.isContiguous() ? this : copyOf(this);
    const out = new Tensor(src.storage, resolved, undefined, src.offset);
    return record(out, [this], (g) => [g.reshape(this.shape)]);
  }

  /** Swaps two axes (a view). */
  transpose(a = -2, b = -1): Tensor {
    const i = normAxis(a, this.ndim);
    const j = normAxis(b, this.ndim);
    const order = Array.from({ length: this.ndim }, (_, k) => k);
    order[i] = j;
    order[j] = i;
    return this.permute(order);
  }

  /** Reorders axes (a view). */
  permute(order: readonly number[]): Tensor {
    if (order.length !== this.ndim) {
      throw new ShapeError(`permute order [${order.join(", ")}] does not match rank ${this.ndim}`);
    }
    const axes = order.map((o) => normAxis(o, this.ndim));
    if (new Set(axes).size !== axes.length) {
      throw new ShapeError(`permute order [${order.join(", ")}] repeats an axis`);
    }
    const out = new Tensor(
      this.storage,
      axes.map((a) => this.shape[a]!),
      axes.map((a) => this.strides[a]!),
      this.offset,
    );
    return record(out, [this], (g) => [permuteBackward(g, axes)]);
  }

  /** Elements `start..end` (exclusive) with `step` along `axis` (a view). Negative bounds count from the end. */
  slice(axis: number, start = 0, end?: number, step = 1): Tensor {
    const ax = normAxis(axis, this.ndim);
    const dim = this.shape[ax]!;
    if (!Number.isInteger(step) || step <= 0)
      throw new ValueError(`slice step must be a positive integer, got ${step}`);
    const clamp = (v: number) => Math.min(dim, Math.max(0, v < 0 ? v + dim : v));
    const s = clamp(start);
    const e = Math.max(s, clamp(end ?? dim));
    const shape = [...this.shape];
    const strides = [...this.strides];
    shape[ax] = Math.ceil((e - s) / step);
    strides[ax] = this.strides[ax]! * step;
    const out = new Tensor(this.storage, shape, strides, this.offset + s * this.strides[ax]!);
    return record(out, [this], (g) => [sliceBackward(g, this.shape, ax, s, step)]);
  }

  /** Row `index` along `axis`, removing that axis (a view). */
  select(axis: number, index: number): Tensor {
    const ax = normAxis(axis, this.ndim);
    const dim = this.shape[ax]!;
    const i = index < 0 ? index + dim : index;
    if (!Number.isInteger(i) || i < 0 || i >= dim) {
      throw new IndexError(`index ${index} is out of range for axis ${axis} of size ${dim}`);
    }
    const shape = this.shape.filter((_, k) => k !== ax);
    const strides = this.strides.filter((_, k) => k !== ax);
    const out = new Tensor(this.storage, shape, strides, this.offset + i * this.strides[ax]!);
    return record(out, [this], (g) => [selectBackward(g, this.shape, ax, i)]);
  }

  /** Broadcasts size-1 dimensions to `shape` with stride 0 (a view). */
  expand(shape: Shape): Tensor {
    if (shape.length < this.ndim) {
      throw new ShapeError(
        `cannot expand ${fmtShape(this.shape)} to fewer dims ${fmtShape(shape)}`,
      );
    }
    const lead = shape.length - this.ndim;
    const strides = shape.map((d, i) => {
      if (i < lead) return 0;
      const own = this.shape[i - lead]!;
      if (own === d || d === -1) return this.strides[i - lead]!;
      if (own === 1) return 0;
      throw new ShapeError(`cannot expand ${fmtShape(this.shape)} to ${fmtShape(shape)}`);
    });
    const resolved = shape.map((d, i) => (d === -1 && i >= lead ? this.shape[i - lead]! : d));
    checkShape(resolved, `expand of ${fmtShape(this.shape)} to`);
    const out = new Tensor(this.storage, resolved, strides, this.offset);
    return record(out, [this], (g) => [sumToShape(g, this.shape)]);
  }

  /** Removes size-1 axes (all of them, or just `axis`). */
  squeeze(axis?: number): Tensor {
    if (axis === undefined) {
      const keep = this.shape.map((d, i) => (d === 1 ? -1 : i)).filter((i) => i >= 0);
      const out = new Tensor(
        this.storage,
        keep.map((i) => this.shape[i]!),
        keep.map((i) => this.strides[i]!),
        this.offset,
      );
      return record(out, [this], (g) => [g.reshape(this.shape)]);
    }
    const ax = normAxis(axis, this.ndim);
    if (this.shape[ax] !== 1)
      throw new ShapeError(`cannot squeeze axis ${axis} of size ${this.shape[ax]}`);
    return this.select(ax, 0);
  }

  /** Inserts a size-1 axis at `axis` (a view). */
  unsqueeze(axis: number): Tensor {
    const ax = normAxis(axis, this.ndim + 1);
    const shape = [...this.shape];
    const strides = [...this.strides];
    shape.splice(ax, 0, 1);
    strides.splice(ax, 0, ax < this.ndim ? this.strides[ax]! * this.shape[ax]! : 1);
    return record(new Tensor(this.storage, shape, strides, this.offset), [this], (g) => [
      g.reshape(this.shape),
    ]);
  }

  /**
   * This tensor on `device`: itself when already there, else a copy (to "cuda" needs the
   * `@x/tensor-cuda-linux-x64` package and a GPU; see `resolveDevice` for a CPU fallback).
   *
   * ```ts
   * const xd = x.to("cuda"); // ... ; xd.toHost().toArray()
   * ```
   */
  to(device: Device): Tensor {
    return device === this.device ? this : deviceOp("to")(this, device);
  }

  /** A copy on the GPU ("cuda"), or this tensor when it is already there. */
  toDevice(): Tensor {
    return this.to("cuda");
  }

  /** A CPU copy of a device tensor (synchronizes), or this tensor when it is on the CPU. */
  toHost(): Tensor {
    return this.to("cpu");
  }

  /**
   * Frees a device tensor's memory now (its views too); a no-op for CPU tensors, whose memory the
   * garbage collector owns. `using t = x.to("cuda")` disposes at the end of the scope.
   */
  dispose(): void {
    (this.storage as { dispose?: () => void }).dispose?.();
  }

  toString(): string {
    return `Tensor(${this.dtype}, ${fmtShape(this.shape)})`;
  }
}

function copyOf(t: Tensor): Tensor {
  if (t.storage.device !== "cpu") return deviceOp("copy")(t);
  const out = Tensor.empty(t.shape, t.dtype);
  copyStrided(t, out.storage.data);
  return out;
}

function resolveReshape(size: number, shape: Shape): number[] {
  const out = [...shape];
  const free = out.indexOf(-1);
  if (free !== out.lastIndexOf(-1))
    throw new ShapeError(`reshape ${fmtShape(shape)} has more than one -1`);
  if (free >= 0) {
    const known = out.reduce((p, d, i) => (i === free ? p : p * d), 1);
    if (known === 0 || size % known !== 0) {
      throw new ShapeError(`cannot reshape ${size} elements to ${fmtShape(shape)}`);
    }
    out[free] = size / known;
  }
  checkShape(out);
  if (numel(out) !== size)
    throw new ShapeError(`cannot reshape ${size} elements to ${fmtShape(shape)}`);
  return out;
}

/** Returns a function mapping a stored element to its numeric value. */
export function decoder(dtype: DType): (raw: number) => number {
  if (dtype === "f16") return f16BitsToF32;
  if (dtype === "bf16") return bf16BitsToF32;
  return (x) => x;
}

/** Returns a function mapping a number to its stored encoding (halves rounded to nearest even). */
export function encoder(dtype: DType): (value: number) => number {
  switch (dtype) {
    case "f16":
      return f32ToF16Bits;
    case "bf16":
      return f32ToBf16Bits;
    case "bool":
      return (x) => (x !== 0 ? 1 : 0);
    case "i32":
    case "i8":
    case "u8":
      return Math.trunc;
    default:
      return (x) => x;
  }
}

/** Writes numbers into storage with the dtype's encoding. */
export function writeValues(
  target: TypedArray,
  dtype: DType,
  values: ArrayLike<number>,
  at = 0,
): void {
  if (!isHalf(dtype) && dtype !== "bool") {
    if (ArrayBuffer.isView(values)) {
      (target as Float64Array).set(values as unknown as Float64Array, at);
      return;
    }
    for (let i = 0; i < values.length; i++) target[at + i] = values[i]!;
    return;
  }
  const encode = encoder(dtype);
  for (let i = 0; i < values.length; i++) target[at + i] = encode(values[i]!);
}

// Below this many elements the js loop beats the native call's overhead (measured: a 16x16
// transpose is faster in js, 64x64 already 2.5x faster natively, a permuted [8,128,64] 6x).
const NATIVE_COPY_MIN = 1024;

/** Copies a strided tensor's elements, row-major, into `out` (same encoding). */
export function copyStrided(src: Tensor, out: TypedArray): void {
  const { shape, strides } = src;
  const data = src.storage.data;
  const nd = shape.length;
  if (src.size === 0) return;
  if (
    src.size >= NATIVE_COPY_MIN &&
    nd <= 16 &&
    out.constructor === data.constructor &&
    data.BYTES_PER_ELEMENT <= 4 &&
    strides.every((s) => s >= 0 && s < 2 ** 31)
  ) {
    const kernel = nativeKernel<CopyStridedKernel>("copyStrided");
    if (kernel) {
      kernel(
        data.subarray(src.offset) as Float32Array,
        Int32Array.from(strides),
        Int32Array.from(shape),
        out as Float32Array,
      );
      return;
    }
  }
  if (nd === 0) {
    out[0] = data[src.offset]!;
    return;
  }
  const inner = shape[nd - 1]!;
  const innerStride = strides[nd - 1]!;
  const idx = new Array<number>(nd).fill(0);
  let base = src.offset;
  let o = 0;
  const rows = src.size / inner;
  for (let r = 0; r < rows; r++) {
    if (innerStride === 1) {
      out.set(data.subarray(base, base + inner) as never, o);
      o += inner;
    } else {
      for (let j = 0, p = base; j < inner; j++, p += innerStride) out[o++] = data[p]!;
    }
    for (let ax = nd - 2; ax >= 0; ax--) {
      idx[ax]!++;
      base += strides[ax]!;
      if (idx[ax]! < shape[ax]!) break;
      base -= idx[ax]! * strides[ax]!;
      idx[ax] = 0;
    }
  }
}

// `using` support (Symbol.dispose exists from Node 20.4 / TypeScript 5.2 on).
const disposeSymbol = (Symbol as { dispose?: symbol }).dispose;
if (disposeSymbol) {
  Object.defineProperty(Tensor.prototype, disposeSymbol, {
    value(this: Tensor) {
      this.dispose();
    },
  });
}
