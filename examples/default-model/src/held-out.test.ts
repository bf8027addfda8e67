import { LlamaModel, makeConfig } from "@x/llm";
import { Tensor } from "@x/tensor";
import { describe, expect, it } from "vitest";
import { heldOutPerplexity } from "./held-out.js";
import { TOKEN_FORMAT, type TokenSplit } from "./token-stream.js";
import { passageTargets, UnigramModel } from "./unigram.js";

const V = 16;
const model = LlamaModel.random(
  makeConfig({
    vocabSize: V,
    hiddenSize: 16,
    intermediateSize: 32,
    numLayers: 2,
    numHeads: 4,
    numKvHeads: 2,
    maxPositionEmbeddings: 64,
    bosTokenId: 0,
    eosTokenIds: [1],
  }),
  { seed: 3, std: 0.3 },
);

/** Passages of 7, 12 and 30 tokens (BOS ... EOS) with pseudo-random ids in [2, V). */
function split(): TokenSplit {
  const lengths = [7, 12, 30];
  const tokens: number[] = [];
  const spans = lengths.map((length, k) => {
    const offset = tokens.length;
    tokens.push(0);
    for (let i = 0; i < length - 2; i++) tokens.push(2 + ((i * 7 + k * 5 + i * i) % (V - 2)));
    tokens.push(1);
    return { id: `p${k}`, offset, length, bytes: 3 * length };
  });
  return {
    tokens: Uint16Array.from(tokens),
    index: {
      format: TOKEN_FORMAT,
      split: "validation",
      source: "toy",
      tokenizer: { sha256: "x", vocabSize: V, bos: 0, eos: 1 },
      passages: lengths.length,
      tokens: tokens.length,
      textBytes: spans.reduce((s, x) => s + x.bytes, 0),
      maxPassageTokens: 30,
      spans,
    },
  };
}

/** -ln softmax(logits)[target] in f64. */
function nllOf(row: Float32Array, target: number): number {
  let max = -Infinity;
  for (const x of row) max = Math.max(max, x);
  let sum = 0;
  for (const x of row) sum += Math.exp(x - max);
  return -(row[target]! - max - Math.log(sum));
}

/** The sliding-window recipe written out: window [begin, end) scores the tokens after the previous end. */
function reference(ids: number[], window: number, stride: number): { sum: number; count: number } {
  const n = ids.length;
  let sum = 0;
  let count = 0;
  let prevEnd = 0;
  const step = n <= window ? n : stride;
  for (let begin = 0; ; begin += step) {
    const end = Math.min(begin + window, n);
    const chunk = ids.slice(begin, end);
    const logits = model
      .forward({ inputIds: Tensor.from(chunk, [1, chunk.length], "i32") })
      .data() as Float32Array;
    for (let t = Math.max(prevEnd, begin + 1); t < end; t++) {
      const at = (t - 1 - begin) * V;
      sum += nllOf(logits.subarray(at, at + V), ids[t]!);
      count++;
    }
    prevEnd = end;
    if (end === n) break;
  }
  return { sum, count };
}

describe("heldOutPerplexity", () => {
  it("is exp(mean NLL) of every passage's targets, from the model's logits", () => {
    const s = split();
    const r = heldOutPerplexity(model, s, { window: 8, stride: 3 });
    let sum = 0;
    let count = 0;
    for (const span of s.index.spans) {
      const ids = Array.from(s.tokens.subarray(span.offset, span.offset + span.length));
      const ref = reference(ids, 8, 3);
      expect(ref.count).toBe(ids.length - 1);
      sum += ref.sum;
      count += ref.count;
    }
    expect(r.tokens).toBe(count);
    expect(r.passages).toBe(3);
    expect(r.nll).toBeCloseTo(sum / count, 5);
    expect(r.ppl).toBeCloseTo(Math.exp(sum / count), 4);
    expect(r.bitsPerByte).toBeCloseTo(sum / Math.LN2 / s.index.textBytes, 5);
    expect(r.windows).toBe(1 + 3 + 9); // 7 fits; 12: starts 0, 3, 6; 30: starts 0, 3, ..., 24
  });

  it("scores the unigram baseline on the same targets, and honours maxPassages", () => {
    const s = split();
    const u = UnigramModel.fit(passageTargets(s), V);
    const r = heldOutPerplexity(model, s, { window: 8, unigram: u, maxPassages: 2 });
    const targets = passageTargets(s, 2).flatMap((t) => Array.from(t));
    expect(r.tokens).toBe(targets.length);
    expect(r.unigram!.nll).toBeCloseTo(u.nll(targets), 12);
    expect(r.stride).toBe(4);
  });
});
