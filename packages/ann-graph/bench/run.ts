// Benchmark (ann-benchmarks protocol, one thread, same process): recall@10 vs QPS over ef sweeps
// for our HNSW / NN-Descent graphs and exact scan, hnswlib-node (SSE and -march=native builds)
// and usearch, on generated data (spec section 8). Usage:
//   pnpm --filter @x/ann-graph bench:setup --native && pnpm --filter @x/ann-graph bench -- [--n 100000] [--queries 1000] [--json]
import { backendInfo } from "@x/tensor";
import { bruteForceKnn, type DatasetSpec, generateDataset, recallAtK } from "../src/index.js";
import { type Contestant, hnswlib, ours, usearch } from "./contestants.js";
import { median, type Point, pareto, qpsAtRecall } from "./frontier.js";

const argv = process.argv.slice(2);
const arg = (name: string, def: string) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : def;
};
if (argv.includes("--help")) {
  console.log(
    "bench [--n 100000] [--queries 1000] [--repeats 3] [--ef 10,20,50,100,200,400] [--datasets sphere8,clusters64,sphere64] [--contestants ...] [--json]",
  );
  process.exit(0);
}
const n = Number(arg("n", "100000"));
const nq = Number(arg("queries", "1000"));
const repeats = Number(arg("repeats", "3"));
const efs = arg("ef", "10,20,50,100,200,400").split(",").map(Number);
const json = argv.includes("--json");
const M = 16,
  efC = 200,
  k = 10;
const SPECS: Record<string, DatasetSpec> = {
  sphere8: { kind: "sphere", dim: 8, n, queries: nq },
  clusters64: { kind: "clusters", dim: 64, n, queries: nq },
  sphere64: { kind: "sphere", dim: 64, n, queries: nq },
};
const names = arg("datasets", "sphere8,clusters64,sphere64").split(",");
const wanted = arg("contestants", "hnsw,nndescent,flat,hnswlib,hnswlib-native,usearch").split(",");
const log = (s: string) => console.error(s);
const info = backendInfo();
const results: Record<string, unknown>[] = [];

for (const name of names) {
  const spec = SPECS[name]!;
  const ds = generateDataset(spec, 42);
  log(`== ${name}: n ${n}, d ${ds.dim}, ${nq} queries, duplicates ${ds.duplicates}`);
  const truth = bruteForceKnn(ds.base, ds.queries, k, "ip", ds.dim);
  const qs = Array.from({ length: nq }, (_, q) => ds.queries.slice(q * ds.dim, (q + 1) * ds.dim));
  const all: (Contestant | undefined)[] = [
    wanted.includes("hnsw") ? ours("hnsw", M, efC) : undefined,
    wanted.includes("nndescent") ? ours("nndescent", M, efC) : undefined,
    wanted.includes("hnswlib") ? hnswlib(false, M, efC) : undefined,
    wanted.includes("hnswlib-native") ? hnswlib(true, M, efC) : undefined,
    wanted.includes("usearch") ? usearch(M, efC) : undefined,
    wanted.includes("flat") ? ours("flat", M, efC) : undefined,
  ];
  const cs = all.filter((c): c is Contestant => c !== undefined);
  const build = new Map<string, number>(),
    bytes = new Map<string, number>();
  for (const c of cs) {
    const t = performance.now();
    c.build(ds.base, ds.dim);
    build.set(c.name, (performance.now() - t) / 1000);
    bytes.set(c.name, c.bytes());
    log(`  built ${c.name} in ${build.get(c.name)!.toFixed(2)} s`);
  }
  const qpsRuns = new Map<string, number[]>(),
    recall = new Map<string, number>(),
    evals = new Map<string, number | undefined>();
  const labels = new Uint32Array(nq * k),
    dists = new Float32Array(nq * k);
  for (let r = 0; r < repeats; r++) {
    for (const ef of efs) {
      for (const c of cs) {
        if (c.name.includes("flat") && ef !== efs[0]) continue;
        const key = `${c.name}|${ef}`;
        c.setEf(ef);
        labels.fill(0xffffffff);
        dists.fill(Number.POSITIVE_INFINITY);
        const t = performance.now();
        c.query(qs, k, labels, dists);
        const qps = nq / ((performance.now() - t) / 1000);
        qpsRuns.set(key, [...(qpsRuns.get(key) ?? []), qps]);
        if (r === 0) {
          recall.set(key, recallAtK(dists, labels, truth, k).recall);
          evals.set(key, c.evals?.());
        }
      }
    }
    log(`  repeat ${r + 1}/${repeats} done`);
  }
  for (const c of cs) {
    const points: Point[] = [];
    for (const ef of c.name.includes("flat") ? [efs[0]!] : efs) {
      const key = `${c.name}|${ef}`;
      points.push({ ef, recall: recall.get(key)!, qps: median(qpsRuns.get(key)!) });
    }
    results.push({
      dataset: name,
      n,
      dim: ds.dim,
      contestant: c.name,
      buildSeconds: build.get(c.name),
      indexBytes: bytes.get(c.name),
      points: points.map((p) => ({ ...p, distanceEvals: evals.get(`${c.name}|${p.ef}`) })),
      frontier: pareto(points).map((p) => p.ef),
      qpsAt: Object.fromEntries([0.9, 0.95, 0.99].map((t) => [t, qpsAtRecall(points, t)])),
    });
  }
}

