import { mul, randint, Tensor } from "@x/tensor";
import { describe, expect, it } from "vitest";
import { defaultLinear } from "../model/linear.js";
import type { DataParallelHook, Gradient, RowSparseGradient } from "../protocols.js";
import { tinyModel } from "../test-models.js";
import { accumulateGradients } from "./accumulate.js";
import { TrainingError } from "./errors.js";
import type { TokenBatch } from "./loss.js";
import { densify, isRowSparse, touchedRows } from "./row-sparse.js";
import { Trainer } from "./trainer.js";

const B = 4;
const T = 12;
const ids = randint(0, 64, [B, T], { seed: 3 });
// Unequal target counts per row, so accumulation must weight micro-batches by their targets.
const mask = Uint8Array.from({ length: B * T }, (_, i) => (i % T > Math.floor(i / T) * 2 ? 1 : 0));
const rowsOf = (r0: number, r1: number): TokenBatch => ({
  inputIds: ids.slice(0, r0, r1).contiguous(),
  mask: mask.subarray(r0 * T, r1 * T),
});
const full: TokenBatch = { inputIds: ids, mask };

function maxRelDiff(a: Tensor, b: Tensor): number {
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

describe("gradient accumulation", () => {
  it("k micro-batches give the gradient of one big batch", () => {
    const model = tinyModel();
    const big = accumulateGradients(model, [full]);
    const parts = accumulateGradients(model, [rowsOf(0, 1), rowsOf(1, 3), rowsOf(3, 4)]);
    expect(parts.targets).toBe(big.targets);
    expect(parts.tokens).toBe(B * T);
    expect(parts.loss).toBeCloseTo(big.loss, 5);
    for (const [n, g] of Object.entries(big.grads))
      expect(maxRelDiff(parts.grads[n]!, g)).toBeLessThan(1e-5);
  });

  it("a trainer step over micro-batches matches one over the big batch", async () => {
    const a = tinyModel();
    const b = tinyModel();
    const ra = await new Trainer(a, { lr: 1e-2 }).step([full]);
    const rb = await new Trainer(b, { lr: 1e-2 }).step([rowsOf(0, 2), rowsOf(2, 4)]);
    expect(rb.gradNorm).toBeCloseTo(ra.gradNorm, 4);
    for (const [n, p] of Object.entries(a.params))
      expect(maxRelDiff(b.params[n]!, p)).toBeLessThan(1e-4);
  });
});

describe("data-parallel hook", () => {
  it("sees the local gradients (embedding as touched rows) before clipping and the step", async () => {
    const model = tinyModel();
    const expected = accumulateGradients(model, [rowsOf(0, 2), rowsOf(2, 4)]).grads;
    const seen: { grads: Record<string, Gradient>; step: number }[] = [];
    const hook: DataParallelHook = {
      synchronize: async (grads, ctx) => {
        seen.push({ grads, step: ctx.step });
        return grads;
      },
    };
    const plain = tinyModel();
    const withHook = new Trainer(model, {
      lr: 1e-2,
      maxGradNorm: 0.5,
      dataParallel: hook,
      sparseEmbeddingGrad: true,
    });
    await withHook.step([rowsOf(0, 2), rowsOf(2, 4)]);
    await new Trainer(plain, { lr: 1e-2, maxGradNorm: 0.5 }).step([rowsOf(0, 2), rowsOf(2, 4)]);
    expect(seen.map((s) => s.step)).toEqual([0]);
    const emb = seen[0]!.grads["model.embed_tokens.weight"]!;
    expect(isRowSparse(emb)).toBe(true);
    const rows = emb as RowSparseGradient;
    expect([...rows.rowIds]).toEqual([...touchedRows([ids])]);
    expect(rows.numRows).toBe(64);
    expect(densify(rows, [64, 32], "emb").toArray()).toEqual(
      expected["model.embed_tokens.weight"]!.toArray(),
    );
    for (const n of Object.keys(expected)) {
      if (n === "model.embed_tokens.weight") continue;
      expect((seen[0]!.grads[n] as Tensor).toArray()).toEqual(expected[n]!.toArray());
    }
    // Passing gradients through unchanged gives exactly the hook-less update.
    for (const [n, p] of Object.entries(plain.params))
      expect(model.params[n]!.toArray()).toEqual(p.toArray());
  });

  it("keeps a tied embedding's gradient dense (the LM head reads every row)", async () => {
    const model = tinyModel({ tieWordEmbeddings: true });
    let emb: Gradient | undefined;
    const hook: DataParallelHook = {
      synchronize: async (g) => {
        emb = g["model.embed_tokens.weight"];
        return g;
      },
    };
    await new Trainer(model, { lr: 1e-3, dataParallel: hook, sparseEmbeddingGrad: true }).step([
      full,
    ]);
    expect(emb).toBeInstanceOf(Tensor);
  });

  it("applies what the hook returns: all-zero gradients leave only weight decay", async () => {
    const model = tinyModel();
    const before = Object.fromEntries(
      Object.entries(model.params).map(([n, p]) => [n, p.toArray()]),
    );
    const zero: DataParallelHook = {
      synchronize: async (grads) =>
        Object.fromEntries(
          Object.entries(grads).map(([n, g]) => [n, Tensor.empty((g as Tensor).shape)]),
        ),
    };
    const lr = 0.05;
    const wd = 0.1;
    const trainer = new Trainer(model, { lr, dataParallel: zero, optimizer: { weightDecay: wd } });
    const r = await trainer.step([full]);
    expect(r.gradNorm).toBe(0);
    for (const [n, p] of Object.entries(model.params)) {
      const shrink = trainer.optimizer.decayed.has(n) ? 1 - lr * wd : 1;
      expect(p.toArray()).toEqual(before[n]!.map((x) => Math.fround(x * shrink)));
    }
    expect(trainer.optimizer.decayed.has("model.norm.weight")).toBe(false);
    expect(trainer.optimizer.decayed.has("model.layers.1.mlp.down_proj.weight")).toBe(true);
  });

  it("rejects missing or mis-shaped synchronized gradients before touching the model", async () => {
    const model = tinyModel();
    const before = model.params["lm_head.weight"]!.toArray();
    const drop: DataParallelHook = { synchronize: async () => ({}) };
    await expect(new Trainer(model, { lr: 1, dataParallel: drop }).step([full])).rejects.toThrow(
      TrainingError,
    );
    const bad: DataParallelHook = {
      synchronize: async (g) => ({ ...g, "model.norm.weight": Tensor.from([1, 2]) }),
    };
    await expect(new Trainer(model, { lr: 1, dataParallel: bad }).step([full])).rejects.toThrow(
      /model.norm.weight/,
    );
    expect(model.params["lm_head.weight"]!.toArray()).toEqual(before);
  });
});

describe("trainer", () => {
  it("goes through the model's pluggable LinearOp", async () => {
    const model = tinyModel();
    const names = new Set<string>();
    model.setLinearOp((x, w, b, name) => {
      names.add(name);
      return defaultLinear(x, w, b, name);
    });
    const r1 = await new Trainer(model, { lr: 0 }).step([full]);
    expect(names.size).toBe(2 * 7 + 1);
    expect(names.has("lm_head")).toBe(true);
    // An op that halves every projection changes the loss the trainer sees.
    model.setLinearOp((x, w, b, name) => mul(defaultLinear(x, w, b, name), 0.5));
    const r2 = await new Trainer(model, { lr: 0 }).step([full]);
    expect(r2.loss).not.toBeCloseTo(r1.loss, 3);
  });

  it("trains only the chosen parameters and reports the step", async () => {
    const model = tinyModel();
    const frozen = model.params["model.layers.0.mlp.up_proj.weight"]!.toArray();
    const trainer = new Trainer(model, { lr: 1e-2, trainable: (n) => !n.includes("mlp") });
    const r = await trainer.step([full]);
    expect(r).toMatchObject({
      step: 1,
      lr: 1e-2,
      targets: accumulateGradients(model, [full]).targets,
      tokens: B * T,
    });
    expect(model.params["model.layers.0.mlp.up_proj.weight"]!.toArray()).toEqual(frozen);
    expect(trainer.names.some((n) => n.includes("mlp"))).toBe(false);
  });

  it("refuses non-finite losses and batches without targets", async () => {
    const model = tinyModel();
    model.params["model.norm.weight"]!.data()[0] = Number.NaN;
    const trainer = new Trainer(model, { lr: 1e-2 });
    await expect(trainer.step([full])).rejects.toMatchObject({ code: "TRAIN_NONFINITE" });
    expect(trainer.stepCount).toBe(0);
    const none: TokenBatch = { inputIds: ids, mask: new Uint8Array(B * T) };
    await expect(new Trainer(tinyModel(), { lr: 1 }).step([none])).rejects.toMatchObject({
      code: "TRAIN_DATA",
    });
  });
});
