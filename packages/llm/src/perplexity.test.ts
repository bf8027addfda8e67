import { logSoftmax, Tensor } from "@x/tensor";
import { describe, expect, it } from "vitest";
import { UsageError } from "./errors.js";
import { perplexity } from "./perplexity.js";
import { tinyModel } from "./test-models.js";

const model = tinyModel();
const tokens = Array.from({ length: 23 }, (_, i) => (i * 37 + 11) % 64);

/** Token t scored with the context the sliding-window recipe gives it, one forward per token. */
function naive(window: number, stride: number): { nll: number; count: number } {
  let sum = 0;
  let count = 0;
  let prevEnd = 0;
  for (let begin = 0; begin < tokens.length; begin += stride) {
    const end = Math.min(begin + window, tokens.length);
    for (let t = Math.max(prevEnd, begin + 1); t < end; t++) {
      const ctx = tokens.slice(begin, t);
      const logits = model.forward({
        inputIds: Tensor.from(ctx, [1, ctx.length], "i32"),
        logitsFor: "last",
      });
      sum -= logSoftmax(logits).toArray()[tokens[t]!]!;
      count++;
    }
    prevEnd = end;
    if (end === tokens.length) break;
  }
  return { nll: sum / count, count };
}

describe("perplexity", () => {
  it("equals exp(mean nll) of a naive token-by-token loop", () => {
    for (const [window, stride] of [
      [8, 8],
      [8, 3],
      [30, 30],
      [5, 1],
    ] as const) {
      const r = perplexity(model, tokens, { window, stride });
      const n = naive(window, stride);
      expect(r.tokens).toBe(n.count);
      // Disjoint windows (stride = window) cannot score their first token; overlapping ones score all but token 0.
      expect(r.tokens).toBe(
        stride < window ? tokens.length - 1 : tokens.length - Math.ceil(tokens.length / window),
      );
      expect(r.nll).toBeCloseTo(n.nll, 5);
      expect(r.ppl).toBeCloseTo(Math.exp(n.nll), 4);
    }
  });

  it("validates its options", () => {
    expect(() => perplexity(model, [1])).toThrow(UsageError);
    expect(() => perplexity(model, tokens, { window: 4, stride: 5 })).toThrow(/stride/);
    expect(() => perplexity(model, tokens, { window: 1 })).toThrow(/window/);
  });
});
