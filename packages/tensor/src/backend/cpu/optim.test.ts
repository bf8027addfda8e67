import { describe, expect, it } from "vitest";
import { adamwUpdate } from "../../ops/optim.js";
import { Tensor } from "../../tensor.js";
import { withBackend } from "../registry.js";
import { forEachConfig, rng, skipNative } from "./testkit.js";

const bits = (t: Tensor) => Buffer.from((t.data() as Float32Array).buffer).toString("hex");

describe.skipIf(skipNative)("cpu adamw", () => {
  it("writes the same bits as the js loop over several steps (1 and 2 threads)", () => {
    const n = 70001; // several thread chunks and a ragged end
    const r = rng(3);
    const fresh = () => ({
      p: Tensor.wrap(
        Float32Array.from({ length: n }, () => r() * 2 - 1),
        [n],
        "f32",
      ),
      m: Tensor.wrap(new Float32Array(n), [n], "f32"),
      v: Tensor.wrap(new Float32Array(n), [n], "f32"),
    });
    const grads = [1, 2, 3].map(() =>
      Tensor.wrap(
        Float32Array.from({ length: n }, () => (r() * 2 - 1) * 0.01),
        [n],
        "f32",
      ),
    );
    const run = (s: ReturnType<typeof fresh>) =>
      grads.forEach((g, i) => {
        const t = i + 1;
        adamwUpdate(s.p, g, s.m, s.v, {
          beta1: 0.9,
          beta2: 0.95,
          eps: 1e-8,
          shrink: 1 - 1e-3 * 0.1,
          stepSize: 1e-3 / (1 - 0.9 ** t),
          sqrtBias2: Math.sqrt(1 - 0.95 ** t),
        });
      });
    const start = fresh();
    const js = { p: start.p.clone(), m: start.m.clone(), v: start.v.clone() };
    withBackend("js", () => run(js));
    forEachConfig((label) => {
      const cpu = { p: start.p.clone(), m: start.m.clone(), v: start.v.clone() };
      run(cpu);
      expect(bits(cpu.p), `${label} param`).toBe(bits(js.p));
      expect(bits(cpu.m), `${label} exp_avg`).toBe(bits(js.m));
      expect(bits(cpu.v), `${label} exp_avg_sq`).toBe(bits(js.v));
    });
  });
});
