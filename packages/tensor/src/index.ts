// Public surface of @x/tensor. Each line re-exports one module; keep it sorted by area.
import "./init.js";
export * from "./errors.js";
export * from "./dtype.js";
export * from "./half.js";
export * from "./shape.js";
export { type Device, type DeviceMemory, type MemoryInfo, Storage, memory } from "./storage.js";
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
export * from "./ops/creation.js";
export * from "./ops/elementwise.js";
export { astype, cast } from "./ops/cast.js";
export * from "./ops/reduce.js";
export * from "./ops/random.js";
export * from "./ops/shape-ops.js";
export * from "./ops/indexing.js";
export * from "./ops/sort.js";
export { type CustomOpSpec, type GradOf, type LossResult, type ValueAndGrad, customOp, grad, valueAndGrad } from "./autograd/api.js";
export * from "./autograd/gradcheck.js";
export { sumToShape } from "./autograd/view-grads.js";
export { type BackendInfo, backendInfo, setIsa, setNumThreads, supportedIsas } from "./backend/cpu/index.js";
export { linear, type MatmulOptions, matmul } from "./ops/matmul.js";
export { logSoftmax, softmax } from "./ops/softmax.js";
export { layerNorm, rmsNorm } from "./ops/norm.js";
export {
  type RopeFrequencyOptions,
  type RopeLayout,
  type RopeOptions,
  type RopeScaling,
  rope,
  ropeFrequencies,
} from "./ops/rope.js";
export { erf, gelu, geluTanh, silu, swiglu } from "./ops/activation.js";
export { type CrossEntropyOptions, crossEntropy } from "./ops/loss.js";
export {
  type AttentionOptions,
  type AttentionResult,
  scaledDotProductAttention,
} from "./ops/attention.js";
export {
  SAFETENSORS_DTYPE_BYTES,
  dtypeFromSafetensors,
  dtypeToSafetensors,
} from "./io/safetensors-dtype.js";
export {
  DEFAULT_MAX_HEADER_BYTES,
  type SafetensorsHeader,
  type SafetensorsReadOptions,
  type SafetensorsTensorInfo,
  parseSafetensorsHeader,
  readHeaderLength,
} from "./io/safetensors-header.js";
export {
  type SafetensorsContents,
  type SafetensorsLoadOptions,
  type TensorReadOptions,
  readSafetensors,
} from "./io/safetensors-read.js";
export { SafetensorsFile, loadSafetensors, openSafetensors } from "./io/safetensors-file.js";
export { serializeSafetensors, writeSafetensors } from "./io/safetensors-write.js";
export { writeFileAtomic } from "./io/atomic-write.js";
export {
  CHECKPOINT_INDEX,
  CHECKPOINT_SINGLE,
  Checkpoint,
  type SaveCheckpointOptions,
  openCheckpoint,
  saveCheckpoint,
} from "./io/checkpoint.js";
export {
  GGML_BLOCK,
  GGML_BLOCK_BYTES,
  type GgmlFormat,
  type GroupFormat,
  type QFormat,
  QTensor,
  type QTensorInit,
  groupBits,
  isGgmlFormat,
} from "./quant/qtensor.js";
export { dequantizeBlocks, quantizeBlocks } from "./quant/ggml-blocks.js";
export {
  type GroupQuantizeOptions,
  groupDequantize,
  groupQuantize,
  packCodes,
  unpackCodes,
} from "./quant/group-quant.js";
export { dequantize, quantize } from "./quant/quantize.js";
export { qmatmul, qmatmulBlocks } from "./quant/qmatmul.js";
export * from "./neighbors/index.js";
export {
  type CudaStatus,
  cudaAvailable,
  cudaMemory,
  cudaStatus,
  dispose,
  emptyCudaCache,
  resolveDevice,
  setCudaMatmulPrecision,
  synchronize,
  tidy,
  to,
} from "./backend/cuda/index.js";
