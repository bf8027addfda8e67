import { cat, randn, scaledDotProductAttention, sum, Tensor, valueAndGrad } from "@x/tensor";
import { describe, expect, it } from "vitest";
import { KVCacheError } from "../errors.js";
import type { KVShape } from "../protocols.js";
import { fullCache } from "./full-cache.js";
import type { FullStore } from "./full-store.js";

const shape: KVShape = {
  nLayers: 1,
  batch: 1,
  nKvHeads: 2,
  nQHeads: 4,
  headDim: 8,
  dtype: "f32",
  device: "cpu",
};
const kv = (t: number, seed: number, b = 1) => randn([b, 2, t, 8], { seed, offset: 0 });
const qs = (t: number, seed: number, b = 1) => randn([b, 4, t, 8], { seed, offset: 1 });
const layer = (dtype: "f32" | "f16" = "f32", s: KVShape = shape) =>
  fullCache({ dtype }).create(s).layers[0] as FullStore;

function maxDiff(a: Tensor, b: Tensor): number {
  const x = a.toFloat64();
  const y = b.toFloat64();
  return x.reduce((m, v, i) => Math.max(m, Math.abs(v - y[i]!)), 0);
}

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(KVCacheError);
    return (e as KVCacheError).code;
  }
  throw new Error("no error");
}

