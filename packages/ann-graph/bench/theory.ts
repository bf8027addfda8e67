// Theory experiment (spec section 8, report only): plain greedy routing on NN-Descent graphs of
// controlled quality (iteration count) over uniform data on S^(d-1). Reports the exact-NN
// success rate, hops and distance evaluations per query as n grows, for d = 4, 8, 64.
//   pnpm --filter @x/ann-graph exec tsx bench/theory.ts [--json]
import { bruteForceKnn, createIndex, generateDataset } from "../src/index.js";

const rows: Record<string, number | string>[] = [];
for (const dim of [4, 8, 64]) {
  for (const logN of [12, 14, 16]) {
    const n = 2 ** logN;
    const ds = generateDataset({ kind: "sphere", dim, n, queries: 200 }, 42);
    const truth = bruteForceKnn(ds.base, ds.queries, 1, "l2", dim);
    for (const iters of [1, 2, 12]) {
      const index = createIndex("nndescent", {
        dim,
        metric: "l2",
        K: 20,
        maxIters: iters,
        nEntry: 0,
      });
      index.build(ds.base);
      let ok = 0,
        hops = 0,
        evals = 0;
      for (let q = 0; q < 200; q++) {
        const r = index.search(ds.queries.subarray(q * dim, (q + 1) * dim), 1, {
          mode: "greedy",
          trace: true,
        });
        if (r.labels[0] === truth.ids[q]) ok++;
        hops += r.trace!.hops;
        evals += r.trace!.distanceEvals;
      }
      const row = { dim, n, iters, success: ok / 200, hops: hops / 200, evals: evals / 200 };
      rows.push(row);
      console.error(JSON.stringify(row));
    }
  }
}
if (process.argv.includes("--json")) console.log(JSON.stringify(rows, null, 2));
else {
  console.log(
    "| d | n | NN-Descent iters | exact-NN success | hops | distance evals |\n|---|---|---|---|---|---|",
  );
  for (const r of rows)
    console.log(
      `| ${r.dim} | ${r.n} | ${r.iters} | ${(r.success as number).toFixed(2)} | ${(r.hops as number).toFixed(1)} | ${(r.evals as number).toFixed(0)} |`,
    );
}
