import { logSoftmax, Tensor, valueAndGrad } from "@x/tensor";
import { describe, expect, it } from "vitest";
import { UsageError } from "../errors.js";
import { tinyModel } from "../test-models.js";
import { causalLmLoss, maskedLabels, perExampleGradients, tokenLoss } from "./loss.js";

const model = tinyModel();
const ids = Tensor.from([1, 5, 9, 13, 17, 21, 2, 4, 6, 8, 10, 12], [2, 6], "i32");
const mask = [
  [0, 0, 0, 1, 1, 1],
  [0, 1, 1, 0, 0, 1],
];

describe("token losses", () => {
  it("maskedLabels keeps masked targets and never the first token", () => {
    expect(maskedLabels(ids, mask).toArray()).toEqual([
      -100, -100, -100, 13, 17, 21, -100, 4, 6, -100, -100, 12,
    ]);
    expect(
      maskedLabels(ids)
        .toArray()
        .filter((x) => x === -100).length,
    ).toBe(2);
    expect(() => maskedLabels(ids, [[1, 1]])).toThrow(UsageError);
  });

  it("tokenLoss is the mean next-token NLL over the mask", () => {
    const logp = logSoftmax(model.forward({ inputIds: ids })).toArray();
    let sum = 0;
    let n = 0;
    mask.forEach((row, b) => {
      row.forEach((m, t) => {
        if (!m || t === 0) return;
        sum -= logp[(b * 6 + t - 1) * 64 + ids.toArray()[b * 6 + t]!]!;
        n++;
      });
    });
    expect(tokenLoss(model, { inputIds: ids, mask }).item()).toBeCloseTo(sum / n, 5);
    expect(tokenLoss(model, { inputIds: ids, mask }, { reduction: "sum" }).item()).toBeCloseTo(
      sum,
      4,
    );
    expect(() =>
      causalLmLoss(model.forward({ inputIds: ids }), Tensor.from([1], [1, 1], "i32")),
    ).toThrow(UsageError);
  });

  it("perExampleGradients equals valueAndGrad on each example alone", async () => {
    const names = ["model.layers.0.self_attn.q_proj.weight", "model.norm.weight"];
    const examples = [0, 1].map((b) => ({
      inputIds: ids.slice(0, b, b + 1).contiguous(),
      mask: [mask[b]!],
    }));
    const got = [];
    for await (const g of perExampleGradients(model, examples, { params: names })) got.push(g);
    expect(got.map((g) => g.index)).toEqual([0, 1]);
    for (const [b, ex] of examples.entries()) {
      const chosen = Object.fromEntries(names.map((n) => [n, model.params[n]!]));
      const { value, grads } = valueAndGrad((p: Record<string, Tensor>) =>
        tokenLoss(model, ex, { params: { ...model.params, ...p } }),
      )(chosen);
      expect(got[b]!.loss).toBeCloseTo(value.item(), 6);
      for (const n of names) expect(got[b]!.grads[n]!.toArray()).toEqual(grads[n]!.toArray());
      expect(Object.keys(got[b]!.grads)).toEqual(names);
    }
    const it = perExampleGradients(model, examples, { params: ["nope"] });
    await expect(it.next()).rejects.toThrow(/nope/);
  });
});