describe("fullCache", () => {
  it("prefill then decode equals causal attention over the whole sequence", () => {
    const k = kv(7, 1);
    const v = kv(7, 2);
    const q = qs(7, 3);
    const want = scaledDotProductAttention(q, k, v, { causal: true });
    const l = layer();
    l.append(k.slice(2, 0, 4), v.slice(2, 0, 4));
    const parts = [l.attend(q.slice(2, 0, 4)).out];
    for (let t = 4; t < 7; t++) {
      l.append(k.slice(2, t, t + 1), v.slice(2, t, t + 1));
      parts.push(l.attend(q.slice(2, t, t + 1)).out);
    }
    expect(maxDiff(cat(parts, 2), want)).toBeLessThan(1e-6);
    expect(l.length()).toBe(7);
    expect(l.stored(0, 1)).toBe(7);
  });

  it("f16 storage stays within half-precision tolerance of f32", () => {
    const [a, b] = [layer("f32"), layer("f16")];
    for (const l of [a, b]) l.append(kv(9, 4), kv(9, 5));
    const q = qs(9, 6);
    expect(maxDiff(a.attend(q).out, b.attend(q).out)).toBeLessThan(5e-3);
    expect(b.bytes().parts.keys).toBe(a.bytes().parts.keys! / 2);
  });

  it("fork is independent, truncate rewinds, snapshot/restore is exact", () => {
    const l = layer();
    l.append(kv(5, 1), kv(5, 2));
    l.attend(qs(5, 3));
    const snap = l.snapshot();
    const f = l.fork();
    f.append(kv(1, 9), kv(1, 9));
    f.attend(qs(1, 9));
    expect([l.length(), f.length()]).toEqual([5, 6]);
    f.truncate(5);
    const probe = qs(2, 11);
    expect(maxDiff(f.attend(probe).out, l.attend(probe).out)).toBe(0);
    l.truncate(3);
    expect(l.length()).toBe(3);
    l.restore(snap);
    expect(l.length()).toBe(5);
    expect(maxDiff(l.attend(probe).out, f.attend(probe).out)).toBe(0);
    l.reset();
    expect(l.length()).toBe(0);
  });

  it("rows of a batch with counts equal separate single-row caches", () => {
    const s2 = { ...shape, batch: 2 };
    const l = layer("f32", s2);
    const k = kv(4, 1, 2);
    const v = kv(4, 2, 2);
    l.append(k, v, { counts: Int32Array.of(4, 2) });
    const q = qs(4, 3, 2);
    const { out, probs, slotPositions } = l.attend(q, { returnProbs: true });
    for (const [b, n] of [
      [0, 4],
      [1, 2],
    ] as const) {
      const one = layer();
      one.append(k.slice(0, b, b + 1).slice(2, 0, n), v.slice(0, b, b + 1).slice(2, 0, n));
      const r = one.attend(q.slice(0, b, b + 1).slice(2, 0, n)).out;
      expect(maxDiff(out.slice(0, b, b + 1).slice(2, 0, n), r)).toBeLessThan(1e-6);
    }
    expect(
      out
        .slice(0, 1, 2)
        .slice(2, 2, 4)
        .toArray()
        .every((x) => x === 0),
    ).toBe(true);
    expect(probs!.shape).toEqual([2, 4, 4, 4]);
    const rows = probs!.slice(0, 1, 2).slice(2, 0, 2).toArray();
    expect(rows.reduce((a, b) => a + b, 0)).toBeCloseTo(4 * 2, 5); // 4 heads x 2 rows, each sums to 1
    expect(slotPositions!.toArray().slice(8)).toEqual([0, 1, -1, -1, 0, 1, -1, -1]);
    expect([l.length(0), l.length(1)]).toEqual([4, 2]);
  });

  it("remove compacts one head's slots and attention follows", () => {
    const l = layer();
    const k = kv(6, 1);
    const v = kv(6, 2);
    l.append(k, v);
    l.attend(qs(6, 3));
    l.remove(0, 1, Int32Array.of(1, 4));
    expect([...l.positions(0, 1)]).toEqual([0, 2, 3, 5]);
    expect(l.stored(0, 0)).toBe(6);
    const q = qs(1, 4);
    const out = l.attend(q).out;
    const keep = [0, 2, 3, 5];
    const pick = (t: Tensor) =>
      cat(
        keep.map((i) => t.slice(1, 1, 2).slice(2, i, i + 1)),
        2,
      );
    const head1 = scaledDotProductAttention(q.slice(1, 2, 4), pick(k), pick(v));
    expect(maxDiff(out.slice(1, 2, 4), head1)).toBeLessThan(1e-6);
    const head0 = scaledDotProductAttention(q.slice(1, 0, 2), k.slice(1, 0, 1), v.slice(1, 0, 1));
    expect(maxDiff(out.slice(1, 0, 2), head0)).toBeLessThan(1e-6);
  });

  it("a sliding window hides old positions", () => {
    const l = layer();
    const k = kv(6, 1);
    const v = kv(6, 2);
    const q = qs(6, 3);
    l.append(k, v);
    const out = l.attend(q, { window: 3 }).out;
    const last = scaledDotProductAttention(q.slice(2, 5, 6), k.slice(2, 3, 6), v.slice(2, 3, 6));
    expect(maxDiff(out.slice(2, 5, 6), last)).toBeLessThan(1e-6);
  });

  it("rejects bad input with coded errors before mutating", () => {
    const l = layer();
    expect(code(() => l.append(randn([1, 3, 2, 8]), randn([1, 3, 2, 8])))).toBe("KV_SHAPE");
    expect(
      code(() =>
        l.append(Tensor.from([1], [1, 1, 1, 1], "i32"), Tensor.from([1], [1, 1, 1, 1], "i32")),
      ),
    ).toBe("KV_SHAPE");
    l.append(kv(2, 1), kv(2, 2));
    expect(code(() => l.truncate(1))).toBe("KV_STATE");
    expect(code(() => l.attend(qs(3, 1)))).toBe("KV_SHAPE");
    expect(l.length()).toBe(2);
    const q = qs(2, 1);
    expect(code(() => valueAndGrad((x: Tensor) => sum(l.attend(x).out))(q))).toBe("KV_UNSUPPORTED");
    l.attend(q);
    expect(code(() => l.remove(0, 0, Int32Array.of(1, 0)))).toBe("KV_RANGE");
    expect(code(() => l.restore({ ...l.snapshot(), kind: "kivi" }))).toBe("KV_SNAPSHOT");
    expect(code(() => fullCache().create({ ...shape, nQHeads: 3 }))).toBe("KV_SHAPE");
    expect(code(() => fullCache({ dtype: "bf16" as "f16" }))).toBe("KV_CONFIG");
    l.dispose();
    expect(code(() => l.length())).toBe("KV_DISPOSED");
  });

  it("aggregates bytes and stats over layers", () => {
    const c = fullCache().create({ ...shape, nLayers: 3 });
    for (const l of c.layers) {
      l.append(kv(4, 1), kv(4, 2));
      l.attend(qs(4, 3));
    }
    expect(c.bytes().parts.keys).toBe(3 * 2 * 4 * 8 * 4);
    expect((c.stats().layers as unknown[]).length).toBe(3);
    const f = c.fork();
    c.truncate(2);
    expect([c.length(), f.length()]).toEqual([2, 4]);
  });
});
