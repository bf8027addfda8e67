#!/usr/bin/env node
// Joins the JSON lines of gemm.mjs and gemm_torch.py (files given as arguments) into a markdown table.
import { readFileSync } from "node:fs";

const rows = process.argv.slice(2).flatMap((f) =>
  readFileSync(f, "utf8")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l)),
);
const key = (r) => `${r.m}x${r.k}x${r.n} ${r.prec}`;
const torch = new Map(rows.filter((r) => r.impl === "torch").map((r) => [key(r), r]));
console.log(
  "| m x k x n | precision | x-tensor-cuda TFLOP/s | PyTorch TFLOP/s | ratio |\n| --- | --- | --- | --- | --- |",
);
for (const r of rows.filter((r) => r.impl !== "torch")) {
  const t = torch.get(key(r));
  console.log(
    `| ${r.m} x ${r.k} x ${r.n} | ${r.prec} | ${r.tflops.toFixed(1)} | ${t ? t.tflops.toFixed(1) : "-"} | ${t ? (r.tflops / t.tflops).toFixed(2) : "-"} |`,
  );
}
