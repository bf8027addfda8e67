// The GGUF module: a v3 writer and strict reader, the llama.cpp export of a LlamaModel and the
// loader of llama.cpp files back into one.

export { decodeGgufTensor } from "./decode.js";
export {
  exportGguf,
  type GgufExportOptions,
  ggufArchitecture,
  ggufModelMetadata,
  ggufTensors,
  ggufTokenizerMetadata,
} from "./export.js";
export {
  GGUF_ARCHITECTURES,
  type GgufLoadOptions,
  ggufConfig,
  ggufTensorNames,
  llama3FromRopeFactors,
  loadGguf,
  readGgufConfig,
} from "./load.js";
export { invertOrder, permuteRows, qkRowOrder } from "./permute.js";
export {
  type GgufFile,
  type GgufTensorInfo,
  isGgufFile,
  parseGguf,
  readGguf,
  readGgufTensor,
} from "./read.js";
export { GGUF_PRE_TOKENIZERS, ggufTokenizer } from "./tokenizer.js";
export * from "./types.js";
export { type GgufTensorSpec, ggufHeader, writeGguf } from "./write.js";
