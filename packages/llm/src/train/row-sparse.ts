// Row-sparse embedding gradients for the data-parallel hook: an untied embedding's gradient is
// non-zero only on the rows a batch read, so Zen can synchronize those rows instead of the table.
import { Tensor } from "@x/tensor";
import type { Gradient, RowSparseGradient } from "../protocols.js";
import { TrainingError } from "./errors.js";

/**
 * Sorted distinct token ids of some i32 id tensors (the embedding rows a batch reads).
 *
 * ```ts
 * touchedRows([Tensor.from([5, 1, 5], [1, 3], "i32")]); // Int32Array [1, 5]
 * ```
 */
export function touchedRows(ids: readonly Tensor[]): Int32Array {
  const seen = new Set<number>();
  for (const t of ids) for (const v of t.data()) seen.add(v);
  return Int32Array.from(seen).sort();
}

/**
 * The rows `rowIds` of a dense [numRows, D] gradient as a {@link RowSparseGradient}.
 *
 * ```ts
 * const g = toRowSparse(embeddingGrad, touchedRows([inputIds])); // {kind: "rows", rowIds, values [R, D], numRows}
 * ```
 */
export function toRowSparse(dense: Tensor, rowIds: Int32Array): RowSparseGradient {
  const [rows, dim] = dense.shape as [number, number];
  const src = dense.data();
  const values = new Float32Array(rowIds.length * dim);
  rowIds.forEach((r, i) => {
    values.set(src.subarray(r * dim, (r + 1) * dim), i * dim);
  });
  return {
    kind: "rows",
    rowIds,
    values: Tensor.wrap(values, [rowIds.length, dim], "f32"),
    numRows: rows,
  };
}

/** True for a {@link RowSparseGradient}. */
export function isRowSparse(g: Gradient): g is RowSparseGradient {
  return !(g instanceof Tensor) && (g as RowSparseGradient).kind === "rows";
}

/**
 * A dense f32 gradient of `shape` from either form (rows absent from a row-sparse gradient are
 * zero; repeated row ids add up). Wrong shapes or row ids raise TRAIN_SYNC naming `name`.
 *
 * ```ts
 * const dense = densify(synced["model.embed_tokens.weight"]!, [vocab, hidden], "model.embed_tokens.weight");
 * ```
 */
export function densify(g: Gradient, shape: readonly number[], name: string): Tensor {
  const fmt = (s: readonly number[]) => `[${s.join(", ")}]`;
  if (g instanceof Tensor) {
    if (g.shape.length !== shape.length || g.shape.some((d, i) => d !== shape[i])) {
      throw new TrainingError(
        "TRAIN_SYNC",
        `gradient of ${name} is ${fmt(g.shape)}, the parameter ${fmt(shape)}`,
      );
    }
    return g;
  }
  if (!isRowSparse(g))
    throw new TrainingError(
      "TRAIN_SYNC",
      `gradient of ${name} is neither a Tensor nor a row-sparse gradient`,
    );
  const [rows, dim] = shape as [number, number];
  const vs = g.values.shape;
  if (
    shape.length !== 2 ||
    g.numRows !== rows ||
    vs.length !== 2 ||
    vs[0] !== g.rowIds.length ||
    vs[1] !== dim
  ) {
    throw new TrainingError(
      "TRAIN_SYNC",
      `row-sparse gradient of ${name} (numRows ${g.numRows}, values ${fmt(vs)}, ${g.rowIds.length} ids) does not fit ${fmt(shape)}`,
    );
  }
  const out = new Float32Array(rows * dim);
  const src = g.values.data();
  g.rowIds.forEach((r, i) => {
    if (!Number.isInteger(r) || r < 0 || r >= rows)
      throw new TrainingError(
        "TRAIN_SYNC",
        `row-sparse gradient of ${name}: row id ${r} outside [0, ${rows})`,
      );
    for (let j = 0; j < dim; j++) out[r * dim + j] = out[r * dim + j]! + src[i * dim + j]!;
  });
  return Tensor.wrap(out, shape, "f32");
}
