// The GGUF module: a v3 writer and strict reader, the llama.cpp export of a LlamaModel and the
// loader of llama.cpp files back into one.

export { GGUF_ARCHITECTURES, ggufConfig, readGgufConfig } from "./config-from-gguf.js";
export { decodeGgufTensor } from "./decode.js";
export {
  exportGguf,
  type GgufExportOptions,
  ggufArchitecture,
  ggufModelMetadata,
  ggufTensors,
  ggufTokenizerMetadata,
} from "./export.js";
export { type GgufLoadOptions, ggufTensorNames, loadGguf } from "./load.js";
export { invertOrder, permuteRows, qkRowOrder } from "./permute.js";
export {
  type GgufFile,
  type GgufTensorInfo,
  isGgufFile,
  parseGguf,
  readGguf,
  readGgufTensor,
} from "./read.js";
export { llama3FromRopeFactors } from "./rope-fit.js";
export { GGUF_PRE_TOKENIZERS, ggufTokenizer } from "./tokenizer.js";
export * from "./types.js";
export { type GgufTensorSpec, ggufHeader, writeGguf } from "./write.js";
