import { Tensor } from "@x/tensor";
import { describe, expect, it } from "vitest";
import { AdamW, decayMatricesOnly } from "./adamw.js";
import { TrainingError } from "./errors.js";

const vec = (xs: number[]) => Tensor.from(xs, [xs.length]);

describe("AdamW", () => {
  it("matches PyTorch's documented update on a vector for three steps", () => {
    // Reference values: PyTorch's AdamW pseudo-code evaluated in f64 (lr 0.1, betas (0.9, 0.999),
    // eps 1e-8, weight_decay 0.1): θ ← θ(1 − lr·λ); m, v; θ ← θ − lr·m̂/(√v̂ + ε).
    const params = { w: Tensor.from([1, -2], [1, 2]) };
    const opt = new AdamW(params, { weightDecay: 0.1 });
    const grads = [
      [0.5, -1],
      [-1, 0.25],
      [2, 0],
    ];
    const expected = [
      [0.890000002, -1.880000001],
      [0.9177103542205653, -1.8142531845134584],
      [0.8665676891558989, -1.7598206275775221],
    ];
    grads.forEach((g, k) => {
      opt.step(params, { w: Tensor.from(g, [1, 2]) }, 0.1);
      const got = params.w.toArray();
      expect(got[0]).toBeCloseTo(expected[k]![0]!, 6);
      expect(got[1]).toBeCloseTo(expected[k]![1]!, 6);
    });
    expect(opt.stepCount).toBe(3);
  });

  it("follows the closed form for a constant gradient: θ_t = θ_{t-1}(1 − lr·λ) − lr·g/(|g| + ε)", () => {
    // With a constant g, m̂_t = g and v̂_t = g² at every t (bias correction is exact).
    const lr = 0.01;
    const wd = 0.5;
    const params = { a: Tensor.from([3, -1, 0.25], [3, 1]) };
    const opt = new AdamW(params, { weightDecay: wd, betas: [0.8, 0.99], eps: 1e-6 });
    const g = [0.2, -4, 1e-3];
    let ref = [3, -1, 0.25];
    for (let t = 0; t < 5; t++) {
      opt.step(params, { a: Tensor.from(g, [3, 1]) }, lr);
      ref = ref.map((x, i) => x * (1 - lr * wd) - (lr * g[i]!) / (Math.abs(g[i]!) + 1e-6));
    }
    for (const [i, x] of params.a.toArray().entries()) expect(x).toBeCloseTo(ref[i]!, 6);
  });

  it("skips weight decay on norms and biases by default, and the filter is configurable", () => {
    expect(decayMatricesOnly("model.layers.0.mlp.up_proj.weight", [4, 4])).toBe(true);
    expect(decayMatricesOnly("model.norm.weight", [4])).toBe(false);
    expect(decayMatricesOnly("model.layers.0.self_attn.q_proj.bias", [4])).toBe(false);
    const mk = () => ({ "x.weight": Tensor.from([1, 1], [1, 2]), "x.bias": vec([1]) });
    const zero = { "x.weight": Tensor.from([0, 0], [1, 2]), "x.bias": vec([0]) };
    const p1 = mk();
    new AdamW(p1, { weightDecay: 0.5 }).step(p1, zero, 0.1);
    expect(p1["x.weight"].toArray()).toEqual([0.949999988079071, 0.949999988079071]); // f32(0.95)
    expect(p1["x.bias"].toArray()).toEqual([1]);
    const p2 = mk();
    const all = new AdamW(p2, { weightDecay: 0.5, decay: () => true });
    expect([...all.decayed].sort()).toEqual(["x.bias", "x.weight"]);
    all.step(p2, zero, 0.1);
    expect(p2["x.bias"].toArray()).toEqual([Math.fround(0.95)]);
  });

  it("state round-trips: a restored optimizer continues identically", () => {
    const a = { w: vec([0.5, 1.5, -2]) };
    const b = { w: vec([0.5, 1.5, -2]) };
    const optA = new AdamW(a);
    optA.step(a, { w: vec([1, -2, 3]) }, 0.05);
    b.w.data().set(a.w.data());
    const optB = new AdamW(b);
    optB.loadState(optA.state());
    expect(optB.stepCount).toBe(1);
    optA.step(a, { w: vec([-1, 0.5, 2]) }, 0.05);
    optB.step(b, { w: vec([-1, 0.5, 2]) }, 0.05);
    expect(b.w.toArray()).toEqual(a.w.toArray());
  });

  it("rejects bad hyper-parameters and mismatched gradients with typed errors", () => {
    const p = { w: vec([1]) };
    expect(() => new AdamW(p, { betas: [1, 0.9] })).toThrow(TrainingError);
    expect(() => new AdamW(p, { weightDecay: -1 })).toThrow(/weightDecay/);
    const opt = new AdamW(p);
    expect(() => opt.step(p, {}, 0.1)).toThrow(/no gradient for w/);
    expect(() => opt.step(p, { w: vec([1, 2]) }, 0.1)).toThrow(/2 elements/);
    expect(() => opt.step(p, { w: vec([1]) }, Number.NaN)).toThrow(/lr/);
    expect(() => opt.loadState({ step: 1, moments: {} })).toThrow(/exp_avg.w/);
  });

  it("checks every gradient before updating any parameter", () => {
    const params = { a: vec([1, 2]), b: vec([3]) };
    const opt = new AdamW(params);
    const grads = { a: vec([0.5, 0.5]), b: Tensor.from([1], [1], "f64") };
    expect(() => opt.step(params, grads, 0.1)).toThrow(/gradient of b is f64/);
    expect(params.a.toArray()).toEqual([1, 2]);
    expect(opt.stepCount).toBe(0);
  });
});
