// Sliding-window caches that drop what the window can no longer see: same results as keeping
// every token behind a mask (and as recomputing the whole sequence), bounded memory.
import { argmax, randn, scaledDotProductAttention, Tensor } from "@x/tensor";
import { describe, expect, it } from "vitest";
import { makeConfig, parseConfig } from "../config.js";
import { KVCacheError } from "../errors.js";
import { complete } from "../generate/generate.js";
import { LlamaModel } from "../model/llama.js";
import type { KVShape } from "../protocols.js";
import { TINY_SHAPES } from "../test-models.js";
import { fullCache } from "./full-cache.js";
import type { FullStore } from "./full-store.js";

const shape: KVShape = {
  nLayers: 1,
  batch: 1,
  nKvHeads: 2,
  nQHeads: 4,
  headDim: 8,
  dtype: "f32",
  device: "cpu",
};
const layer = (slidingWindow: "drop" | "mask") =>
  fullCache({ slidingWindow }).create(shape).layers[0] as FullStore;

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KVCacheError);
    return (e as KVCacheError).code;
  }
  throw new Error("no error");
}

function maxDiff(a: Tensor, b: Tensor): number {
  const x = a.toFloat64();
  const y = b.toFloat64();
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
}

describe("FullStore sliding window", () => {
  const W = 4;
  const T = 200;
  const k = randn([1, 2, T, 8], { seed: 1 });
  const v = randn([1, 2, T, 8], { seed: 2 });
  const q = randn([1, 4, T, 8], { seed: 3 });
  const at = (t: Tensor, a: number, b: number) => t.slice(2, a, b);

  it("drops old tokens, holds W - 1 between steps, and matches the masked cache bit for bit", () => {
    const [drop, mask] = [layer("drop"), layer("mask")];
    expect([drop.caps.evicts, mask.caps.evicts]).toEqual([true, false]);
    const prefill = 6;
    const outs: Tensor[][] = [[], []];
    [drop, mask].forEach((l, i) => {
      l.append(at(k, 0, prefill), at(v, 0, prefill));
      outs[i]!.push(l.attend(at(q, 0, prefill), { window: W }).out);
    });
    const reserved = new Set<number>();
    for (let t = prefill; t < T; t++) {
      [drop, mask].forEach((l, i) => {
        l.append(at(k, t, t + 1), at(v, t, t + 1));
        outs[i]!.push(l.attend(at(q, t, t + 1), { window: W }).out);
      });
      expect(drop.stored(0, 1)).toBe(W - 1);
      expect([...drop.positions(0, 0)]).toEqual([t - 2, t - 1, t]);
      expect(mask.stored(0, 1)).toBe(t + 1);
      if (t >= 100) reserved.add(drop.bytes().reserved);
      // Oracle: attention over exactly the window.
      const want = scaledDotProductAttention(
        at(q, t, t + 1),
        at(k, t - W + 1, t + 1),
        at(v, t - W + 1, t + 1),
      );
      expect(maxDiff(outs[0]!.at(-1)!, want)).toBeLessThan(1e-6);
    }
    for (let i = 0; i < outs[0]!.length; i++)
      expect(outs[0]![i]!.data(), `step ${i}`).toEqual(outs[1]![i]!.data());
    // Memory: bounded by the window (at most 2W slots of k, v and position per head once the
    // first 64-slot buffer is outgrown), unlike the masked cache.
    expect(reserved.size).toBe(1);
    expect(drop.bytes().reserved).toBeLessThanOrEqual(2 * 2 * W * (2 * 8 * 4 + 4));
    expect(mask.bytes().reserved).toBeGreaterThan(10 * drop.bytes().reserved);
    expect(drop.bytes().used).toBe(2 * (2 * (W - 1) * 8 * 4) + 2 * (W - 1) * 4);
    expect(drop.stats()).toMatchObject({ slidingWindow: "drop", dropped: 2 * (T - W + 1) });
  });

  it("forks, snapshots and restores the dropped state, then continues identically", () => {
    const l = layer("drop");
    l.append(at(k, 0, 10), at(v, 0, 10));
    l.attend(at(q, 0, 10), { window: W });
    const f = l.fork();
    const snap = l.snapshot();
    const step = (x: FullStore) => {
      x.append(at(k, 10, 11), at(v, 10, 11));
      return x.attend(at(q, 10, 11), { window: W }).out.data();
    };
    const want = step(l);
    expect(step(f)).toEqual(want);
    const r = layer("drop");
    r.restore(snap);
    expect(r.stored(0, 0)).toBe(W - 1);
    expect(step(r)).toEqual(want);
  });

  it("still enforces maxSeqLen on a layer that has dropped nothing (no window attended)", () => {
    for (const mode of ["drop", "mask"] as const) {
      const l = fullCache({ slidingWindow: mode }).create({ ...shape, maxSeqLen: 4 }).layers[0]!;
      l.append(at(k, 0, 4), at(v, 0, 4));
      l.attend(at(q, 0, 4));
      expect(
        code(() => l.append(at(k, 4, 5), at(v, 4, 5))),
        mode,
      ).toBe("KV_CAPACITY");
    }
  });

  it("refuses what would need dropped tokens, before changing anything", () => {
    const l = layer("drop");
    l.append(at(k, 0, 10), at(v, 0, 10));
    l.attend(at(q, 0, 10), { window: W }); // holds positions 7, 8, 9
    expect(code(() => l.attend(at(q, 10, 11)))).toBe("KV_STATE");
    expect(code(() => l.attend(at(q, 10, 11), { window: W + 1 }))).toBe("KV_STATE");
    expect(code(() => l.truncate(9))).toBe("KV_STATE"); // position 9 would need 6
    expect(l.length()).toBe(10);
    l.truncate(10); // a no-op is fine
    expect(l.attend(at(q, 10, 11), { window: 2 }).out.shape).toEqual([1, 4, 1, 8]); // smaller: fine
    l.reset();
    l.append(at(k, 0, 3), at(v, 0, 3));
    expect(l.attend(at(q, 0, 3)).out.shape).toEqual([1, 4, 3, 8]); // after reset: anything goes
    expect(code(() => fullCache({ slidingWindow: "ring" as "drop" }))).toBe("KV_CONFIG");
  });
});

