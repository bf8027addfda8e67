import * as tensor from "@x/tensor";
import { dequantize, Tensor, ValueError } from "@x/tensor";
import { describe, expect, it, vi } from "vitest";
import { fullCache } from "../cache/full-cache.js";
import { makeConfig } from "../config.js";
import { LlamaModel } from "./llama.js";

// Counts the native layer calls while running the real kernel.
vi.mock("@x/tensor", async (importOriginal) => {
  const actual = await importOriginal<typeof tensor>();
  return { ...actual, decodeLayer: vi.fn(actual.decodeLayer) };
});

const cfg = makeConfig({
  vocabSize: 96,
  hiddenSize: 64,
  intermediateSize: 96,
  numLayers: 3,
  numHeads: 4,
  numKvHeads: 2,
  headDim: 32,
  tieWordEmbeddings: true,
});
const ids = (xs: number[]) => Tensor.from(xs, [1, xs.length], "i32");

describe.skipIf(!tensor.decodeLayerAvailable())("native decode step", () => {
  for (const format of ["q4_0", "q8_0", "f32"] as const) {
    it(`${format}: gives the op-by-op logits bit for bit, step after step`, () => {
      const base = LlamaModel.random(cfg, { seed: 3, std: 0.2 });
      const model = format === "f32" ? base : base.quantize(format, { head: true });
      const fast = model.createCache(fullCache());
      const slow = model.createCache(fullCache());
      const prompt = ids([5, 17, 3, 88, 41]);
      model.forward({ inputIds: prompt, cache: fast });
      model.forward({ inputIds: prompt, cache: slow });
      const calls = vi.mocked(tensor.decodeLayer);
      calls.mockClear();
      for (let step = 0; step < 70; step++) {
        const token = ids([(step * 37) % cfg.vocabSize]);
        const a = model.forward({ inputIds: token, cache: fast }).data();
        // Hooks (even empty ones) keep the op-by-op path.
        const b = model.forward({ inputIds: token, cache: slow, hooks: {} }).data();
        expect(Array.from(a)).toEqual(Array.from(b));
      }
      // Quantized weights take the native step where they are kept as tiles (AVX2, AVX-512).
      const native = format === "f32" || tensor.nativeTiles();
      expect(calls).toHaveBeenCalledTimes(native ? 70 * cfg.numLayers : 0);
      expect(fast.length(0)).toBe(slow.length(0));
    });
  }

  it("runs dense models of any sizes (no multiple of 32 needed without quantized weights)", () => {
    const odd = makeConfig({
      vocabSize: 50,
      hiddenSize: 48,
      intermediateSize: 40,
      numLayers: 2,
      numHeads: 2,
      numKvHeads: 1,
      headDim: 22,
      tieWordEmbeddings: true,
    });
    const model = LlamaModel.random(odd, { seed: 5, std: 0.2 });
    const [fast, slow] = [model.createCache(fullCache()), model.createCache(fullCache())];
    model.forward({ inputIds: ids([1, 2]), cache: fast });
    model.forward({ inputIds: ids([1, 2]), cache: slow });
    const calls = vi.mocked(tensor.decodeLayer);
    calls.mockClear();
    for (let step = 0; step < 3; step++) {
      const a = model.forward({ inputIds: ids([step + 3]), cache: fast }).data();
      const b = model.forward({ inputIds: ids([step + 3]), cache: slow, hooks: {} }).data();
      expect(Array.from(a)).toEqual(Array.from(b));
    }
    expect(calls).toHaveBeenCalledTimes(3 * odd.numLayers);
  });

  it("mixes tiled and dense weights (a dense override of a quantized projection)", () => {
    const model = LlamaModel.random(cfg, { seed: 4, std: 0.2 }).quantize("q8_0");
    const name = "model.layers.1.self_attn.o_proj.weight";
    const params = { ...model.params, [name]: dequantize(model.quantized[name]!) };
    const [fast, slow] = [model.createCache(fullCache()), model.createCache(fullCache())];
    model.forward({ inputIds: ids([1, 2, 3]), cache: fast, params });
    model.forward({ inputIds: ids([1, 2, 3]), cache: slow, params });
    const calls = vi.mocked(tensor.decodeLayer);
    calls.mockClear();
    for (let step = 0; step < 4; step++) {
      const a = model.forward({ inputIds: ids([step + 7]), cache: fast, params }).data();
      const b = model.forward({ inputIds: ids([step + 7]), cache: slow, params, hooks: {} }).data();
      expect(Array.from(a)).toEqual(Array.from(b));
    }
    expect(calls).toHaveBeenCalledTimes(tensor.nativeTiles() ? 4 * cfg.numLayers : 0);
  });

  it("leaves batches and f16 caches to the op-by-op path", () => {
    const q4 = LlamaModel.random(cfg, { seed: 1 }).quantize("q4_0");
    const calls = vi.mocked(tensor.decodeLayer);
    calls.mockClear();
    const half = q4.createCache(fullCache({ dtype: "f16" }));
    q4.forward({ inputIds: ids([1, 2]), cache: half });
    q4.forward({ inputIds: ids([3]), cache: half });
    const two = q4.createCache(fullCache(), { batch: 2 });
    q4.forward({ inputIds: Tensor.from([1, 2], [2, 1], "i32"), cache: two });
    expect(calls).not.toHaveBeenCalled();
  });

  it("raises the op-by-op error for activations outside the q8_0 range, keeping the cache consistent", () => {
    const model = LlamaModel.random(cfg, { seed: 2 }).quantize("q4_0");
    const cache = model.createCache(fullCache());
    model.forward({ inputIds: ids([1, 2, 3]), cache });
    const calls = vi.mocked(tensor.decodeLayer);
    calls.mockClear();
    const bad = new Float32Array(cfg.hiddenSize).fill(0.5);
    bad[7] = Number.NaN; // survives the norm: the first projection's input is out of range
    const nan = Tensor.wrap(bad, [1, 1, cfg.hiddenSize], "f32");
    expect(() => model.forward({ inputsEmbeds: nan, cache })).toThrow(ValueError);
    expect(calls).toHaveBeenCalledTimes(tensor.nativeTiles() ? 1 : 0);
    expect(cache.length(0)).toBe(3); // the failed token was not committed natively
    expect(model.forward({ inputIds: ids([4]), cache }).shape).toEqual([1, 1, cfg.vocabSize]);
    expect(cache.length(0)).toBe(4);
  });
});
