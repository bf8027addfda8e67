// Corpus passages -> token streams: each State of the Union passage of @x/corpus encoded with the
// default model's tokenizer (our byte-level BPE encoder, the reference the Hugging Face
// tokenizer is tested against) and framed as BOS, ids, EOS. Deterministic: corpus order.
import {
  BOS_TOKEN,
  BpeEncoder,
  EOS_TOKEN,
  loadCorpus,
  type Passage,
  readTokenizerFolder,
} from "@x/corpus";
import {
  type PassageSpan,
  SPLITS,
  type SplitIndex,
  type SplitName,
  TOKEN_FORMAT,
  TokenDataError,
  tokenizerSha256,
  writeSplit,
} from "./token-stream.js";

/** The corpus source the default model is trained on. */
export const SOURCE = "sotu";

/** One split encoded: the index (with spans) and the stream. */
export interface EncodedSplit {
  index: SplitIndex;
  tokens: Uint16Array;
}

/** The tokenizer of a folder with its BOS/EOS ids and hash. */
export interface FolderTokenizer {
  encoder: BpeEncoder;
  bos: number;
  eos: number;
  sha256: string;
}

/**
 * Opens a tokenizer folder with @x/corpus's encoder.
 *
 * ```ts
 * const tok = openTokenizer("models/sotu"); // { bos: 0, eos: 1, ... }
 * ```
 */
export function openTokenizer(dir: string): FolderTokenizer {
  const vocab = readTokenizerFolder(dir);
  const bos = vocab.tokens.indexOf(BOS_TOKEN);
  const eos = vocab.tokens.indexOf(EOS_TOKEN);
  if (bos < 0 || eos < 0)
    throw new TokenDataError(`${dir}: the vocabulary has no ${BOS_TOKEN} / ${EOS_TOKEN}`);
  if (vocab.tokens.length > 65536)
    throw new TokenDataError(`${dir}: ${vocab.tokens.length} tokens do not fit uint16`);
  return { encoder: new BpeEncoder(vocab), bos, eos, sha256: tokenizerSha256(dir) };
}

/**
 * Encodes passages (in the order given) into one stream of BOS, ids, EOS per passage.
 *
 * ```ts
 * const { index, tokens } = encodeSplit(passages, "validation", openTokenizer("models/sotu"));
 * ```
 */
export function encodeSplit(
  passages: readonly Passage[],
  split: SplitName,
  tok: FolderTokenizer,
): EncodedSplit {
  const parts: number[][] = [];
  const spans: PassageSpan[] = [];
  let offset = 0;
  let textBytes = 0;
  let maxPassageTokens = 0;
  for (const p of passages) {
    const ids = tok.encoder.encode(p.text);
    if (ids.length === 0) throw new TokenDataError(`passage ${p.id} encodes to no token`);
    const length = ids.length + 2;
    const bytes = Buffer.byteLength(p.text);
    parts.push([tok.bos, ...ids, tok.eos]);
    spans.push({ id: p.id, offset, length, bytes });
    offset += length;
    textBytes += bytes;
    maxPassageTokens = Math.max(maxPassageTokens, length);
  }
  const tokens = new Uint16Array(offset);
  let at = 0;
  for (const part of parts) {
    tokens.set(part, at);
    at += part.length;
  }
  const index: SplitIndex = {
    format: TOKEN_FORMAT,
    split,
    source: SOURCE,
    tokenizer: { sha256: tok.sha256, vocabSize: tok.encoder.size, bos: tok.bos, eos: tok.eos },
    passages: passages.length,
    tokens: tokens.length,
    textBytes,
    maxPassageTokens,
    spans,
  };
  return { index, tokens };
}

/** What {@link prepareSplits} wrote, per split. */
export interface PreparedSummary {
  split: SplitName;
  passages: number;
  tokens: number;
  textBytes: number;
  maxPassageTokens: number;
}

/**
 * Loads the State of the Union passages of @x/corpus and writes the chosen splits' token files
 * into `outDir`.
 *
 * ```ts
 * prepareSplits({ tokenizerDir: "models/sotu", outDir: ".carry/sotu-tokens" });
 * ```
 */
export function prepareSplits(opts: {
  tokenizerDir: string;
  outDir: string;
  splits?: readonly SplitName[];
  /** The passages to encode (default: loadCorpus's SOTU passages). */
  passages?: readonly Passage[];
}): PreparedSummary[] {
  const tok = openTokenizer(opts.tokenizerDir);
  const all = (opts.passages ?? loadCorpus({ sources: [SOURCE] })).filter(
    (p) => p.source === SOURCE,
  );
  const out: PreparedSummary[] = [];
  for (const split of opts.splits ?? SPLITS) {
    const { index, tokens } = encodeSplit(
      all.filter((p) => p.split === split),
      split,
      tok,
    );
    writeSplit(opts.outDir, index, tokens);
    const { passages, textBytes, maxPassageTokens } = index;
    out.push({ split, passages, tokens: tokens.length, textBytes, maxPassageTokens });
  }
  return out;
}
