/** Base class of every error raised by the `@x` packages; `code` is stable for programmatic checks. */
export class XError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Shapes that do not fit together (broadcasting, matmul inner dims, reshape sizes). */
export class ShapeError extends XError {
  constructor(message: string) {
    super("E_SHAPE", message);
  }
}

/** A dtype the operation does not accept, or two dtypes that must agree and do not. */
export class DTypeError extends XError {
  constructor(message: string) {
    super("E_DTYPE", message);
  }
}

/** A tensor on the wrong device, or a backend that is unavailable. */
export class DeviceError extends XError {
  constructor(message: string) {
    super("E_DEVICE", message);
  }
}

/** An index or axis outside the valid range. */
export class IndexError extends XError {
  constructor(message: string) {
    super("E_INDEX", message);
  }
}

/** A malformed file or buffer; `offset` is the byte offset where the problem was found. */
export class FormatError extends XError {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super("E_FORMAT", `${message} (at byte ${offset})`);
    this.offset = offset;
  }
}

/** An argument outside its documented domain (negative size, NaN where forbidden...). */
export class ValueError extends XError {
  constructor(message: string) {
    super("E_VALUE", message);
  }
}
