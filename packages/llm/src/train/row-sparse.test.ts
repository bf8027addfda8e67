import { Tensor } from "@x/tensor";
import { describe, expect, it } from "vitest";
import { TrainingError } from "./errors.js";
import { densify, isRowSparse, toRowSparse, touchedRows } from "./row-sparse.js";

describe("row-sparse gradients", () => {
  const dense = Tensor.from([0, 0, 1, 2, 0, 0, 3, 4], [4, 2]);

  it("round-trips the touched rows of a dense gradient", () => {
    const rows = touchedRows([Tensor.from([3, 1, 3], [1, 3], "i32"), Tensor.from([1], [1], "i32")]);
    expect([...rows]).toEqual([1, 3]);
    const g = toRowSparse(dense, rows);
    expect(isRowSparse(g)).toBe(true);
    expect(g.values.toArray()).toEqual([1, 2, 3, 4]);
    expect(g.numRows).toBe(4);
    expect(densify(g, [4, 2], "emb").toArray()).toEqual(dense.toArray());
    expect(isRowSparse(dense)).toBe(false);
    expect(densify(dense, [4, 2], "emb")).toBe(dense);
  });

  it("adds repeated rows and rejects gradients that do not fit", () => {
    const rep = {
      kind: "rows" as const,
      rowIds: Int32Array.from([2, 2]),
      values: Tensor.from([1, 1, 2, 2], [2, 2]),
      numRows: 4,
    };
    expect(densify(rep, [4, 2], "emb").toArray()).toEqual([0, 0, 0, 0, 3, 3, 0, 0]);
    expect(() => densify({ ...rep, rowIds: Int32Array.from([2, 4]) }, [4, 2], "emb")).toThrow(
      TrainingError,
    );
    expect(() => densify({ ...rep, numRows: 5 }, [4, 2], "emb")).toThrow(/numRows 5/);
    expect(() => densify(Tensor.from([1, 2]), [4, 2], "emb")).toThrow(/emb/);
  });
});
