// Public surface of @x/tensor. Each line re-exports one module; keep it sorted by area.
import "./init.js";

export {
  type CustomOpSpec,
  customOp,
  type GradOf,
  grad,
  type LossResult,
  type ValueAndGrad,
  valueAndGrad,
} from "./autograd/api.js";
export * from "./autograd/gradcheck.js";
export { isRecording, noGrad, savedBytes } from "./autograd/tape.js";
export { sumToShape } from "./autograd/view-grads.js";
export {
  type BackendInfo,
  backendInfo,
  setIsa,
  setNumThreads,
  supportedIsas,
} from "./backend/cpu/index.js";
export {
  type CudaProfileRow,
  type CudaStatus,
  cudaAvailable,
  cudaMemory,
  cudaProfile,
  cudaStatus,
  dispose,
  emptyCudaCache,
  formatCudaProfile,
  keep,
  resolveDevice,
  setCudaMatmulPrecision,
  synchronize,
  tidy,
  to,
} from "./backend/cuda/index.js";
export {
  availableBackends,
  type BackendName,
  getBackend,
  hasKernel,
  setBackend,
  withBackend,
} from "./backend/registry.js";
export * from "./dtype.js";
export * from "./errors.js";
export * from "./half.js";
export { fsyncDirectory, writeFileAtomic } from "./io/atomic-write.js";
export {
  CHECKPOINT_INDEX,
  CHECKPOINT_SINGLE,
  Checkpoint,
  openCheckpoint,
  type SaveCheckpointOptions,
  saveCheckpoint,
} from "./io/checkpoint.js";
export {
  dtypeFromSafetensors,
  dtypeToSafetensors,
  SAFETENSORS_DTYPE_BYTES,
} from "./io/safetensors-dtype.js";
export { loadSafetensors, openSafetensors, SafetensorsFile } from "./io/safetensors-file.js";
export {
  DEFAULT_MAX_HEADER_BYTES,
  parseSafetensorsHeader,
  readHeaderLength,
  type SafetensorsHeader,
  type SafetensorsReadOptions,
  type SafetensorsTensorInfo,
} from "./io/safetensors-header.js";
export {
  readSafetensors,
  type SafetensorsContents,
  type SafetensorsLoadOptions,
  type TensorReadOptions,
} from "./io/safetensors-read.js";
export { serializeSafetensors, writeSafetensors } from "./io/safetensors-write.js";
export * from "./neighbors/index.js";
export { erf, gelu, geluTanh, silu, swiglu } from "./ops/activation.js";
export {
  type AttentionOptions,
  type AttentionResult,
  scaledDotProductAttention,
} from "./ops/attention.js";
export { attendHeads, type KVHeads } from "./ops/attention-heads.js";
export { astype, cast } from "./ops/cast.js";
export * from "./ops/creation.js";
export {
  type DecodeLayerInput,
  decodeLayer,
  decodeLayerAvailable,
  type LayerWeight,
} from "./ops/decode-layer.js";
export * from "./ops/elementwise.js";
export * from "./ops/indexing.js";
export { type CrossEntropyOptions, crossEntropy } from "./ops/loss.js";
export { linear, type MatmulOptions, matmul } from "./ops/matmul.js";
export { layerNorm, rmsNorm } from "./ops/norm.js";
export { type AdamWCoefficients, adamwUpdate } from "./ops/optim.js";
export * from "./ops/random.js";
export * from "./ops/reduce.js";
export {
  type RopeFrequencyOptions,
  type RopeLayout,
  type RopeOptions,
  type RopeScaling,
  rope,
  ropeFrequencies,
} from "./ops/rope.js";
export * from "./ops/shape-ops.js";
export { logSoftmax, softmax } from "./ops/softmax.js";
export * from "./ops/sort.js";
export { nativeTiles, packTiles, TILE_ROWS, tileBytes, unpackTiles } from "./quant/cpu-tiles.js";
export { dequantizeBlocks, quantizeBlocks } from "./quant/ggml-blocks.js";
export {
  type GroupQuantizeOptions,
  groupDequantize,
  groupQuantize,
  packCodes,
  unpackCodes,
} from "./quant/group-quant.js";
export { qmatmul, qmatmulBlocks } from "./quant/qmatmul.js";
export {
  GGML_BLOCK,
  GGML_BLOCK_BYTES,
  type GgmlFormat,
  type GroupFormat,
  groupBits,
  isGgmlFormat,
  type QFormat,
  QTensor,
  type QTensorInit,
} from "./quant/qtensor.js";
export { dequantize, quantize } from "./quant/quantize.js";
export * from "./shape.js";
export { type Device, type DeviceMemory, type MemoryInfo, memory, Storage } from "./storage.js";
export { decoder, encoder, Tensor } from "./tensor.js";
