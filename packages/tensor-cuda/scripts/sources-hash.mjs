// One hash over the CUDA addon's sources (native/cuda/*.{cu,cc,h} and the CPU headers they
// include, SHARED_HEADERS), shared by build.mjs (which records it next to the addon and keys its
// incremental build on it) and test-cuda.mjs (which refuses an addon built from other sources).
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Headers outside native/cuda that CUDA sources include, relative to native/cuda. */
export const SHARED_HEADERS = ["../src/random/philox.h"];

/** sha256 over the sorted names and contents of the sources in `dir` and the shared headers. */
export function sourcesHash(dir) {
  const h = createHash("sha256");
  const own = readdirSync(dir)
    .filter((n) => /\.(cu|cc|h)$/.test(n))
    .sort();
  for (const f of [...own, ...SHARED_HEADERS]) {
    h.update(f)
      .update("\0")
      .update(readFileSync(join(dir, f)))
      .update("\0");
  }
  return h.digest("hex");
}
