import { Tensor } from "@x/tensor";
import { describe, expect, it } from "vitest";
import { complete, LlamaModel, makeConfig } from "../index.js";
import { deviceCache, fullCache } from "../kv.js";
import { TINY_SHAPES } from "../test-models.js";

// The device cache's logic runs on host tensors with {device: "cpu"}; on cuda the same code runs
// on device buffers (pnpm test:cuda).
describe("deviceCache", () => {
  const base = TINY_SHAPES;

  it("generates what the full cache generates, growing past its capacity", async () => {
    const model = LlamaModel.random(makeConfig(base), { seed: 3 });
    const prompt = [1, 5, 9, 2, 7];
    const [want] = await complete(model, [prompt], { maxNewTokens: 12, stopTokens: [] });
    const [got] = await complete(model, [prompt], {
      maxNewTokens: 12,
      stopTokens: [],
      cache: deviceCache({ device: "cpu", capacity: 4 }),
    });
    expect(got!.tokens).toEqual(want!.tokens);
  });

  it("matches full recompute with a sliding window, and forks and restores", () => {
    const model = LlamaModel.random(makeConfig({ ...base, slidingWindow: 3 } as never), {
      seed: 4,
    });
    const ids = [3, 1, 4, 1, 5, 9, 2, 6];
    const full = model.forward({ inputIds: Tensor.from(ids, [1, 8], "i32") }).toFloat64();
    const cache = model.createCache(deviceCache({ device: "cpu", capacity: 2 }));
    model.forward({ inputIds: Tensor.from(ids.slice(0, 5), [1, 5], "i32"), cache });
    const snap = cache.snapshot();
    const fork = cache.fork();
    for (const c of [cache, fork]) {
      const last = model.forward({ inputIds: Tensor.from(ids.slice(5), [1, 3], "i32"), cache: c });
      const a = last.toFloat64();
      const b = full.subarray(5 * 64);
      for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i]!, 5);
    }
    cache.restore(snap);
    expect(cache.length()).toBe(5);
    expect(fullCache().kind).toBe("full");
  });
});