if (json) {
  console.log(
    JSON.stringify({ isa: info.isa, threads: 1, node: process.version, results }, null, 2),
  );
} else {
  console.log(
    `\nISA ${info.isa}, 1 thread, Node ${process.version}, k = ${k}, M = ${M}, efConstruction = ${efC}, 'ip' on unit vectors\n`,
  );
  const fmt = (x: number | undefined) =>
    x === undefined ? "n/r" : x >= 1000 ? `${(x / 1000).toFixed(1)}k` : x.toFixed(0);
  console.log(
    `| dataset | contestant | build s | index MB | ${efs.map((e) => `ef=${e}`).join(" | ")} | QPS@0.90 | QPS@0.95 | QPS@0.99 |`,
  );
  console.log(`|---|---|---|---|${efs.map(() => "---").join("|")}|---|---|---|`);
  for (const r of results as any[]) {
    const cells = efs.map((e) => {
      const p = r.points.find((x: Point) => x.ef === e);
      return p ? `${p.recall.toFixed(3)} / ${fmt(p.qps)}` : "";
    });
    console.log(
      `| ${r.dataset} (d=${r.dim}) | ${r.contestant} | ${r.buildSeconds.toFixed(2)} | ${(r.indexBytes / 2 ** 20).toFixed(1)} | ${cells.join(" | ")} | ${fmt(r.qpsAt[0.9])} | ${fmt(r.qpsAt[0.95])} | ${fmt(r.qpsAt[0.99])} |`,
    );
  }
  console.log("\nEqual-recall ratio of our best graph index vs hnswlib-node 3.0.0 (SSE build):");
  for (const name of names) {
    const rows = (results as any[]).filter((r) => r.dataset === name);
    const base = rows.find((r) => r.contestant === "hnswlib-node 3.0.0");
    const build = rows.find((r) => r.contestant === "ours hnsw");
    const line = [0.9, 0.95, 0.99].map((t) => {
      const best = Math.max(
        ...rows
          .filter((r) => r.contestant.startsWith("ours ") && !r.contestant.includes("flat"))
          .map((r) => r.qpsAt[t] ?? 0),
      );
      const b = base?.qpsAt[t];
      return `@${t}: ${b && best ? (best / b).toFixed(2) : "n/a"}x`;
    });
    console.log(
      `  ${name}: ${line.join(", ")}; build time ours hnsw / hnswlib = ${base && build ? (build.buildSeconds / base.buildSeconds).toFixed(2) : "n/a"}`,
    );
  }
}
