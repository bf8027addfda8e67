import { describe, expect, it } from "vitest";
import { TOKEN_FORMAT, type TokenSplit } from "./token-stream.js";
import { passageTargets, UnigramModel } from "./unigram.js";

/** A split by hand: passages [0 2 3 3 1] and [0 3 1]. */
function toySplit(): TokenSplit {
  const tokens = Uint16Array.from([0, 2, 3, 3, 1, 0, 3, 1]);
  return {
    tokens,
    index: {
      format: TOKEN_FORMAT,
      split: "train",
      source: "toy",
      tokenizer: { sha256: "x", vocabSize: 4, bos: 0, eos: 1 },
      passages: 2,
      tokens: tokens.length,
      textBytes: 10,
      maxPassageTokens: 5,
      spans: [
        { id: "a", offset: 0, length: 5, bytes: 6 },
        { id: "b", offset: 5, length: 3, bytes: 4 },
      ],
    },
  };
}

describe("UnigramModel", () => {
  it("fits add-one smoothed frequencies of the targets (BOS left out)", () => {
    const targets = passageTargets(toySplit());
    expect(targets.map((t) => Array.from(t))).toEqual([
      [2, 3, 3, 1],
      [3, 1],
    ]);
    const u = UnigramModel.fit(targets, 4);
    // counts: 0 -> 0, 1 -> 2, 2 -> 1, 3 -> 3; N = 6, V = 4: p = (c + 1) / 10
    expect(u.total).toBe(6);
    expect(Math.exp(u.logProb(0))).toBeCloseTo(0.1, 15);
    expect(Math.exp(u.logProb(1))).toBeCloseTo(0.3, 15);
    expect(Math.exp(u.logProb(2))).toBeCloseTo(0.2, 15);
    expect(Math.exp(u.logProb(3))).toBeCloseTo(0.4, 15);
    const closed = -(Math.log(0.4) + Math.log(0.1) + Math.log(0.3)) / 3;
    expect(u.nll([3, 0, 1])).toBeCloseTo(closed, 14);
    // The training stream's own cross-entropy: -(1/6)·Σ c_t ln p_t.
    const self = -(2 * Math.log(0.3) + Math.log(0.2) + 3 * Math.log(0.4)) / 6;
    expect(u.nll(targets.flatMap((t) => Array.from(t)))).toBeCloseTo(self, 14);
  });

  it("refuses ids outside the vocabulary", () => {
    expect(() => UnigramModel.fit([[0, 4]], 4)).toThrow(/outside/);
  });
});
