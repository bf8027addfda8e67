// Gradients of composite, model-like losses: the native cpu backend must agree with the js oracle
// (f32, odd shapes, views), and a tiny transformer block must pass an f64 finite-difference check.
import { describe, expect, it } from "vitest";
import "../index.js";
import { availableBackends, withBackend } from "../backend/registry.js";
import { scaledDotProductAttention } from "../ops/attention.js";
import { add, exp, mul } from "../ops/elementwise.js";
import { embedding, gather } from "../ops/indexing.js";
import { crossEntropy } from "../ops/loss.js";
import { linear, matmul } from "../ops/matmul.js";
import { layerNorm, rmsNorm } from "../ops/norm.js";
import { randint, randn } from "../ops/random.js";
import { logsumexp, sum } from "../ops/reduce.js";
import { rope, ropeFrequencies } from "../ops/rope.js";
import { logSoftmax, softmax } from "../ops/softmax.js";
import type { Shape } from "../shape.js";
import type { Tensor } from "../tensor.js";
import { valueAndGrad } from "./api.js";
import {
  activationLayer,
  type BlockParams,
  blockParams,
  transformerBlock,
} from "./block-testkit.js";
import { gradcheck } from "./gradcheck.js";

const hasCpu = availableBackends().includes("cpu");

/** Seeded f32 normal tensor times `scale`. */
const rn = (shape: Shape, seed: number, scale = 1): Tensor =>
  mul(randn(shape, { seed, dtype: "f32" }), scale);

/** Sum of `t` weighted by a fixed random tensor, so every output element gets its own gradient. */
const project = (t: Tensor, seed: number): Tensor =>
  sum(mul(t, randn(t.shape, { seed: seed + 999, dtype: t.dtype })));

/** Odd sizes (not multiples of SIMD widths) derived from `seed`. */
function oddDims(seed: number): { n: number; d: number; v: number } {
  const pick = (k: number, lo: number, span: number) =>
    lo + ((seed * 7919 + k * 104729) % span) * 2 + 1;
  return { n: pick(1, 1, 4), d: pick(2, 8, 12), v: pick(3, 5, 20) };
}

interface Case {
  name: string;
  /** Inputs for `seed`; all float inputs are differentiated. */
  inputs: (seed: number) => Tensor[];
  loss: (...inputs: Tensor[]) => Tensor;
}

const CASES: Case[] = [
  {
    name: "crossEntropy(linear(rmsNorm(x, w), W))",
    inputs: (s) => {
      const { n, d, v } = oddDims(s);
      return [
        rn([2, n, d], s),
        rn([d], s + 1),
        rn([v, d], s + 2, 0.3),
        randint(0, v, [2, n], { seed: s + 3, dtype: "i32" }),
      ];
    },
    loss: (x, w, W, t) => crossEntropy(linear(rmsNorm(x!, w), W!), t!),
  },
  {
    name: "causal GQA attention",
    inputs: (s) => {
      const { n, d } = oddDims(s);
      const seq = n + 4;
      return [
        rn([2, 6, seq, d], s, 0.5),
        rn([2, 2, seq, d], s + 1, 0.5),
        rn([2, 2, seq, d], s + 2),
      ];
    },
    loss: (q, k, v) => project(scaledDotProductAttention(q!, k!, v!, { causal: true }), 1),
  },
  {
    name: "GQA attention on transposed [B, S, H, D] views (decode-style Sq < Skv)",
    inputs: (s) => {
      const { d } = oddDims(s);
      return [rn([1, 3, 4, d], s, 0.5), rn([1, 9, 2, d], s + 1, 0.5), rn([1, 9, 2, d], s + 2)];
    },
    loss: (q, k, v) =>
      project(
        scaledDotProductAttention(q!.transpose(1, 2), k!.transpose(1, 2), v!.transpose(1, 2), {
          causal: true,
        }),
        2,
      ),
  },
  {
    name: "softmax, logSoftmax and logsumexp",
    inputs: (s) => {
      const { n, v } = oddDims(s);
      return [rn([n, 3, v], s, 2)];
    },
    loss: (x) =>
      add(
        add(project(softmax(x!), 3), project(logSoftmax(x!, 1), 4)),
        project(logsumexp(x!, -1), 5),
      ),
  },
  {
    name: "rope (rotate-half and interleaved) on batched positions",
    inputs: (s) => {
      const { n, d } = oddDims(s);
      return [rn([2, 3, n + 2, 2 * d], s)];
    },
    loss: (x) => {
      const seq = x!.shape[2]!;
      const freqs = ropeFrequencies({ dim: x!.shape[3]!, base: 500000 });
      const pos = randint(0, 4096, [2, seq], { seed: 7, dtype: "i32" });
      return add(
        project(rope(x!, pos, freqs), 6),
        project(rope(x!, pos, freqs, { layout: "interleaved" }), 7),
      );
    },
  },
  {
    name: "swiglu MLP",
    inputs: (s) => {
      const { n, d, v } = oddDims(s);
      return [
        rn([n, d], s),
        rn([v, d], s + 1, 0.4),
        rn([v, d], s + 2, 0.4),
        rn([d, v], s + 3, 0.4),
      ];
    },
    loss: (x, wg, wu, wd) => project(activationLayer(x!, wg!, wu!, wd!), 8),
  },
  {
    name: "layerNorm with weight and bias",
    inputs: (s) => {
      const { n, v } = oddDims(s);
      return [add(rn([n, 2, v], s, 3), 1.5), rn([v], s + 1), rn([v], s + 2)];
    },
    loss: (x, w, b) => project(exp(layerNorm(x!, w, b)), 9),
  },
  {
    name: "embedding + gather",
    inputs: (s) => {
      const { n, d, v } = oddDims(s);
      const ids = randint(0, v, [3, n], { seed: s + 1, dtype: "i32" });
      return [rn([v, d], s), ids, randint(0, d, [3, n, 2], { seed: s + 2, dtype: "i32" })];
    },
    // Repeated ids make the embedding gradient accumulate rows.
    loss: (E, ids, cols) =>
      project(gather(mul(embedding(E!, ids!), embedding(E!, ids!)), 2, cols!), 10),
  },
  {
    name: "matmul on transposed views with broadcast batches",
    inputs: (s) => {
      const { n, d, v } = oddDims(s);
      return [rn([2, 1, d, n + 1], s), rn([3, v, d], s + 1), rn([v, 5], s + 2), rn([d], s + 3)];
    },
    loss: (a, b, c, vec) => {
      // a^T [2, 1, n+1, d] x (b^T)^T ... : a^T b^T -> [2, 3, n+1, v], then x c -> [2, 3, n+1, 5].
      const ab = matmul(a!, b!, { transA: true, transB: true });
      const abc = matmul(ab, c!.transpose(0, 1), { transB: true });
      const vecProd = matmul(b!, vec!); // [3, v] (matrix-vector)
      return add(project(abc, 11), project(vecProd, 12));
    },
  },
  {
    name: "tiny transformer block",
    inputs: (s) => blockParams(s, "f32").list,
    loss: (...ts) => transformerBlock(ts as BlockParams["list"]),
  },
];

