import {
  cat,
  dequantize,
  QTensor,
  randn,
  rope,
  ropeFrequencies,
  sum,
  Tensor,
  valueAndGrad,
} from "@x/tensor";
import { describe, expect, it } from "vitest";
import { fullCache } from "../cache/full-cache.js";
import { makeConfig } from "../config.js";
import { UsageError, WeightsError } from "../errors.js";
import type { KVAttendOptions, KVCache, KVCacheLayer, LinearOp } from "../protocols.js";
import { tinyModel } from "../test-models.js";
import { defaultLinear } from "./linear.js";
import { LlamaModel } from "./llama.js";
import { linearTarget, parameterShapes } from "./parameters.js";

const ids = (xs: number[], b = 1) => Tensor.from(xs, [b, xs.length / b], "i32");
const tokens = [3, 17, 42, 5, 9, 63, 0, 11, 28, 30];

/** max |a - b| / max |b| */
function rel(a: Tensor, b: Tensor): number {
  const x = a.toFloat64();
  const y = b.toFloat64();
  let d = 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) {
    d = Math.max(d, Math.abs(x[i]! - y[i]!));
    s = Math.max(s, Math.abs(y[i]!));
  }
  return d / s;
}

describe("LlamaModel", () => {
  it("decode with a cache gives the logits of a full recompute", () => {
    for (const model of [
      tinyModel(),
      tinyModel({ architecture: "qwen2" }),
      tinyModel({ tieWordEmbeddings: true, attentionBias: true, mlpBias: true }),
    ]) {
      const full = model.forward({ inputIds: ids(tokens) });
      const cache = model.createCache(fullCache());
      const steps = [model.forward({ inputIds: ids(tokens.slice(0, 6)), cache })];
      for (let t = 6; t < tokens.length; t++)
        steps.push(model.forward({ inputIds: ids([tokens[t]!]), cache }));
      expect(rel(cat(steps, 1), full)).toBeLessThan(1e-5);
      expect(cache.length()).toBe(tokens.length);
      const last = model.forward({ inputIds: ids(tokens), logitsFor: "last" });
      expect(rel(last, full.slice(1, 9, 10))).toBeLessThan(1e-6);
    }
  });

  it("per-row caches in one batched forward equal separate runs", () => {
    const model = tinyModel();
    const a = [1, 2, 3, 4, 5];
    const b = [6, 7, 8];
    const caches = [model.createCache(fullCache()), model.createCache(fullCache())];
    model.forward({ inputIds: ids(a), cache: caches[0] });
    model.forward({ inputIds: ids(b), cache: caches[1] });
    const both = model.forward({ inputIds: ids([9, 10], 2), cache: caches });
    const wantA = model.forward({ inputIds: ids([...a, 9]), logitsFor: "last" });
    const wantB = model.forward({ inputIds: ids([...b, 10]), logitsFor: "last" });
    expect(rel(both.slice(0, 0, 1), wantA)).toBeLessThan(1e-5);
    expect(rel(both.slice(0, 1, 2), wantB)).toBeLessThan(1e-5);
  });

  it("hands un-rotated q/k and RoPE parameters to a keyRope 'pre' cache", () => {
    const model = tinyModel();
    const inner = fullCache().create({
      nLayers: 2,
      batch: 1,
      nKvHeads: 2,
      nQHeads: 4,
      headDim: 8,
      dtype: "f32",
      device: "cpu",
    });
    // A cache that rotates keys and queries itself with its own positions.
    const layers = inner.layers.map((l): KVCacheLayer => {
      let pendingStart = 0;
      return {
        ...l,
        caps: { ...l.caps, keyRope: "pre" },
        length: (r?: number) => l.length(r),
        append(k: Tensor, v: Tensor) {
          pendingStart = l.length();
          const pos = Array.from({ length: k.shape[2]! }, (_, i) => pendingStart + i);
          l.append(rope(k, pos, freqs), v);
        },
        attend(q: Tensor, o?: KVAttendOptions) {
          expect(o?.rope?.theta).toBe(10000);
          freqs = o!.rope!.freqs;
          const pos = Array.from({ length: q.shape[2]! }, (_, i) => pendingStart + i);
          return l.attend(rope(q, pos, freqs), o);
        },
      };
    });
    let freqs = ropeFrequencies({ dim: 8 });
    const cache = { ...inner, layers, length: (r?: number) => layers[0]!.length(r) } as KVCache;
    const got = [model.forward({ inputIds: ids(tokens.slice(0, 5)), cache })];
    got.push(model.forward({ inputIds: ids([tokens[5]!]), cache }));
    expect(rel(cat(got, 1), model.forward({ inputIds: ids(tokens.slice(0, 6)) }))).toBeLessThan(
      1e-5,
    );
  });

  it("sliding-window attention agrees between the full pass and the cache", () => {
    const cfg = makeConfig({
      architecture: "mistral",
      vocabSize: 64,
      hiddenSize: 32,
      intermediateSize: 64,
      numLayers: 2,
      numHeads: 4,
      numKvHeads: 2,
    });
    const windowed = LlamaModel.random({ ...cfg, slidingWindow: [4, 4] }, { seed: 3, std: 0.2 });
    const full = windowed.forward({ inputIds: ids(tokens) });
    const cache = windowed.createCache(fullCache());
    const steps = [windowed.forward({ inputIds: ids(tokens.slice(0, 3)), cache })];
    for (let t = 3; t < tokens.length; t++)
      steps.push(windowed.forward({ inputIds: ids([tokens[t]!]), cache }));
    expect(rel(cat(steps, 1), full)).toBeLessThan(1e-5);
    const unwindowed = new LlamaModel(cfg, windowed.params).forward({ inputIds: ids(tokens) });
    expect(rel(unwindowed.slice(1, 0, 4), full.slice(1, 0, 4))).toBeLessThan(1e-6);
    expect(rel(unwindowed.slice(1, 9, 10), full.slice(1, 9, 10))).toBeGreaterThan(1e-4);
  });

  it("takes input embeddings and differentiates w.r.t. them (soft prompts)", () => {
    const model = tinyModel();
    const x = ids(tokens);
    const emb = model.embed(x);
    expect(rel(model.forward({ inputsEmbeds: emb }), model.forward({ inputIds: x }))).toBe(0);
    const prompt = randn([1, 2, 32], { seed: 5 });
    const { grads } = valueAndGrad((p: Tensor) =>
      sum(model.forward({ inputsEmbeds: cat([p, emb], 1), logitsFor: "last" })),
    )(prompt);
    expect(grads.shape).toEqual([1, 2, 32]);
    expect(grads.toArray().some((g) => g !== 0)).toBe(true);
  });

  it("differentiates w.r.t. a params record matching finite differences", () => {
    const model = tinyModel();
    const name = "model.layers.1.mlp.up_proj.weight";
    const f = (p: Record<string, Tensor>) =>
      sum(
        model.forward({
          inputIds: ids(tokens.slice(0, 4)),
          params: { ...model.params, ...p },
          logitsFor: "last",
        }),
      );
    const w = model.params[name]!;
    const { grads } = valueAndGrad(f)({ [name]: w });
    const data = Float32Array.from(w.data() as Float32Array);
    const eps = 1e-2;
    const at = 37;
    const bumped = (d: number) => {
      const c = Float32Array.from(data);
      c[at] = c[at]! + d;
      return f({ [name]: Tensor.wrap(c, w.shape, "f32") }).item();
    };
    const fd = (bumped(eps) - bumped(-eps)) / (2 * eps);
    expect(grads[name]!.toArray()[at]).toBeCloseTo(fd, 2);
  });

  it("calls the pluggable linear op for every projection by name", () => {
    const model = tinyModel();
    const seen: string[] = [];
    const op: LinearOp = (x, w, b, n) => {
      seen.push(n);
      return defaultLinear(x, w, b, n);
    };
    model.setLinearOp(op);
    model.forward({ inputIds: ids([1, 2]) });
    model.setLinearOp();
    expect(seen.length).toBe(2 * 7 + 1);
    expect(seen[0]).toBe("model.layers.0.self_attn.q_proj");
    expect(seen.at(-1)).toBe("lm_head");
    expect(seen.map(linearTarget).slice(0, 7)).toEqual([
      "attn.q",
      "attn.k",
      "attn.v",
      "attn.o",
      "mlp.gate",
      "mlp.up",
      "mlp.down",
    ]);
  });

  it("quantized projections stay close to f32 logits and pass input gradients", () => {
    const model = tinyModel();
    const ref = model.forward({ inputIds: ids(tokens) });
    const q8 = model.quantize("q8_0");
    const q4 = model.quantize("q4_0");
    expect(q8.quantized["model.layers.0.mlp.up_proj.weight"]).toBeInstanceOf(QTensor);
    const e8 = rel(q8.forward({ inputIds: ids(tokens) }), ref);
    const e4 = rel(q4.forward({ inputIds: ids(tokens) }), ref);
    console.log(`quantized logits relative error: q8_0 ${e8.toFixed(4)}, q4_0 ${e4.toFixed(4)}`);
    expect(e8).toBeLessThan(0.05);
    expect(e4).toBeLessThan(0.5);
    expect(e8).toBeLessThan(e4 / 2);
    // Against f32 math on the dequantized weights only the q8_0 activation rounding remains.
    const deq = Object.fromEntries(
      Object.entries(q4.quantized).map(([n, w]) => [n, dequantize(w)]),
    );
    const same = new LlamaModel(model.config, { ...q4.params, ...deq }).forward({
      inputIds: ids(tokens),
    });
    expect(rel(q4.forward({ inputIds: ids(tokens) }), same)).toBeLessThan(0.05);
    for (const tied of [false, true]) {
      const m = tied ? tinyModel({ tieWordEmbeddings: true }) : model;
      const withHead = m.quantize("q8_0", { head: true });
      expect(withHead.quantized["lm_head.weight"]).toBeInstanceOf(QTensor);
      expect(withHead.numParameters()).toBe(m.numParameters());
      expect(
        rel(withHead.forward({ inputIds: ids(tokens) }), m.forward({ inputIds: ids(tokens) })),
      ).toBeLessThan(0.05);
    }
    const { grads } = valueAndGrad((e: Tensor) =>
      sum(q4.forward({ inputsEmbeds: e, logitsFor: "last" })),
    )(model.embed(ids(tokens)));
    expect(grads.toArray().some((g) => g !== 0)).toBe(true);
  });

  it("fused quantized q/k/v and gate/up give the per-projection logits, with and without cache", () => {
    for (const format of ["q8_0", "q4_0"] as const) {
      const q = tinyModel().quantize(format);
      // A custom linear op sees every projection, so it turns the fused path off.
      const perProjection: LinearOp = (x, w, b, n) => defaultLinear(x, w, b, n);
      const run = (op?: LinearOp) => {
        q.setLinearOp(op);
        const cache = q.createCache(fullCache());
        const steps = [q.forward({ inputIds: ids(tokens.slice(0, 6)), cache })];
        for (let t = 6; t < tokens.length; t++)
          steps.push(q.forward({ inputIds: ids([tokens[t]!]), cache }));
        return [q.forward({ inputIds: ids(tokens) }), cat(steps, 1)];
      };
      const [fullRef, stepsRef] = run(perProjection);
      const [full, steps] = run();
      expect(rel(full!, fullRef!)).toBeLessThan(1e-6);
      expect(rel(steps!, stepsRef!)).toBeLessThan(1e-6);
      // A dense override in params must win over the fused weights.
      const name = "model.layers.0.self_attn.k_proj.weight";
      const params = { ...q.params, [name]: dequantize(q.quantized[name]!) };
      const over = q.forward({ inputIds: ids(tokens), params });
      q.setLinearOp(perProjection);
      expect(rel(over, q.forward({ inputIds: ids(tokens), params }))).toBeLessThan(1e-6);
      q.setLinearOp();
    }
  });

  it("validates weights and inputs with typed errors", () => {
    const model = tinyModel();
    const { "model.norm.weight": _, ...rest } = model.params;
    expect(() => new LlamaModel(model.config, rest)).toThrow(WeightsError);
    expect(
      () => new LlamaModel(model.config, { ...model.params, "model.norm.weight": randn([3]) }),
    ).toThrow(/model.norm.weight: has shape \[3\]/);
    expect(() => new LlamaModel(model.config, { ...model.params, extra: randn([3]) })).toThrow(
      /extra: is not a parameter/,
    );
    expect(() => model.forward({})).toThrow(UsageError);
    expect(() => model.forward({ inputIds: Tensor.from([1], [1, 1], "f32") })).toThrow(/i32/);
    expect(() => model.forward({ inputIds: ids([1, 2]), positions: [0] })).toThrow(/positions/);
    expect(Object.keys(parameterShapes(model.config)).length).toBe(1 + 2 * 9 + 2);
    expect(model.numParameters()).toBe(
      64 * 32 * 2 + 32 + 2 * (2 * 32 + (32 + 16 + 16 + 32) * 32 + 3 * 32 * 64),
    );
  });
});
