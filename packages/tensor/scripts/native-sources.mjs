#!/usr/bin/env node
// Lists the C++ sources of one build target for binding.gyp (`<!@(node scripts/native-sources.mjs ISA)`).
// Convention (native/README.md): `native/src/<family>/<kernel>_<isa>.cc` belongs to the per-ISA
// static library of <isa>; every other `.cc` under native/src is ISA-independent and compiled
// into the addon itself. Dropping a file in is enough: binding.gyp never lists sources by name.
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ISAS = ["scalar", "avx2", "avx512", "neon"];
const root = fileURLToPath(new URL("..", import.meta.url));
const target = process.argv[2] ?? "core";
if (target !== "core" && !ISAS.includes(target)) {
  console.error(`native-sources: unknown target ${target} (core, ${ISAS.join(", ")})`);
  process.exit(1);
}

function walk(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else if (entry.name.endsWith(".cc")) out.push(full);
  }
  return out;
}

// X_TENSOR_SKIP_FAMILIES=quant,attention leaves whole family folders out of a local build (for
// working on one family while another is mid-edit); never set it for a release build.
const skipped = new Set((process.env.X_TENSOR_SKIP_FAMILIES ?? "").split(",").filter(Boolean));
const familyOf = (file) => relative(join(root, "native", "src"), file).split(/[\\/]/)[0];

const isaOf = (file) => ISAS.find((isa) => file.endsWith(`_${isa}.cc`));
const files = walk(join(root, "native", "src"))
  .filter((file) => !skipped.has(familyOf(file)))
  .filter((file) => (target === "core" ? isaOf(file) === undefined : isaOf(file) === target))
  .map((file) => relative(root, file).split("\\").join("/"))
  .sort();
// gyp splits the output on whitespace; paths in this tree contain none.
console.log(files.join(" "));
