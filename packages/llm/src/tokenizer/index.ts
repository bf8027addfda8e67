// The tokenizer module: HF tokenizer folders, chat templates, streaming text and stop strings.

export { type ChatMessage, type ChatTemplateOptions, renderChatTemplate } from "./chat-template.js";
export { TokenizerError } from "./errors.js";
export { type StopMatch, StopStringMatcher, stopStrings } from "./stop-strings.js";
export { type Decodes, StreamDecoder } from "./stream-decoder.js";
export {
  type DecodeOptions,
  type EncodeOptions,
  loadTokenizer,
  Tokenizer,
  type TokenizerFiles,
} from "./tokenizer.js";
