import { Tensor } from "@x/tensor";
import { describe, expect, it } from "vitest";
import { fullCache } from "../cache/full-cache.js";
import { UsageError } from "../errors.js";
import { tinyModel } from "../test-models.js";
import { complete, generate } from "./generate.js";
import { argmax } from "./sampling.js";

const model = tinyModel({ eosTokenIds: [] });
const prompts = [
  [1, 2, 3, 4, 5],
  [9, 8],
  [30, 31, 32],
];

describe("generate", () => {
  it("greedy decoding equals argmax of full recomputes", async () => {
    const [out] = await complete(model, [prompts[0]!], { maxNewTokens: 6 });
    const seq = [...prompts[0]!];
    for (let i = 0; i < 6; i++) {
      const logits = model.forward({
        inputIds: Tensor.from(seq, [1, seq.length], "i32"),
        logitsFor: "last",
      });
      seq.push(argmax(logits.data() as Float32Array));
    }
    expect(out!.tokens).toEqual(seq.slice(5));
    expect(out!.finishReason).toBe("length");
  });

  it("is reproducible under a seed and changes with it", async () => {
    const opts = { maxNewTokens: 12, temperature: 1.5, topK: 40, topP: 0.95, seed: 123 };
    const a = await complete(model, prompts, opts);
    const b = await complete(model, prompts, opts);
    const c = await complete(model, prompts, { ...opts, seed: 124 });
    expect(a).toEqual(b);
    expect(a.map((x) => x.tokens)).not.toEqual(c.map((x) => x.tokens));
  });

  it("batched generation equals per-sequence generation", async () => {
    const seeds = [5, 6, 7];
    const opts = { maxNewTokens: 8, temperature: 0.9, minP: 0.05, repetitionPenalty: 1.2 };
    const batched = await complete(model, prompts, { ...opts, seed: seeds });
    for (let i = 0; i < prompts.length; i++) {
      const [one] = await complete(model, [prompts[i]!], { ...opts, seed: [seeds[i]!] });
      expect(batched[i]).toEqual(one);
    }
    const greedy = await complete(model, prompts, {
      maxNewTokens: 8,
      cache: fullCache({ dtype: "f16" }),
    });
    for (let i = 0; i < prompts.length; i++) {
      expect(greedy[i]).toEqual(
        (
          await complete(model, [prompts[i]!], {
            maxNewTokens: 8,
            cache: fullCache({ dtype: "f16" }),
          })
        )[0],
      );
    }
  });

  it("stops on stop tokens, stop sequences and the hook", async () => {
    const [free] = await complete(model, [prompts[0]!], { maxNewTokens: 8 });
    const t = free!.tokens;
    const [byToken] = await complete(model, [prompts[0]!], {
      maxNewTokens: 8,
      stopTokens: [t[2]!],
    });
    expect(byToken!.tokens).toEqual(t.slice(0, t.indexOf(t[2]!) + 1));
    expect(byToken!.finishReason).toBe("stop");
    const [bySeq] = await complete(model, [prompts[0]!], {
      maxNewTokens: 8,
      stopSequences: [[t[3]!, t[4]!]],
    });
    expect(bySeq!.tokens.slice(-2)).toEqual([t[3], t[4]]);
    const [byHook] = await complete(model, [prompts[0]!], {
      maxNewTokens: 8,
      shouldStop: (toks) => toks.length === 3,
    });
    expect(byHook).toEqual({ tokens: t.slice(0, 3), finishReason: "hook" });
    const eosModel = tinyModel({ eosTokenIds: [t[0]!] });
    expect((await complete(eosModel, [prompts[0]!], { maxNewTokens: 8 }))[0]!.tokens).toEqual([
      t[0],
    ]);
  });

  it("streams and yields to the event loop between tokens", async () => {
    let immediates = 0;
    const counter = async () => {
      for (let i = 0; i < 10; i++)
        await new Promise<void>((r) =>
          setImmediate(() => {
            immediates++;
            r();
          }),
        );
    };
    const run = (async () => {
      const at: number[] = [];
      for await (const _ of generate(model, prompts[1]!, { maxNewTokens: 4 })) at.push(immediates);
      return at;
    })();
    const [at] = await Promise.all([run, counter()]);
    expect(at!.length).toBe(4);
    // Other macrotasks ran while tokens were being produced.
    expect(at![3]).toBeGreaterThan(at![0]!);
  });

  it("validates prompts and options", async () => {
    await expect(complete(model, [[]])).rejects.toThrow(UsageError);
    await expect(complete(model, [[64]])).rejects.toThrow(/not in 0..63/);
    await expect(complete(model, prompts, { seed: [1] })).rejects.toThrow(/seeds/);
    await expect(complete(model, [[1]], { topP: 2, temperature: 1 })).rejects.toThrow(/topP/);
  });
});
