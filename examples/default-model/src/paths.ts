// Where things are: the repository root (found from the working directory, so the same code works
// under tsx, from `pnpm --filter`, and as a bundled .mjs on a machine without pnpm), the default
// model folder, and user paths resolved against the directory the user typed the command in.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The default model's folder, relative to the repository root. */
export const DEFAULT_MODEL = "models/sotu";

function findUp(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    if (
      existsSync(join(dir, "pnpm-workspace.yaml")) ||
      existsSync(join(dir, DEFAULT_MODEL, "tokenizer.json"))
    )
      return dir;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

/**
 * The repository root: the nearest folder above the working directory (then above this module)
 * that holds `pnpm-workspace.yaml` or `models/sotu/tokenizer.json`; else the working directory.
 *
 * ```ts
 * join(repoRoot(), "models/sotu"); // the default model folder
 * ```
 */
export function repoRoot(): string {
  const fromCwd = findUp(process.env.INIT_CWD ?? process.cwd());
  if (fromCwd) return fromCwd;
  let here: string | undefined;
  try {
    here = findUp(dirname(fileURLToPath(import.meta.url)));
  } catch {
    here = undefined;
  }
  return here ?? process.cwd();
}

/**
 * A path the user typed, resolved against the directory the command was started from (pnpm runs
 * scripts in the package folder and records the user's directory in INIT_CWD).
 *
 * ```ts
 * userPath("runs/sotu"); // "/home/me/repo/runs/sotu" when typed at /home/me/repo
 * ```
 */
export function userPath(p: string): string {
  return resolve(process.env.INIT_CWD ?? process.cwd(), p);
}

/** The default model folder (`<root>/models/sotu`). */
export function defaultModelDir(): string {
  return join(repoRoot(), DEFAULT_MODEL);
}

/** Where `prepare` writes the token files by default (`<root>/.carry/sotu-tokens`, git-ignored). */
export function defaultDataDir(): string {
  return join(repoRoot(), ".carry", "sotu-tokens");
}
