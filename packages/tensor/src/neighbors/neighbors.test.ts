import { afterAll, describe, expect, it } from "vitest";
import { setIsa, supportedIsas, withBackend } from "../index.js";
import {
  crc32c,
  createRowSet,
  distanceRows,
  graphReach,
  graphSearch,
  graphSearcher,
  hnswInsert,
  knnScan,
  nnDescent,
  pruneNeighbors,
  type RowType,
} from "./index.js";

function rand(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}
function rows(n: number, dim: number, seed: number, unit = false): Float32Array {
  const r = rand(seed);
  const out = new Float32Array(n * dim).map(() => r());
  if (unit)
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < dim; j++) s += out[i * dim + j]! ** 2;
      for (let j = 0; j < dim; j++) out[i * dim + j]! /= Math.sqrt(s);
    }
  return out;
}
const isas = supportedIsas();
afterAll(() => setIsa(isas[isas.length - 1] ?? "scalar"));

describe("distance kernels vs the js oracle", () => {
  it.each(["f32", "f16", "i8"] as RowType[])(
    "%s rows, dims 1..130, both metrics, every ISA bit-identical",
    (type) => {
      for (const dim of [1, 3, 8, 15, 16, 17, 31, 64, 100, 130]) {
        for (const metric of ["l2", "dot"] as const) {
          const set = createRowSet(rows(37, dim, dim, type === "i8"), dim, { metric, type });
          const q = rows(1, dim, dim + 1, type === "i8");
          const ids = Uint32Array.from([36, 0, 5, 5, 17]);
          const js = withBackend("js", () => distanceRows(set, q, ids));
          let first: Float32Array | undefined;
          for (const isa of isas) {
            setIsa(isa);
            const nat = distanceRows(set, q, ids);
            for (let i = 0; i < ids.length; i++)
              expect(Math.abs(nat[i]! - js[i]!)).toBeLessThanOrEqual(
                1e-5 * Math.max(1, Math.abs(js[i]!)),
              );
            if (first) expect(Array.from(nat)).toEqual(Array.from(first));
            first = nat;
          }
        }
      }
    },
  );

  it("knnScan equals the js full sort (ids, tie rule) and respects allow bitsets", () => {
    const set = createRowSet(rows(500, 24, 3), 24, { metric: "l2" });
    const q = rows(7, 24, 4);
    const nat = knnScan(set, q, 12, { f64: true });
    const js = withBackend("js", () => knnScan(set, q, 12));
    expect(Array.from(nat.ids)).toEqual(Array.from(js.ids));
    const allow = new Uint8Array(63).fill(0x55);
    const a = knnScan(set, q, 5, { allow });
    for (const id of a.ids) expect(id % 2).toBe(0);
    const dup = createRowSet(new Float32Array(8).fill(1), 2, { metric: "l2" });
    expect(Array.from(knnScan(dup, Float32Array.of(1, 1), 4).ids)).toEqual([0, 1, 2, 3]);
  });

  it("crc32c native == js", () => {
    const b = new Uint8Array(1001).map((_, i) => (i * 31) & 0xff);
    expect(crc32c(b)).toBe(withBackend("js", () => crc32c(b)));
    expect(crc32c(new TextEncoder().encode("123456789"))).toBe(0xe3069283);
  });
});