describe("generation with a sliding-window model", () => {
  const small = TINY_SHAPES;
  const ids = (xs: number[]) => Tensor.from(xs, [1, xs.length], "i32");
  const W = 5;

  /** Greedy decoding step by step, returning the tokens and each step's last logits. */
  function decode(
    model: LlamaModel,
    prompt: number[],
    steps: number,
    slidingWindow: "drop" | "mask",
  ) {
    const cache = model.createCache(fullCache({ slidingWindow }));
    let logits = model.forward({ inputIds: ids(prompt), cache, logitsFor: "last" });
    const tokens: number[] = [];
    const all: Float32Array[] = [];
    for (let s = 0; s < steps; s++) {
      all.push(logits.data() as Float32Array);
      const tok = argmax(logits.reshape([-1]), 0).item() as number;
      tokens.push(tok);
      logits = model.forward({ inputIds: ids([tok]), cache, logitsFor: "last" });
    }
    return { tokens, logits: all, cache };
  }

  for (const [name, cfg] of [
    [
      "Mistral (every layer windowed)",
      parseConfig({ ...makeConfig({ ...small, architecture: "mistral" }).raw, sliding_window: W }),
    ],
    [
      "Qwen2 (window on layer 1 only)",
      parseConfig({
        ...makeConfig({ ...small, architecture: "qwen2" }).raw,
        use_sliding_window: true,
        sliding_window: W,
        max_window_layers: 1,
      }),
    ],
  ] as const) {
    it(`${name}: dropping matches the masked cache exactly and a full recompute`, async () => {
      const model = LlamaModel.random(cfg, { seed: 11, std: 0.3 });
      const prompt = [3, 17, 42];
      const steps = 24; // 27 positions, past the window of 5
      const drop = decode(model, prompt, steps, "drop");
      const mask = decode(model, prompt, steps, "mask");
      expect(drop.tokens).toEqual(mask.tokens);
      for (let s = 0; s < steps; s++) expect(drop.logits[s], `step ${s}`).toEqual(mask.logits[s]);
      // Full recompute of every prefix with the window mask, no cache.
      const seq = [...prompt, ...drop.tokens];
      const full = model.forward({ inputIds: ids(seq.slice(0, -1)) });
      const vocab = cfg.vocabSize;
      const fd = full.data() as Float32Array;
      for (let s = 0; s < steps; s++) {
        const pos = prompt.length - 1 + s;
        const row = fd.subarray(pos * vocab, (pos + 1) * vocab);
        const got = drop.logits[s]!;
        let err = 0;
        let norm = 0;
        for (let i = 0; i < vocab; i++) {
          err = Math.max(err, Math.abs(row[i]! - got[i]!));
          norm = Math.max(norm, Math.abs(row[i]!));
        }
        expect(err / norm, `step ${s}`).toBeLessThan(1e-5);
        expect(row.indexOf(Math.max(...row)), `step ${s}`).toBe(drop.tokens[s]);
      }
      // Windowed layers hold W - 1 tokens per head; full-attention layers everything.
      const held = cfg.slidingWindow.map((_, l) => drop.cache.layers[l]!.stored(0, 0));
      expect(held).toEqual(cfg.slidingWindow.map((w) => (w === undefined ? seq.length : W - 1)));
      expect(drop.cache.bytes().used).toBeLessThan(mask.cache.bytes().used);
      // generate() uses the dropping cache by default and picks the same tokens.
      const [out] = await complete(model, [prompt], { maxNewTokens: steps, stopTokens: [] });
      expect(out!.tokens).toEqual(drop.tokens);
    });
  }

  it("a chunked prefill keeps a long prompt's cache near the window", async () => {
    const cfg = parseConfig({
      ...makeConfig({ ...small, architecture: "mistral" }).raw,
      sliding_window: W,
    });
    const model = LlamaModel.random(cfg, { seed: 12, std: 0.3 });
    const prompt = Array.from({ length: 150 }, (_, i) => (i * 7 + 3) % 64);
    const whole = model.createCache(fullCache());
    const a = model.forward({ inputIds: ids(prompt), cache: whole, logitsFor: "last" });
    const chunked = model.createCache(fullCache());
    let b = a;
    for (let i = 0; i < prompt.length; i += W)
      b = model.forward({
        inputIds: ids(prompt.slice(i, i + W)),
        cache: chunked,
        logitsFor: "last",
      });
    expect(maxDiff(a, b)).toBeLessThan(1e-5);
    expect(chunked.bytes().used).toBe(whole.bytes().used); // both hold W - 1 tokens now
    expect(chunked.bytes().reserved * 2).toBeLessThan(whole.bytes().reserved);
    const [x] = await complete(model, [prompt], { maxNewTokens: 8, stopTokens: [] });
    const [y] = await complete(model, [prompt], {
      maxNewTokens: 8,
      stopTokens: [],
      prefillChunk: W,
    });
    expect(y!.tokens).toEqual(x!.tokens);
  });
});
