import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { markAvailable, setBackend } from "./registry.js";

/** Functions exported by the C++ addon (see native/src/addon.cc). */
export interface NativeAddon {
  version: string;
  isa(): string;
  supportedIsas(): string[];
  setIsa(name: string): string;
  threads(): number;
  setThreads(n: number): number;
  // biome-ignore lint/suspicious/noExplicitAny: kernel entry points are typed by their wrappers.
  [kernel: string]: any;
}

let addon: NativeAddon | undefined;
let loadError: string | undefined;

export function packageRoot(): string {
  // dist/index.{js,cjs} and src/backend/native.ts both sit below the package root.
  const here = typeof __dirname === "string" ? __dirname : dirname(fileURLToPath(import.meta.url));
  let dir = here;
  for (let i = 0; i < 4; i++) {
    const candidate = join(dir, "package.json");
    try {
      const req = createRequire(candidate);
      const pkg = req(candidate) as { name?: string };
      if (pkg.name === "@x/tensor") return dir;
    } catch {
      // keep walking up
    }
    dir = dirname(dir);
  }
  return join(here, "..");
}

/**
 * Loads the prebuilt (or locally built) addon once. Set `X_TENSOR_BACKEND=js` to skip it.
 * A failed load leaves the js backend active and prints exactly one warning.
 */
export function loadNative(): NativeAddon | undefined {
  if (addon || loadError !== undefined) return addon;
  if (process.env.X_TENSOR_BACKEND === "js") {
    loadError = "disabled by X_TENSOR_BACKEND=js";
    return undefined;
  }
  try {
    const req = createRequire(join(packageRoot(), "package.json"));
    const load = req("node-gyp-build") as (dir: string) => NativeAddon;
    addon = load(packageRoot());
    const forced = process.env.X_TENSOR_ISA;
    if (forced) addon.setIsa(forced);
    addon.setThreads(Number(process.env.X_TENSOR_THREADS ?? 1));
    markAvailable("cpu");
    setBackend("cpu");
  } catch (err) {
    loadError = (err as Error).message.split("\n")[0] ?? String(err);
    process.emitWarning(
      `@x/tensor: native backend unavailable, using the js backend (${loadError})`,
    );
  }
  return addon;
}

/** The loaded addon; throws if absent (callers check `loadNative()` first). */
export function native(): NativeAddon | undefined {
  return addon;
}

/** Why the native backend did not load, if it did not. */
export function nativeLoadError(): string | undefined {
  return loadError;
}
