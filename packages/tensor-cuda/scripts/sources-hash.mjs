// One hash over the CUDA addon's sources (native/cuda/*.{cu,cc,h}), shared by build.mjs (which
// records it next to the addon) and test-cuda.mjs (which refuses an addon built from other sources).
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** sha256 over the sorted names and contents of the sources in `dir`. */
export function sourcesHash(dir) {
  const h = createHash("sha256");
  for (const f of readdirSync(dir)
    .filter((n) => /\.(cu|cc|h)$/.test(n))
    .sort()) {
    h.update(f)
      .update("\0")
      .update(readFileSync(join(dir, f)))
      .update("\0");
  }
  return h.digest("hex");
}
