// Public surface of @x/tensor. Each line re-exports one module; keep it sorted by area.
export * from "./errors.js";
export * from "./dtype.js";
export * from "./half.js";
export * from "./shape.js";
export { Storage, cpuMemory, type Device } from "./storage.js";
export { Tensor, decoder, encoder } from "./tensor.js";
export {
  type BackendName,
  availableBackends,
  getBackend,
  hasKernel,
  setBackend,
  withBackend,
} from "./backend/registry.js";
export { isRecording, noGrad, savedBytes } from "./autograd/tape.js";
