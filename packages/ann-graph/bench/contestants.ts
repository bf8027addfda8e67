// Benchmark contestants behind one interface: build once, then set ef and answer one query at a
// time through each library's public JS API (so N-API overhead is counted for everyone).
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createIndex } from "../src/index.js";

export interface Contestant {
  name: string;
  build(base: Float32Array, dim: number): void;
  setEf(ef: number): void;
  /** Runs all queries; writes labels/distances (nq x k). */
  query(qs: Float32Array[], k: number, labels: Uint32Array, dists: Float32Array): void;
  bytes(): number;
  /** Mean distance evaluations per query of the last run, when known. */
  evals?(): number | undefined;
}

const require = createRequire(import.meta.url);
const scratch = mkdtempSync(join(tmpdir(), "ann-bench-"));
process.on("exit", () => rmSync(scratch, { recursive: true, force: true }));

function fileBytes(save: (p: string) => void, name: string): number {
  const p = join(scratch, name);
  save(p);
  return statSync(p).size;
}

export function ours(kind: "hnsw" | "nndescent" | "flat", M: number, efC: number): Contestant {
  let index: ReturnType<typeof createIndex>;
  let ef = 10;
  let evals: number | undefined;
  return {
    name: kind === "flat" ? "ours flat (exact)" : `ours ${kind}`,
    build(base, dim) {
      index = createIndex(kind, {
        dim,
        metric: "ip",
        assumeNormalized: true,
        M,
        efConstruction: efC,
        K: 20,
        capacity: base.length / dim,
      });
      index.build(base);
    },
    setEf(e) {
      ef = e;
    },
    query(qs, k, labels, dists) {
      for (let q = 0; q < qs.length; q++) {
        const r = index.search(qs[q]!, k, { ef });
        labels.set(r.labels, q * k);
        dists.set(r.distances, q * k);
      }
      evals =
        kind === "flat"
          ? undefined
          : index.search(qs[0]!, k, { ef, trace: true }).trace?.distanceEvals;
    },
    bytes: () => fileBytes((p) => index.save(p), `ours-${kind}.xann`),
    evals: () => evals,
  };
}

export function hnswlib(native: boolean, M: number, efC: number): Contestant | undefined {
  let mod: { HierarchicalNSW: new (space: string, dim: number) => any };
  try {
    const dir = dirname(require.resolve("hnswlib-node/package.json"));
    mod = native ? require(join(dirname(dir), "hnswlib-node-native")) : require("hnswlib-node");
    mod.HierarchicalNSW;
  } catch {
    console.error(
      `hnswlib-node${native ? " (-march=native)" : ""} is not built; run pnpm --filter @x/ann-graph bench:setup${native ? " --native" : ""}`,
    );
    return undefined;
  }
  let index: any;
  return {
    name: native ? "hnswlib-node -march=native" : "hnswlib-node 3.0.0",
    build(base, dim) {
      const n = base.length / dim;
      const rows = Array.from({ length: n }, (_, i) =>
        Array.from(base.subarray(i * dim, (i + 1) * dim)),
      );
      index = new mod.HierarchicalNSW("ip", dim);
      index.initIndex(n, M, efC, 100);
      for (let i = 0; i < n; i++) index.addPoint(rows[i], i);
    },
    setEf(e) {
      index.setEf(e);
    },
    query(qs, k, labels, dists) {
      const arrays = qs.map((q) => Array.from(q));
      for (let q = 0; q < arrays.length; q++) {
        const r = index.searchKnn(arrays[q], k);
        for (let j = 0; j < r.neighbors.length; j++) {
          labels[q * k + j] = r.neighbors[j];
          dists[q * k + j] = r.distances[j];
        }
      }
    },
    bytes: () => fileBytes((p) => index.writeIndexSync(p), `hnswlib-${native}.bin`),
  };
}

export function usearch(M: number, efC: number): Contestant | undefined {
  let mod: any;
  try {
    mod = require("usearch");
  } catch {
    console.error("usearch is not installed");
    return undefined;
  }
  let dim = 0,
    saved = "",
    index: any;
  const make = (ef: number) =>
    new mod.Index({
      dimensions: dim,
      metric: "ip",
      connectivity: M,
      expansion_add: efC,
      expansion_search: ef,
    });
  return {
    name: "usearch 2.26.2",
    build(base, d) {
      dim = d;
      const n = base.length / d;
      index = make(64);
      index.add(
        BigUint64Array.from({ length: n }, (_, i) => BigInt(i)),
        base,
        1,
      );
      saved = join(scratch, "usearch.bin");
      index.save(saved);
    },
    // expansion_search is fixed at construction: reload the saved graph per value.
    setEf(ef) {
      index = make(ef);
      index.load(saved);
    },
    query(qs, k, labels, dists) {
      for (let q = 0; q < qs.length; q++) {
        const r = index.search(qs[q], k, 1);
        for (let j = 0; j < r.keys.length; j++) {
          labels[q * k + j] = Number(r.keys[j]);
          dists[q * k + j] = r.distances[j];
        }
      }
    },
    bytes: () => statSync(saved).size,
  };
}
