// Typed errors of @x/ann-graph. Each has a stable `code` and a message that says what was wrong and where.
import { XError } from "@x/tensor";

/**
 * Base class of every @x/ann-graph error.
 *
 * @example
 * try { index.search(q, 10); } catch (e) { if (e instanceof AnnGraphError) console.log(e.code); }
 */
export class AnnGraphError extends XError {}

/** A vector or query whose length does not match the index dimension. */
export class DimensionMismatchError extends AnnGraphError {
  constructor(
    readonly expected: number,
    readonly got: number,
    what = "vector",
  ) {
    super("E_ANN_DIMENSION", `${what} has dimension ${got}, the index expects ${expected}`);
  }
}
/** A NaN or infinite value in a vector (row index given). */
export class NonFiniteVectorError extends AnnGraphError {
  constructor(
    readonly row: number,
    what = "vector",
  ) {
    super("E_ANN_NONFINITE", `${what} row ${row} contains NaN or an infinite value`);
  }
}
/** A zero vector where a direction is needed (cosine, i8). */
export class ZeroVectorError extends AnnGraphError {
  constructor(
    readonly row: number,
    what = "vector",
  ) {
    super("E_ANN_ZERO", `${what} row ${row} has zero norm; cosine distance is undefined`);
  }
}
/** A label that is not an integer in [0, 2^32 - 2]. */
export class InvalidLabelError extends AnnGraphError {
  constructor(readonly label: unknown) {
    super("E_ANN_LABEL", `label ${String(label)} is not an integer in [0, 4294967294]`);
  }
}
/** A label already in the index. */
export class DuplicateLabelError extends AnnGraphError {
  constructor(readonly label: number) {
    super(
      "E_ANN_DUPLICATE",
      `label ${label} is already in the index (pass replace: true to overwrite)`,
    );
  }
}
/** An add beyond capacity without autoResize. */
export class CapacityError extends AnnGraphError {
  constructor(readonly capacity: number) {
    super(
      "E_ANN_CAPACITY",
      `the index is full (capacity ${capacity}); pass autoResize: true or a larger capacity`,
    );
  }
}
/** A write to an index opened with viewIndex (read-only mmap). */
export class ReadOnlyIndexError extends AnnGraphError {
  constructor(what: string) {
    super(
      "E_ANN_READONLY",
      `${what}: the index is a read-only view; use loadIndex for a mutable copy`,
    );
  }
}
/** An operation the index kind does not support. */
export class NotSupportedError extends AnnGraphError {
  constructor(message: string) {
    super("E_ANN_NOT_SUPPORTED", message);
  }
}
/** A damaged index file; `section` names the part that failed its check. */
export class CorruptIndexError extends AnnGraphError {
  constructor(
    readonly section: string,
    detail: string,
  ) {
    super("E_ANN_CORRUPT", `corrupt index file: ${section}: ${detail}`);
  }
}
/** An index file written by a newer format version. */
export class UnsupportedVersionError extends AnnGraphError {
  constructor(readonly version: number) {
    super(
      "E_ANN_VERSION",
      `index file format version ${version} is newer than this library supports (1)`,
    );
  }
}
/** A platform the file format does not support (big-endian). */
export class UnsupportedPlatformError extends AnnGraphError {
  constructor(message: string) {
    super("E_ANN_PLATFORM", message);
  }
}
/** A vector longer than the MIPS lift radius chosen at build time. */
export class MipsLiftOverflowError extends AnnGraphError {
  constructor(
    readonly norm: number,
    readonly radius: number,
  ) {
    super(
      "E_ANN_MIPS_OVERFLOW",
      `vector norm ${norm} exceeds the MIPS lift radius ${radius}; rebuild the index`,
    );
  }
}
/** A call on a disposed index. */
export class DisposedError extends AnnGraphError {
  constructor() {
    super("E_ANN_DISPOSED", "the index has been disposed");
  }
}
/** Raw inner product over vectors of unequal norms: the graph may be unnavigable (strict mode). */
export class UnnormalizedInnerProductError extends AnnGraphError {
  constructor(readonly spread: number) {
    super("E_ANN_UNNORMALIZED_IP", unnormalizedMessage(spread));
  }
}

/** The text of the raw-inner-product warning and error. */
export function unnormalizedMessage(spread: number): string {
  return (
    `metric 'ip' on vectors whose norms differ (max/min = ${spread.toFixed(4)}): a graph built on raw inner ` +
    "product can be unnavigable (points with a neighbour of larger inner product than their own). Normalize " +
    "and use 'cosine', pass mipsLift: true (exact MIPS order through the l2 lift), or assumeNormalized: true."
  );
}
