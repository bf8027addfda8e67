import type { NativeAddon } from "../native.js";

/** Registers one family of native kernels (gemm, elementwise, quant...) from the loaded addon. */
export type CpuFamily = (addon: NativeAddon) => void;

const families: { name: string; register: CpuFamily }[] = [];

/**
 * Declares a kernel family; its module is imported for this side effect by `./index.ts`, and
 * `register` runs once the addon has loaded.
 *
 * @example
 * defineCpuFamily("rope", (addon) => registerKernel("rope", "cpu", addon.rope));
 */
export function defineCpuFamily(name: string, register: CpuFamily): void {
  families.push({ name, register });
}

/**
 * Registers every declared family against `addon` and returns their names. A family whose entry
 * points are missing (an addon built before it existed) is skipped with one warning, so its ops
 * keep running on the js backend.
 */
export function registerCpuFamilies(addon: NativeAddon): string[] {
  const done: string[] = [];
  for (const family of families) {
    try {
      family.register(addon);
      done.push(family.name);
    } catch (err) {
      process.emitWarning(
        `@x/tensor: cpu kernels of ${family.name} unavailable (${(err as Error).message})`,
      );
    }
  }
  return done;
}

/** Throws unless the addon exports `name` as a function (a stale build missing a kernel). */
export function entry<F>(addon: NativeAddon, name: string): F {
  const fn = addon[name];
  if (typeof fn !== "function")
    throw new Error(`native addon has no kernel ${name}; rebuild it (pnpm build:native)`);
  return fn as F;
}
