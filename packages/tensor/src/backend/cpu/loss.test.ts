import { describe, expect, it } from "vitest";
import { grad } from "../../autograd/api.js";
import { IndexError } from "../../errors.js";
import { crossEntropy } from "../../ops/loss.js";
import { Tensor } from "../../tensor.js";
import type { CrossEntropyGradKernel, CrossEntropyKernel } from "../kernels.js";
import { withBackend } from "../registry.js";
import {
  cpuKernel,
  EPS,
  expectClose,
  forEachConfig,
  int,
  normal,
  pick,
  rng,
  skipNative,
} from "./testkit.js";
import { randomView } from "./viewkit.js";

describe.skipIf(skipNative)("cpu crossEntropy", () => {
  it("matches the f64 js backend in value and gradient on every ISA and thread count", () => {
    const r = rng(51);
    const cases = Array.from({ length: 10 }, (_, c) => {
      const lead = c % 3 === 0 ? [int(r, 1, 4), int(r, 1, 5)] : [int(r, 1, 9)];
      const vocab = pick(r, [1, 2, 3, 7, 16, 17, 33, 100, 1000]);
      const scale = pick(r, [1, 10, 30]);
      const logits = randomView(r, [...lead, vocab], () => normal(r)() * scale);
      const targets = Tensor.from(
        Array.from({ length: lead.reduce((p, d) => p * d, 1) }, () =>
          r() < 0.2 ? -100 : int(r, 0, vocab - 1),
        ),
        lead,
        "i32",
      );
      const reduction = pick(r, ["mean", "sum", "none"] as const);
      return { logits, targets, reduction, label: `${lead} x ${vocab} ${reduction}` };
    });
    const run = () =>
      cases.map(({ logits, targets, reduction }) => {
        const value = crossEntropy(logits, targets, { reduction }).toArray();
        const g = grad((x: Tensor) =>
          crossEntropy(x, targets, { reduction: reduction === "none" ? "sum" : reduction }),
        )(logits);
        return [value, g.toArray()];
      });
    const want = withBackend("js", run);
    forEachConfig((cfg) => {
      const got = withBackend("cpu", run);
      cases.forEach(({ label }, c) => {
        expectClose(`${cfg} ${label} loss`, got[c]![0]!, want[c]![0]!, 64 * EPS, 1e-6);
        expectClose(`${cfg} ${label} grad`, got[c]![1]!, want[c]![1]!, 16 * EPS, 1e-7);
      });
    });
  });

  it("the kernels compute losses and gradients themselves and reject bad targets", () => {
    const forward = cpuKernel<CrossEntropyKernel>("crossEntropy");
    const backward = cpuKernel<CrossEntropyGradKernel>("crossEntropyBackward");
    const logits = Float32Array.of(0, 0, Math.log(2), /* row 2 */ 5, 5, 5);
    const loss = new Float32Array(2);
    forward(logits, Int32Array.of(2, -100), 2, 3, -100, loss);
    expect(loss[0]).toBeCloseTo(Math.log(4) - Math.log(2), 6);
    expect(loss[1]).toBe(0);
    const g = new Float32Array(6).fill(Number.NaN);
    backward(logits, Int32Array.of(0, -100), 2, 3, -100, Float32Array.of(2, 7), g);
    expectClose("grad", g, [2 * 0.25 - 2, 0.5, 1, 0, 0, 0], 4 * EPS, 1e-7);
    expect(() => forward(logits, Int32Array.of(3, 0), 2, 3, -100, loss)).toThrow(
      /target 3 at position 0 .*3 classes/,
    );
    expect(() => forward(logits, Int32Array.of(0), 2, 3, -100, loss)).toThrow(
      /argument targets .*too short/,
    );
    expect(() => backward(logits, Int32Array.of(0, 0), 2, 3, -100, Float32Array.of(1), g)).toThrow(
      /argument weights/,
    );
    withBackend("cpu", () => {
      const x = Tensor.from(logits, [2, 3]);
      expect(() => crossEntropy(x, Tensor.from([0, 5], [2], "i32"))).toThrow(IndexError);
    });
  });
});
