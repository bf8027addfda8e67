// The GGUF module: a v3 writer and strict reader, and the llama.cpp export of a LlamaModel.

export { decodeGgufTensor } from "./decode.js";
export {
  exportGguf,
  type GgufExportOptions,
  ggufArchitecture,
  ggufModelMetadata,
  ggufTensors,
  ggufTokenizerMetadata,
} from "./export.js";
export { invertOrder, permuteRows, qkRowOrder } from "./permute.js";
export { type GgufFile, type GgufTensorInfo, parseGguf, readGguf, readGgufTensor } from "./read.js";
export * from "./types.js";
export { type GgufTensorSpec, ggufHeader, writeGguf } from "./write.js";
