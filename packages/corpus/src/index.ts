// @x/corpus: the default model's data (public-domain passages with stable ids and hash splits)
// and a byte-level BPE trainer writing Hugging Face tokenizer.json.

export { BYTE_TO_CHAR, bytesToSymbols, CHAR_TO_BYTE } from "./bpe/byte-map.js";
export { type BpeEncodeOptions, BpeEncoder, symbolsToBytes } from "./bpe/encoder.js";
export { evaluateTokenizer, type TokenizerStats } from "./bpe/evaluate.js";
export { PairHeap } from "./bpe/pair-heap.js";
export { PRETOKENIZE_PATTERN, pretokenize, splitSpecial } from "./bpe/pretokenize.js";
export {
  readTokenizerFolder,
  tokenizerFiles,
  writeTokenizerFolder,
} from "./bpe/tokenizer-folder.js";
export { parseTokenizerJson, tokenizerConfigJson, tokenizerJson } from "./bpe/tokenizer-json.js";
export {
  type BpeProgress,
  type TrainBpeOptions,
  trainBpe,
  trainBpeOnCounts,
} from "./bpe/trainer.js";
export { BOS_TOKEN, type BpeVocabulary, EOS_TOKEN } from "./bpe/vocabulary.js";
export { countWords } from "./bpe/word-counts.js";
export { cleanParagraph, splitParagraphs, wordCount } from "./corpus/clean.js";
export {
  type LoadCorpusOptions,
  loadCorpus,
  loadDocuments,
  type Passage,
  SOURCES,
  toPassages,
} from "./corpus/corpus.js";
export { packageDataDir } from "./corpus/dataset-dir.js";
export type { CorpusDocument, SourceName } from "./corpus/document.js";
export { MOBY_DICK_PACKAGE, readMobyDick } from "./corpus/moby-dick.js";
export {
  type ChunkOptions,
  chunkParagraph,
  DEFAULT_MAX_WORDS,
  documentPassages,
} from "./corpus/passages.js";
export { splitSentences } from "./corpus/sentences.js";
export { readSotu, SOTU_PACKAGE, surnameSlug } from "./corpus/sotu.js";
export {
  DEFAULT_SPLIT_FRACTIONS,
  hashUnit,
  type Split,
  type SplitFractions,
  splitOf,
} from "./corpus/split.js";
export { BpeError, CorpusError } from "./errors.js";