/** Loss and gradients of every float input of `c` under `backend`. */
function run(
  backend: "cpu" | "js",
  c: Case,
  seed: number,
): { value: number; grads: Float64Array[] } {
  return withBackend(backend, () => {
    const inputs = c.inputs(seed);
    const argnums = inputs.map((t, i) => (t.dtype === "f32" ? i : -1)).filter((i) => i >= 0);
    const r = valueAndGrad(c.loss, argnums)(...inputs);
    return { value: r.value.item(), grads: (r.grads as Tensor[]).map((g) => g.toFloat64()) };
  });
}

/** Max |a - b| relative to the largest |b| (f32 gradients are compared by scale, not elementwise). */
function scaledError(a: Float64Array, b: Float64Array): number {
  let maxB = 0;
  let maxDiff = 0;
  for (let i = 0; i < b.length; i++) {
    maxB = Math.max(maxB, Math.abs(b[i]!));
    maxDiff = Math.max(maxDiff, Math.abs(a[i]! - b[i]!));
  }
  if (Number.isNaN(maxDiff) || a.some(Number.isNaN)) return Number.POSITIVE_INFINITY;
  return maxDiff / Math.max(maxB, 1e-30);
}

describe.skipIf(!hasCpu)("gradient parity: cpu vs js", () => {
  for (const c of CASES) {
    it(c.name, () => {
      for (const seed of [1, 2, 3]) {
        const cpu = run("cpu", c, seed);
        const js = run("js", c, seed);
        expect(Math.abs(cpu.value - js.value), `${c.name} loss, seed ${seed}`).toBeLessThanOrEqual(
          1e-5 * Math.max(1, Math.abs(js.value)),
        );
        expect(cpu.grads.length).toBe(js.grads.length);
        cpu.grads.forEach((g, k) => {
          const err = scaledError(g, js.grads[k]!);
          expect(err, `${c.name} grad ${k}, seed ${seed}`).toBeLessThanOrEqual(2e-5);
          expect(
            js.grads[k]!.some((x) => x !== 0),
            `${c.name} grad ${k} is all zero`,
          ).toBe(true);
        });
      }
    });
  }
});

describe("tiny transformer block in f64", () => {
  it("passes a finite-difference gradcheck on the js backend", () => {
    const { list } = blockParams(11, "f64");
    const report = withBackend("js", () =>
      gradcheck((...ts) => transformerBlock(ts as BlockParams["list"]), list, {
        rtol: 1e-5,
        atol: 1e-8,
      }),
    );
    expect(report.checked).toBe(
      list.filter((t) => t.dtype === "f64").reduce((s, t) => s + t.size, 0),
    );
  });
});
