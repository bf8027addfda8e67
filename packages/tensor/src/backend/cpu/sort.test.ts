import { describe, expect, it } from "vitest";
import { IndexError } from "../../errors.js";
import { argsort, sort, topk } from "../../ops/sort.js";
import { Tensor } from "../../tensor.js";
import type { SortRowsKernel } from "../kernels.js";
import { withBackend } from "../registry.js";
import { cpuKernel, forEachConfig, int, pick, rng, skipNative } from "./testkit.js";
import { expectSameBits, randomShape, randomView } from "./viewkit.js";

// Values with many ties, signed zeros, infinities and NaN, so order and tie rules both matter.
const SPECIAL = [
  0,
  -0,
  1,
  -1,
  2.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1e-40,
];

describe.skipIf(skipNative)("cpu sort / argsort / topk", () => {
  it("equal the js backend (stable, NaN largest, ties by index) on every axis, ISA and thread count", () => {
    const r = rng(31);
    const cases = Array.from({ length: 14 }, () => {
      const shape = randomShape(r, 1, 3, [1, 2, 3, 5, 9, 17, 33, 70]);
      const ties = r() < 0.5;
      const t = randomView(r, shape, () =>
        r() < 0.2 ? pick(r, SPECIAL) : ties ? int(r, -3, 3) : r() * 10 - 5,
      );
      const axis = int(r, -shape.length, shape.length - 1);
      const k = int(r, 0, shape[(axis + shape.length) % shape.length]!);
      return { t, axis, k, desc: r() < 0.5, label: `${shape} axis ${axis} k ${k}` };
    });
    const run = () =>
      cases.map(({ t, axis, k, desc }) => {
        const s = sort(t, axis, desc);
        const top = topk(t, k, { axis, largest: desc });
        return [
          s.values.toArray(),
          s.indices.toArray(),
          argsort(t, axis, !desc).toArray(),
          top.values.toArray(),
          top.indices.toArray(),
        ];
      });
    const want = withBackend("js", run);
    forEachConfig((cfg) => {
      const got = withBackend("cpu", run);
      for (const [c, { label }] of cases.entries())
        for (const [j, v] of got[c]!.entries())
          expectSameBits(`${cfg} ${label} part ${j}`, v, want[c]![j]!);
    });
  });

  it("the kernel sorts rows itself and checks its arguments", () => {
    const sortRows = cpuKernel<SortRowsKernel>("sortRows");
    const x = Float32Array.of(3, Number.NaN, -0, 0, 1, 1, /* row 2 */ 5, 4, 3, 2, 1, 0);
    const out = new Int32Array(6);
    sortRows(x, 2, 6, 3, false, out);
    expect([...out]).toEqual([2, 3, 4, 5, 4, 3]);
    sortRows(x, 2, 6, 3, true, out);
    expect([...out]).toEqual([1, 0, 4, 0, 1, 2]);
    expect(() => sortRows(x, 2, 6, 7, false, out)).toThrow(/argument k/);
    expect(() => sortRows(x, 3, 6, 2, false, out)).toThrow(/argument x .*too short/);
    expect(() => sortRows(x, 2, 6, 4, false, out)).toThrow(/argument out .*too short/);
    expect(() => sortRows(new Float64Array(12) as never, 2, 6, 3, false, out)).toThrow(TypeError);
    withBackend("cpu", () => expect(() => topk(Tensor.from([1, 2]), 3)).toThrow(IndexError));
  });
});
