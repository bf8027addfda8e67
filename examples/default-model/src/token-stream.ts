// The prepared data of the default model on disk: per split, `<split>.u16` (the token stream,
// little-endian uint16: BOS, the passage's ids, EOS, for each passage in corpus order) and
// `<split>.json` (where each passage lies in the stream, the tokenizer's hash, counts). Training
// and evaluation read only these files, so they run where @x/corpus's data packages are absent.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { endianness } from "node:os";
import { join } from "node:path";

/** Format tag of `<split>.json`. */
export const TOKEN_FORMAT = "x-default-model-tokens/1";

/** The corpus splits, in the order they are written. */
export const SPLITS = ["train", "validation", "test"] as const;
export type SplitName = (typeof SPLITS)[number];

/**
 * Where one passage lies in a split's stream: `length` tokens from `offset`, BOS and EOS
 * included; `bytes` is the UTF-8 length of its text (for bits per byte).
 */
export interface PassageSpan {
  id: string;
  offset: number;
  length: number;
  bytes: number;
}

/** `<split>.json`. */
export interface SplitIndex {
  format: typeof TOKEN_FORMAT;
  split: SplitName;
  source: string;
  tokenizer: { sha256: string; vocabSize: number; bos: number; eos: number };
  passages: number;
  /** Tokens in the stream (BOS and EOS included). */
  tokens: number;
  /** UTF-8 bytes of the passages' text. */
  textBytes: number;
  maxPassageTokens: number;
  spans: PassageSpan[];
}

/** A split read back: its index and its tokens. */
export interface TokenSplit {
  index: SplitIndex;
  tokens: Uint16Array;
}

/** Bad or missing prepared data. */
export class TokenDataError extends Error {
  override readonly name = "TokenDataError";
}

/** SHA-256 (hex) of a tokenizer folder's `tokenizer.json`. */
export function tokenizerSha256(dir: string): string {
  const path = join(dir, "tokenizer.json");
  if (!existsSync(path)) throw new TokenDataError(`${path} does not exist`);
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}

function atomicWrite(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

function littleEndianBytes(tokens: Uint16Array): Uint8Array {
  if (endianness() === "LE")
    return new Uint8Array(tokens.buffer, tokens.byteOffset, tokens.byteLength);
  const out = new Uint8Array(tokens.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < tokens.length; i++) view.setUint16(2 * i, tokens[i]!, true);
  return out;
}

/**
 * Writes `<split>.u16` and `<split>.json` into `dir` (created if needed), each to a temporary name
 * then renamed, the index last.
 *
 * ```ts
 * writeSplit(".carry/sotu-tokens", index, tokens);
 * ```
 */
export function writeSplit(dir: string, index: SplitIndex, tokens: Uint16Array): void {
  if (index.tokens !== tokens.length)
    throw new TokenDataError(`index says ${index.tokens} tokens, the stream has ${tokens.length}`);
  mkdirSync(dir, { recursive: true });
  atomicWrite(join(dir, `${index.split}.u16`), littleEndianBytes(tokens));
  // One span per line: readable, and diffs of two preparations line up.
  const head = JSON.stringify({ ...index, spans: [] }, null, 1);
  const spans = index.spans.map((s) => `  ${JSON.stringify(s)}`).join(",\n");
  const text = head.replace('"spans": []', `"spans": [\n${spans}\n ]`);
  atomicWrite(join(dir, `${index.split}.json`), `${text}\n`);
}

/**
 * Reads a split back and checks it: format, length, and that every span starts with BOS and ends
 * with EOS inside the stream.
 *
 * ```ts
 * const { index, tokens } = readSplit(".carry/sotu-tokens", "validation");
 * ```
 */
export function readSplit(dir: string, split: SplitName): TokenSplit {
  const jsonPath = join(dir, `${split}.json`);
  const binPath = join(dir, `${split}.u16`);
  if (!existsSync(jsonPath) || !existsSync(binPath))
    throw new TokenDataError(
      `${dir} has no prepared ${split} split (${split}.json and ${split}.u16); run prepare first`,
    );
  const index = JSON.parse(readFileSync(jsonPath, "utf8")) as SplitIndex;
  if (index.format !== TOKEN_FORMAT)
    throw new TokenDataError(
      `${jsonPath} has format ${String(index.format)}, expected ${TOKEN_FORMAT}`,
    );
  const bytes = readFileSync(binPath);
  if (bytes.length !== index.tokens * 2)
    throw new TokenDataError(`${binPath} has ${bytes.length} bytes, expected ${index.tokens * 2}`);
  const tokens = new Uint16Array(index.tokens);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < tokens.length; i++) tokens[i] = view.getUint16(2 * i, true);
  const { bos, eos } = index.tokenizer;
  for (const s of index.spans) {
    if (s.offset < 0 || s.length < 2 || s.offset + s.length > tokens.length)
      throw new TokenDataError(`${jsonPath}: span of ${s.id} lies outside the stream`);
    if (tokens[s.offset] !== bos || tokens[s.offset + s.length - 1] !== eos)
      throw new TokenDataError(
        `${binPath}: passage ${s.id} is not framed by BOS ${bos} / EOS ${eos}`,
      );
  }
  return { index, tokens };
}

/** The tokens of passage `i` of a split (BOS and EOS included), a view of the stream. */
export function passageTokens(split: TokenSplit, i: number): Uint16Array {
  const s = split.index.spans[i];
  if (!s) throw new TokenDataError(`passage ${i} out of range (${split.index.spans.length})`);
  return split.tokens.subarray(s.offset, s.offset + s.length);
}

/**
 * `count` passages of a split spread evenly over it (all when it has fewer), sharing its stream:
 * a quick estimate that is not biased towards the early addresses.
 *
 * ```ts
 * heldOutPerplexity(model, spreadPassages(validation, 100));
 * ```
 */
export function spreadPassages(split: TokenSplit, count: number): TokenSplit {
  const n = split.index.spans.length;
  if (count >= n) return split;
  const spans = Array.from(
    { length: count },
    (_, i) => split.index.spans[Math.floor((i * n) / count)]!,
  );
  const tokens = spans.reduce((s, x) => s + x.length, 0);
  const textBytes = spans.reduce((s, x) => s + x.bytes, 0);
  return {
    tokens: split.tokens,
    index: { ...split.index, spans, passages: count, tokens, textBytes },
  };
}

/** The passages' inner ids (BOS and EOS removed), the documents `train()` packs. */
export function passageDocuments(split: TokenSplit): Uint16Array[] {
  return split.index.spans.map((s) => split.tokens.subarray(s.offset + 1, s.offset + s.length - 1));
}

/** Refuses a split encoded with another tokenizer than `sha256`. */
export function checkTokenizer(split: TokenSplit, sha256: string, where: string): void {
  if (split.index.tokenizer.sha256 !== sha256)
    throw new TokenDataError(
      `the ${split.index.split} split was encoded with tokenizer ${split.index.tokenizer.sha256.slice(0, 12)}, ${where} holds ${sha256.slice(0, 12)}; prepare again`,
    );
}
