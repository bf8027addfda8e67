import { describe, expect, it } from "vitest";
import { DTypeError } from "../../errors.js";
import { maskedFill, where } from "../../ops/shape-ops.js";
import { Tensor } from "../../tensor.js";
import type { CopyStridedKernel, WhereKernel } from "../kernels.js";
import { withBackend } from "../registry.js";
import { cpuKernel, forEachConfig, int, normal, rng, skipNative } from "./testkit.js";
import { expectSameBits, randomShape, randomView } from "./viewkit.js";

// Broadcast-compatible variant of `shape`: some axes set to 1, some leading axes dropped.
function squash(r: () => number, shape: number[]): number[] {
  const s = shape.map((d) => (r() < 0.3 ? 1 : d));
  return s.slice(int(r, 0, Math.min(1, s.length)));
}

describe.skipIf(skipNative)("cpu where / maskedFill", () => {
  it("equal the js backend bit for bit under broadcasting and strided views, every ISA and thread count", () => {
    const r = rng(41);
    const cases = Array.from({ length: 14 }, () => {
      const shape = randomShape(r, 0, 4, [1, 2, 3, 5, 16, 17, 33]);
      const cond = randomView(r, squash(r, shape), () => (r() < 0.5 ? 1 : 0), "bool");
      const a =
        r() < 0.2 ? -1.5 : randomView(r, squash(r, shape), normal(r), r() < 0.2 ? "i32" : "f32");
      const b = r() < 0.2 ? Number.NaN : randomView(r, squash(r, shape), normal(r));
      const t = randomView(r, shape, normal(r));
      const mask = randomView(r, squash(r, shape), () => (r() < 0.5 ? 1 : 0), "bool");
      return { cond, a, b, t, mask, label: `${shape}` };
    });
    const run = () =>
      cases.map(({ cond, a, b, t, mask }) => [
        where(cond, a, b).toArray(),
        maskedFill(t, mask, -Infinity).toArray(),
      ]);
    const want = withBackend("js", run);
    forEachConfig((cfg) => {
      const got = withBackend("cpu", run);
      for (const [c, { label }] of cases.entries())
        for (const [j, v] of got[c]!.entries())
          expectSameBits(`${cfg} ${label} ${j}`, v, want[c]![j]!);
    });
  });

  it("contiguous() copies large strided views of every 1/2/4-byte dtype exactly like js", () => {
    const r = rng(43);
    const cases = Array.from({ length: 10 }, (_, c) => {
      const dtype = (["f32", "i32", "f16", "u8", "bool"] as const)[c % 5]!;
      const shape = [int(r, 9, 40), int(r, 9, 40), int(r, 3, 9)];
      const gen =
        dtype === "bool" ? () => int(r, 0, 1) : dtype === "u8" ? () => int(r, 0, 255) : normal(r);
      return { t: randomView(r, shape, gen, dtype), label: `${dtype} ${shape}` };
    });
    const run = () => cases.map(({ t }) => t.contiguous().toArray());
    const want = withBackend("js", run);
    forEachConfig((cfg) => {
      const got = withBackend("cpu", run);
      for (const [c, { label }] of cases.entries())
        expectSameBits(`${cfg} ${label}`, got[c]!, want[c]!);
    });
  });

  it("the kernels check their arguments", () => {
    const whereK = cpuKernel<WhereKernel>("where");
    const out = new Float32Array(4);
    const s = Int32Array.of(1);
    whereK(
      Uint8Array.of(1, 0, 0, 1),
      s,
      Float32Array.of(1, 2, 3, 4),
      s,
      Float32Array.of(9),
      Int32Array.of(0),
      out,
      Int32Array.of(4),
    );
    expect([...out]).toEqual([1, 9, 9, 4]);
    expect(() =>
      whereK(
        Uint8Array.of(1),
        s,
        Float32Array.of(1, 2, 3, 4),
        s,
        Float32Array.of(9),
        Int32Array.of(0),
        out,
        Int32Array.of(4),
      ),
    ).toThrow(/argument cond .*too short/);
    expect(() =>
      whereK(
        Uint8Array.of(1, 0, 0, 1),
        s,
        Float32Array.of(1),
        s,
        Float32Array.of(9),
        Int32Array.of(0),
        out,
        Int32Array.of(4),
      ),
    ).toThrow(/argument a .*too short/);
    expect(() =>
      whereK(
        Uint8Array.of(1, 0, 0, 1),
        s,
        Float32Array.of(1, 2, 3, 4),
        Int32Array.of(1, 1),
        Float32Array.of(9),
        Int32Array.of(0),
        out,
        Int32Array.of(4),
      ),
    ).toThrow(/rank/);
    const copy = cpuKernel<CopyStridedKernel>("copyStrided");
    const dst = new Uint16Array(6);
    copy(
      Uint16Array.from({ length: 12 }, (_, i) => i),
      Int32Array.of(1, 4),
      Int32Array.of(3, 2),
      dst,
    );
    expect([...dst]).toEqual([0, 4, 1, 5, 2, 6]);
    expect(() => copy(new Uint16Array(5), Int32Array.of(1, 4), Int32Array.of(3, 2), dst)).toThrow(
      /argument src .*too short/,
    );
    expect(() =>
      copy(new Uint16Array(12), Int32Array.of(1, 4), Int32Array.of(3, 2), new Float32Array(6)),
    ).toThrow(TypeError);
    withBackend("cpu", () => expect(() => where(Tensor.from([1]), 1, 2)).toThrow(DTypeError));
  });
});
