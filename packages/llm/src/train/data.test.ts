import { describe, expect, it } from "vitest";
import { BatchSampler, epochOrder } from "./batches.js";
import { packDocuments } from "./data.js";
import { TrainingError } from "./errors.js";

const rows = (a: ArrayLike<number>, t: number) =>
  Array.from({ length: a.length / t }, (_, k) => Array.from(a).slice(k * t, (k + 1) * t));

describe("packDocuments", () => {
  it("adds BOS/EOS, overlaps windows by one token and pads the tail", () => {
    const d = packDocuments([{ prompt: [5, 6], response: [7, 8] }, [9, 10, 11]], {
      seqLen: 8,
      bos: 1,
      eos: 2,
      padId: 0,
    });
    expect(d.numWindows).toBe(2);
    expect(rows(d.tokens, 8)).toEqual([
      [1, 5, 6, 7, 8, 2, 1, 9],
      [9, 10, 11, 2, 0, 0, 0, 0],
    ]);
    // prompt tokens and BOS are not targets; response + EOS are; column 0 never is.
    expect(rows(d.mask, 8)).toEqual([
      [0, 0, 0, 1, 1, 1, 0, 1],
      [0, 1, 1, 1, 0, 0, 0, 0],
    ]);
    expect(d.targets).toBe(7); // 7 8 EOS | 9 10 11 EOS
  });

  it("makes every stream token after the first a target exactly once", () => {
    const doc = Array.from({ length: 23 }, (_, i) => 3 + i);
    for (const T of [2, 3, 5, 8, 24, 40]) {
      const d = packDocuments([doc], { seqLen: T });
      expect(d.targets).toBe(22);
      const seen: number[] = [];
      for (let i = 0; i < d.tokens.length; i++) if (d.mask[i]) seen.push(d.tokens[i]!);
      expect(seen).toEqual(doc.slice(1));
    }
  });

  it("honours explicit masks, separate mode and dropRemainder", () => {
    const a = { tokens: [4, 5, 6], mask: [0, 1, 1] };
    const sep = packDocuments([a, [7, 8]], { seqLen: 6, eos: 2, mode: "separate" });
    expect(rows(sep.tokens, 6)).toEqual([
      [4, 5, 6, 2, 2, 2],
      [7, 8, 2, 2, 2, 2],
    ]);
    expect(rows(sep.mask, 6)).toEqual([
      [0, 1, 1, 1, 0, 0],
      [0, 1, 1, 0, 0, 0],
    ]);
    const dropped = packDocuments([Array.from({ length: 10 }, (_, i) => i)], {
      seqLen: 4,
      dropRemainder: true,
    });
    expect(dropped.numWindows).toBe(3);
    expect(dropped.targets).toBe(9);
  });

  it("fingerprints the data and rejects bad input with typed errors", () => {
    const x = packDocuments([[1, 2, 3]], { seqLen: 4 });
    expect(packDocuments([[1, 2, 3]], { seqLen: 4 }).fingerprint).toBe(x.fingerprint);
    expect(packDocuments([[1, 2, 4]], { seqLen: 4 }).fingerprint).not.toBe(x.fingerprint);
    expect(() => packDocuments([[1, 64]], { seqLen: 4, vocabSize: 64 })).toThrow(TrainingError);
    expect(() => packDocuments([[]], { seqLen: 4 })).toThrow(/document 0 is empty/);
    expect(() => packDocuments([[1, 2]], { seqLen: 1 })).toThrow(/seqLen/);
    expect(() => packDocuments([{ tokens: [1, 2], mask: [1] }], { seqLen: 4 })).toThrow(/mask/);
    expect(() => packDocuments([[1]], { seqLen: 4 })).toThrow(/no window/);
  });
});

describe("batches", () => {
  it("draws a seeded permutation per epoch", () => {
    const a = epochOrder(50, 7, 0);
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(epochOrder(50, 7, 0)).toEqual(a);
    expect(epochOrder(50, 7, 1)).not.toEqual(a);
    expect(epochOrder(50, 8, 0)).not.toEqual(a);
    expect([...epochOrder(5, 7, 0, false)]).toEqual([0, 1, 2, 3, 4]);
  });

  it("fills batches across epoch boundaries and resumes from a cursor", () => {
    const docs = Array.from({ length: 7 }, (_, i) => [10 + i, 20 + i, 30 + i]);
    const data = packDocuments(docs, { seqLen: 3, mode: "separate" });
    expect(data.numWindows).toBe(7);
    const s = new BatchSampler(data, { batchSize: 3, seed: 1 });
    const seen = [...s.next().exampleIds, ...s.next().exampleIds];
    const cursor = s.cursor;
    expect(cursor).toEqual({ epoch: 0, index: 6 });
    const third = s.next();
    expect(s.cursor).toEqual({ epoch: 1, index: 2 });
    expect(new Set([...seen, third.exampleIds[0]!]).size).toBe(7); // every window once in epoch 0
    const resumed = new BatchSampler(data, { batchSize: 3, seed: 1 }, cursor).next();
    expect(resumed.exampleIds).toEqual(third.exampleIds);
    expect(resumed.inputIds.toArray()).toEqual(third.inputIds.toArray());
    const w = third.exampleIds[1]!;
    expect(third.inputIds.toArray().slice(3, 6)).toEqual(
      Array.from(data.tokens.subarray(w * 3, w * 3 + 3)),
    );
    expect(third.targets).toBe(6);
    expect(() => new BatchSampler(data, { batchSize: 3 }, { epoch: 0, index: 99 })).toThrow(
      TrainingError,
    );
  });
});