describe("graph kernels", () => {
  const n = 300,
    dim = 12;
  const set = createRowSet(rows(n, dim, 9), dim, { metric: "l2" });
  const graph = { rows: set, adj: new Uint32Array(n * 17), maxDeg: 16 };
  const state = Int32Array.of(-1, 0);
  hnswInsert(graph, 0, n, { efConstruction: 64, M: 8 }, state);

  it("single-layer HNSW insert: bounded degree, no self loops or duplicates, fully reachable", () => {
    for (let i = 0; i < n; i++) {
      const c = graph.adj[i * 17]!;
      expect(c).toBeLessThanOrEqual(16);
      const ids = Array.from(graph.adj.subarray(i * 17 + 1, i * 17 + 1 + c));
      expect(ids).not.toContain(i);
      expect(new Set(ids).size).toBe(ids.length);
    }
    expect(graphReach(graph.adj, 16, n, Uint32Array.of(state[0]!)).reached).toBe(n);
    expect(
      withBackend("js", () => graphReach(graph.adj, 16, n, Uint32Array.of(state[0]!)).reached),
    ).toBe(n);
  });

  it("the js HNSW build and search agree with native", () => {
    const g2 = { rows: set, adj: new Uint32Array(n * 17), maxDeg: 16 };
    const st2 = Int32Array.of(-1, 0);
    withBackend("js", () => hnswInsert(g2, 0, n, { efConstruction: 64, M: 8 }, st2));
    let same = 0;
    for (let i = 0; i < graph.adj.length; i++) if (g2.adj[i] === graph.adj[i]) same++;
    expect(same / graph.adj.length).toBeGreaterThan(0.95);
    const q = rows(5, dim, 77);
    const opts = { ef: n, entries: Uint32Array.of(state[0]!), trace: true };
    const nat = graphSearch(graph, q, 10, opts);
    const js = withBackend("js", () => graphSearch(graph, q, 10, opts));
    expect(Array.from(nat.ids)).toEqual(Array.from(js.ids));
    expect(Array.from(nat.ids)).toEqual(Array.from(knnScan(set, q, 10).ids));
  });

  it("a bound graphSearcher equals graphSearch per query, maps labels, native and js", () => {
    const q = rows(4, dim, 78);
    const entries = Uint32Array.of(state[0]!);
    const labels = Uint32Array.from({ length: n }, (_, i) => 1000 + 3 * i);
    const bound = graphSearcher(graph, { entries, labels });
    const ref = graphSearch(graph, q, 10, { ef: 32, entries });
    for (const backend of ["cpu", "js"] as const) {
      for (let r = 0; r < 4; r++) {
        const out = new Uint32Array(10);
        const dist = new Float32Array(10);
        const found = withBackend(backend, () =>
          bound.search(q.subarray(r * dim, (r + 1) * dim), 10, 32, 0, out, dist),
        );
        expect(found).toBe(10);
        const ids = Array.from(ref.ids.subarray(r * 10, r * 10 + 10));
        expect(Array.from(out)).toEqual(ids.map((i) => labels[i]));
        // The js oracle accumulates in f64: equal ids, distances to rounding.
        for (let j = 0; j < 10; j++) expect(dist[j]).toBeCloseTo(ref.distances[r * 10 + j]!, 5);
      }
    }
  });

  it("pruneNeighbors equals the js RobustPrune reference; alpha rule holds for removed candidates", () => {
    const q = knnScan(set, rowsOf(0), 40);
    const ids = q.ids.subarray(1),
      dist = q.distances.subarray(1);
    for (const alpha of [1, 1.2]) {
      const nat = pruneNeighbors(set, ids, dist, 40, alpha);
      const js = withBackend("js", () => pruneNeighbors(set, ids, dist, 40, alpha));
      expect(Array.from(nat)).toEqual(Array.from(js));
      const kept = Array.from(nat);
      ids.forEach((v, j) => {
        if (kept.includes(v)) return;
        const before = kept.filter((p) => Array.from(ids).indexOf(p) < j);
        const dv = distanceRows(set, rowsOf(v), Uint32Array.from(before));
        expect(Array.from(dv).some((d) => alpha * alpha * d < dist[j]! * (1 + 1e-6))).toBe(true);
      });
    }
  });

  it("nnDescent: decreasing updates, graph recall >= 0.9, js oracle agrees", () => {
    const knn = nnDescent(set, { K: 10, seed: 1 });
    expect(knn.updates[knn.updates.length - 1]!).toBeLessThan(knn.updates[0]!);
    const exact = knnScan(set, rowsOf(-1), 11);
    let hit = 0;
    for (let i = 0; i < n; i++) {
      const truth = new Set(Array.from(exact.ids.subarray(i * 11 + 1, i * 11 + 11)));
      for (let j = 0; j < 10; j++) if (truth.has(knn.ids[i * 10 + j]!)) hit++;
    }
    expect(hit / (n * 10)).toBeGreaterThanOrEqual(0.9);
    const js = withBackend("js", () =>
      nnDescent(createRowSet(rows(60, 4, 5), 4, { metric: "l2" }), { K: 5, seed: 3 }),
    );
    const nat = nnDescent(createRowSet(rows(60, 4, 5), 4, { metric: "l2" }), { K: 5, seed: 3 });
    let agree = 0;
    for (let i = 0; i < js.ids.length; i++) if (js.ids[i] === nat.ids[i]) agree++;
    expect(agree / js.ids.length).toBeGreaterThan(0.9);
  });

  function rowsOf(i: number): Float32Array {
    const all = rows(n, dim, 9);
    return i < 0 ? all : all.slice(i * dim, (i + 1) * dim);
  }
});
