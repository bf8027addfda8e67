import { generateDataset, loadIndex } from "../src/index.js";
const dim = 8, nq = 1000, k = 10;
const ds = generateDataset({ kind: "sphere", dim, n: 100_000, queries: nq }, 42);
const index = loadIndex("/tmp/annperf/sphere8.xann");
const qs = Array.from({ length: nq }, (_, q) => ds.queries.slice(q * dim, (q + 1) * dim));
const t = performance.now();
for (let r = 0; r < 300; r++) for (const q of qs) index.search(q, k, { ef: 10 });
console.log("us/q", (performance.now() - t) * 1000 / 300 / nq);
