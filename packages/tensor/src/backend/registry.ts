import { DeviceError } from "../errors.js";

/** Kernel providers. `js` implements every op and is the oracle for the others. */
export type BackendName = "js" | "cpu" | "cuda";

// biome-ignore lint/suspicious/noExplicitAny: kernels have heterogeneous signatures, typed at call sites.
type AnyKernel = (...args: any[]) => any;

const table = new Map<string, Map<BackendName, AnyKernel>>();
const available = new Set<BackendName>(["js"]);
let active: BackendName = "js";

/** Registers the implementation of kernel `op` for `backend`. */
export function registerKernel(op: string, backend: BackendName, fn: AnyKernel): void {
  let byBackend = table.get(op);
  if (!byBackend) {
    byBackend = new Map();
    table.set(op, byBackend);
  }
  byBackend.set(backend, fn);
}

/** Marks a backend usable (called by its loader once the native code has been test-loaded). */
export function markAvailable(backend: BackendName): void {
  available.add(backend);
}

/**
 * The kernel `op` of the active backend, or undefined when that backend has none (callers then
 * run their js implementation).
 */
export function nativeKernel<F extends AnyKernel>(op: string): F | undefined {
  if (active === "js") return undefined;
  return table.get(op)?.get(active) as F | undefined;
}

/** True when kernel `op` has an implementation on `backend`. */
export function hasKernel(op: string, backend: BackendName): boolean {
  return table.get(op)?.has(backend) ?? false;
}

/** The backend ops currently run on. */
export function getBackend(): BackendName {
  return active;
}

/** Selects the backend for subsequent ops. */
export function setBackend(name: BackendName): void {
  if (!available.has(name))
    throw new DeviceError(`backend ${name} is not available on this machine`);
  active = name;
}

/** Runs `fn` with `name` as the active backend, restoring the previous one afterwards. */
export function withBackend<T>(name: BackendName, fn: () => T): T {
  const previous = active;
  setBackend(name);
  try {
    return fn();
  } finally {
    active = previous;
  }
}

/** Backends that loaded on this machine. */
export function availableBackends(): BackendName[] {
  return [...available];
}
