import { describe, expect, it } from "vitest";
import {
  type AnnIndex,
  bruteForceKnn,
  createIndex,
  type DatasetSpec,
  generateDataset,
  recallAtK,
} from "./index.js";

const N = 10_000;
const Q = 200;
const CASES: { name: string; spec: DatasetSpec; hnsw: [number, number]; nnd: [number, number] }[] =
  [
    {
      name: "uniform S^7",
      spec: { kind: "sphere", dim: 8, n: N, queries: Q },
      hnsw: [20, 0.99],
      nnd: [32, 0.98],
    },
    {
      name: "100 clusters d=64",
      spec: { kind: "clusters", dim: 64, n: N, queries: Q },
      hnsw: [20, 0.97],
      nnd: [64, 0.95],
    },
    {
      name: "uniform S^63",
      spec: { kind: "sphere", dim: 64, n: N, queries: Q },
      hnsw: [200, 0.95],
      nnd: [200, 0.9],
    },
  ];

function recall(
  index: AnnIndex,
  queries: Float32Array,
  truth: ReturnType<typeof bruteForceKnn>,
  ef: number,
): number {
  const r = index.searchBatch(queries, 10, { ef });
  return recallAtK(r.distances, r.labels, truth, 10).recall;
}

describe.each(CASES)("$name", ({ spec, hnsw, nnd }) => {
  const ds = generateDataset(spec, 42);
  const truth = bruteForceKnn(ds.base, ds.queries, 10, "ip", ds.dim);

  it("hnsw meets the recall threshold, recall grows with ef, every node is reachable", () => {
    const index = createIndex("hnsw", {
      dim: ds.dim,
      metric: "ip",
      assumeNormalized: true,
      capacity: N,
    });
    index.build(ds.base);
    expect(recall(index, ds.queries, truth, hnsw[0])).toBeGreaterThanOrEqual(hnsw[1]);
    let last = 0;
    for (const ef of [10, 20, 50, 100]) {
      const r = recall(index, ds.queries, truth, ef);
      expect(r).toBeGreaterThanOrEqual(last - 0.005);
      last = r;
    }
    const stats = index.stats();
    expect(stats.reachable).toBe(1);
    expect(stats.degreeHistogram.length).toBeLessThanOrEqual(33);
    expect(stats.n).toBe(N);
  });

  it("nndescent meets its threshold and is fully reachable", () => {
    const index = createIndex("nndescent", { dim: ds.dim, metric: "ip", assumeNormalized: true });
    index.build(ds.base);
    expect(recall(index, ds.queries, truth, nnd[0])).toBeGreaterThanOrEqual(nnd[1]);
    expect(index.stats().reachable).toBe(1);
    const u = index.buildUpdates;
    expect(u.length).toBeLessThanOrEqual(12);
    expect(u[u.length - 1]!).toBeLessThan(u[0]!);
  });
});

describe("exactness", () => {
  it.each(["l2", "ip", "cosine"] as const)(
    "beam covering the whole set returns the exact top-k (%s)",
    (metric) => {
      const ds = generateDataset(
        { kind: "clusters", dim: 16, n: 300, queries: 20, clusters: 5 },
        7,
      );
      const base = metric === "ip" ? ds.base : ds.base.map((x, i) => x * (1 + (i % 3)));
      const truth = bruteForceKnn(base, ds.queries, 10, metric, 16);
      for (const kind of ["hnsw", "nndescent", "flat"] as const) {
        const index = createIndex(kind, { dim: 16, metric, assumeNormalized: true });
        index.build(base);
        const r = index.searchBatch(ds.queries, 10, { ef: 400 });
        expect(Array.from(r.labels)).toEqual(Array.from(truth.ids));
        for (let i = 0; i < r.distances.length; i++)
          expect(r.distances[i]).toBeCloseTo(truth.distances[i]!, 4);
      }
    },
  );

  it("k > size returns size results, sorted, without duplicates", () => {
    const index = createIndex("hnsw", { dim: 4, metric: "l2" });
    index.add(new Float32Array([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]), [7, 8, 9]);
    const r = index.search([0.9, 0.9, 0.9, 0.9], 10);
    expect(r.count).toBe(3);
    expect(Array.from(r.labels)).toEqual([8, 7, 9]);
    const b = index.searchBatch([0, 0, 0, 0], 5);
    expect(b.labels[3]).toBe(0xffffffff);
    expect(b.distances[4]).toBe(Number.POSITIVE_INFINITY);
  });

  it("incremental add matches the quality of one batch", () => {
    const ds = generateDataset({ kind: "sphere", dim: 8, n: 5000, queries: 100 }, 3);
    const truth = bruteForceKnn(ds.base, ds.queries, 10, "ip", 8);
    const index = createIndex("hnsw", {
      dim: 8,
      metric: "ip",
      assumeNormalized: true,
      capacity: 16,
    });
    for (let i = 0; i < 5; i++) index.add(ds.base.subarray(i * 8000, (i + 1) * 8000));
    expect(index.size).toBe(5000);
    expect(recall(index, ds.queries, truth, 50)).toBeGreaterThanOrEqual(0.99);
  });

  it("same seed and order give identical graphs", () => {
    const ds = generateDataset({ kind: "sphere", dim: 8, n: 2000, queries: 1 }, 5);
    const a = createIndex("hnsw", { dim: 8, metric: "l2" });
    const b = createIndex("hnsw", { dim: 8, metric: "l2" });
    a.build(ds.base);
    b.build(ds.base);
    expect(Buffer.from(a.s.adj.buffer).equals(Buffer.from(b.s.adj.buffer))).toBe(true);
    expect(Buffer.from(a.s.upperAdj.buffer).equals(Buffer.from(b.s.upperAdj.buffer))).toBe(true);
  });
});
