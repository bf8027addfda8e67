// Per-example gradients over a token mask (what RapidIn sketches), through llm-core's
// perExampleGradients / tokenLoss, checked against gradients computed independently.
import { crossEntropy, logSoftmax, Tensor, valueAndGrad } from "@x/tensor";
import { describe, expect, it } from "vitest";
import { tinyModel } from "../test-models.js";
import { type ExampleGradients, perExampleGradients, type TokenBatch } from "./loss.js";

const model = tinyModel();
const NAMES = [
  "model.embed_tokens.weight",
  "model.layers.0.self_attn.k_proj.weight",
  "model.layers.1.mlp.down_proj.weight",
  "model.norm.weight",
  "lm_head.weight",
];
const T = 10;
const tokens = [1, 9, 33, 4, 51, 17, 8, 60, 22, 2];
const ids = (t: number[]) => Tensor.from(t, [1, t.length], "i32");
// Response = positions 4..7; 8 and 9 are outside the mask.
const response = [[0, 0, 0, 0, 1, 1, 1, 1, 0, 0]];

async function gradsOf(batch: TokenBatch): Promise<ExampleGradients> {
  for await (const g of perExampleGradients(model, [batch], { params: NAMES })) return g;
  throw new Error("no gradient");
}

function relDiff(a: Tensor, b: Tensor): number {
  const x = a.toFloat64();
  const y = b.toFloat64();
  let d = 0;
  let s = 1e-30;
  for (let i = 0; i < x.length; i++) {
    d = Math.max(d, Math.abs(x[i]! - y[i]!));
    s = Math.max(s, Math.abs(y[i]!));
  }
  return d / s;
}

/** Gradient of the masked mean loss written out by hand: shifted labels, -100 off the mask. */
function direct(t: number[], mask: number[]): { loss: number; grads: Record<string, Tensor> } {
  const labels = Int32Array.from({ length: t.length - 1 }, (_, i) =>
    mask[i + 1] ? t[i + 1]! : -100,
  );
  const chosen = Object.fromEntries(NAMES.map((n) => [n, model.params[n]!]));
  const { value, grads } = valueAndGrad((p: Record<string, Tensor>) => {
    const logits = model.forward({ inputIds: ids(t), params: { ...model.params, ...p } });
    return crossEntropy(
      logits.slice(1, 0, t.length - 1).reshape([t.length - 1, 64]),
      Tensor.wrap(labels, [t.length - 1], "i32"),
    );
  })(chosen);
  return { loss: value.item(), grads };
}

describe("per-example gradients over a token mask", () => {
  it("equal the gradient of a batch of one computed directly", async () => {
    const got = await gradsOf({ inputIds: ids(tokens), mask: response });
    const ref = direct(tokens, response[0]!);
    expect(got.loss).toBeCloseTo(ref.loss, 6);
    for (const n of NAMES) expect(relDiff(got.grads[n]!, ref.grads[n]!)).toBeLessThan(1e-6);
    // and the same example inside a batch, with the other row fully masked, gives the same gradient
    const other = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
    const both = await gradsOf({
      inputIds: Tensor.from([...other, ...tokens], [2, T], "i32"),
      mask: [new Array(T).fill(0), response[0]!],
    });
    for (const n of NAMES) expect(relDiff(both.grads[n]!, ref.grads[n]!)).toBeLessThan(1e-5);
  });

  it("only masked tokens contribute: perturbing the tokens after the mask changes nothing", async () => {
    const a = await gradsOf({ inputIds: ids(tokens), mask: response });
    const perturbed = [...tokens.slice(0, 8), 40, 41];
    const b = await gradsOf({ inputIds: ids(perturbed), mask: response });
    expect(b.loss).toBe(a.loss);
    for (const n of NAMES) expect(b.grads[n]!.toArray()).toEqual(a.grads[n]!.toArray());
    const unmasked = await gradsOf({ inputIds: ids(tokens) });
    expect(relDiff(unmasked.grads["lm_head.weight"]!, a.grads["lm_head.weight"]!)).toBeGreaterThan(
      1e-2,
    );
  });

  it("decomposes into single-token gradients: mean over the mask of ∇(−log p(token))", async () => {
    const whole = await gradsOf({ inputIds: ids(tokens), mask: response });
    const positions = [4, 5, 6, 7];
    const sum: Record<string, Float64Array> = Object.fromEntries(
      NAMES.map((n) => [n, new Float64Array(model.params[n]!.size)]),
    );
    for (const u of positions) {
      const one = await gradsOf({
        inputIds: ids(tokens),
        mask: [tokens.map((_, i) => (i === u ? 1 : 0))],
      });
      // the single-token loss is −log softmax(logits[u − 1])[token u]
      const logp = logSoftmax(model.forward({ inputIds: ids(tokens) })).toArray();
      expect(one.loss).toBeCloseTo(-logp[(u - 1) * 64 + tokens[u]!]!, 5);
      for (const n of NAMES) {
        const acc = sum[n]!;
        for (const [i, g] of one.grads[n]!.toFloat64().entries())
          acc[i] = acc[i]! + g / positions.length;
      }
    }
    for (const n of NAMES)
      expect(relDiff(whole.grads[n]!, Tensor.from(sum[n]!, model.params[n]!.shape))).toBeLessThan(
        1e-5,
      );
  });
});
