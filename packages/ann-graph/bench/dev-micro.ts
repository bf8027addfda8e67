// temp dev microbench (not committed)
import { existsSync } from "node:fs";
import { graphSearch } from "@x/tensor";
import { createIndex, generateDataset, loadIndex } from "../src/index.js";
import { graphOf } from "../src/state.js";
const kind = (process.argv[2] ?? "sphere") as "sphere" | "clusters";
const dim = Number(process.argv[3] ?? 8);
const ef = Number(process.argv[4] ?? 10);
const n = 100_000, nq = 1000, k = 10;
const ds = generateDataset({ kind, dim, n, queries: nq }, 42);
const file = `/tmp/annperf/${kind}${dim}.xann`;
let index;
if (existsSync(file)) index = loadIndex(file);
else {
  index = createIndex("hnsw", { dim, metric: "ip", assumeNormalized: true, M: 16, efConstruction: 200, capacity: n });
  const t = performance.now(); index.build(ds.base); console.log("build s", (performance.now() - t) / 1000);
  index.save(file);
}
const qs = Array.from({ length: nq }, (_, q) => ds.queries.slice(q * dim, (q + 1) * dim));
const s = (index as any).s;
const g = graphOf(s);
const entries = Uint32Array.of(s.hnsw[0]);
const med = (a: number[]) => a.sort((x, y) => x - y)[a.length >> 1]!;
const T: Record<string, number[]> = { search: [], raw: [], batch: [] };
for (let r = 0; r < 7; r++) {
  let t = performance.now();
  for (const q of qs) index.search(q, k, { ef });
  T.search!.push((performance.now() - t) * 1000 / nq);
  t = performance.now();
  for (const q of qs) graphSearch(g, q, k, { ef, entries, maxLevel: s.hnsw[1] });
  T.raw!.push((performance.now() - t) * 1000 / nq);
  t = performance.now();
  graphSearch(g, ds.queries, k, { ef, entries, maxLevel: s.hnsw[1] });
  T.batch!.push((performance.now() - t) * 1000 / nq);
}
console.log(kind, dim, "ef", ef, Object.entries(T).map(([k, v]) => `${k} ${med(v).toFixed(2)}us`).join("  "));
