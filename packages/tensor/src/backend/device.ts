// Device dispatch: ops whose operands live on a device other than the CPU hand the whole call to
// that device's implementation, registered here by name (see backend/cuda/index.ts). The CPU
// path pays one property read per operand. An op with no device implementation reads
// `storage.data`, whose getter throws a DeviceError naming the fix.
import { DeviceError } from "../errors.js";
import type { Device } from "../storage.js";

// biome-ignore lint/suspicious/noExplicitAny: device ops have the signatures of the ops they replace.
type DeviceFn = (...args: any[]) => any;

const table = new Map<string, DeviceFn>();

/** Registers the device implementation of op `name` (internal: used by device backends). */
export function registerDeviceOp(name: string, fn: DeviceFn): void {
  table.set(name, fn);
}

function deviceOfValue(v: unknown): Device | undefined {
  const s = (v as { storage?: { device?: Device } } | null)?.storage;
  return s && s.device !== "cpu" ? s.device : undefined;
}

/** True when any argument is a tensor stored off the CPU. */
export function onDevice(a: unknown, b?: unknown, c?: unknown): boolean {
  return (
    deviceOfValue(a) !== undefined ||
    deviceOfValue(b) !== undefined ||
    deviceOfValue(c) !== undefined
  );
}

/** The device implementation of `name`; throws a DeviceError when there is none. */
export function deviceOp<F extends DeviceFn = DeviceFn>(name: string): F {
  const fn = table.get(name);
  if (!fn) {
    throw new DeviceError(
      `${name} has no cuda implementation yet; move its operands to the CPU with toHost() first`,
    );
  }
  return fn as F;
}

/** True when a device implementation of `name` is registered. */
export function hasDeviceOp(name: string): boolean {
  return table.has(name);
}
