// A tokenizer folder on disk (tokenizer.json + tokenizer_config.json), written atomically.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BpeError } from "../errors.js";
import { parseTokenizerJson, tokenizerConfigJson, tokenizerJson } from "./tokenizer-json.js";
import type { BpeVocabulary } from "./vocabulary.js";

/**
 * The files of a tokenizer folder, by name, as text.
 *
 * ```ts
 * Object.keys(tokenizerFiles(vocab)); // ["tokenizer.json", "tokenizer_config.json"]
 * ```
 */
export function tokenizerFiles(vocab: BpeVocabulary): Record<string, string> {
  return {
    "tokenizer.json": tokenizerJson(vocab),
    "tokenizer_config.json": tokenizerConfigJson(vocab),
  };
}

/**
 * Writes tokenizer.json and tokenizer_config.json into `dir` (created if needed); each file is
 * written to a temporary name and renamed, so an interrupted run leaves the old files whole.
 *
 * ```ts
 * writeTokenizerFolder("models/sotu", vocab);
 * loadTokenizer("models/sotu"); // @x/llm
 * ```
 */
export function writeTokenizerFolder(dir: string, vocab: BpeVocabulary): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of Object.entries(tokenizerFiles(vocab))) {
    const path = join(dir, name);
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, text);
    renameSync(tmp, path);
    written.push(path);
  }
  return written;
}

/**
 * Reads the vocabulary of a byte-level BPE tokenizer folder.
 *
 * ```ts
 * const enc = new BpeEncoder(readTokenizerFolder("models/sotu"));
 * ```
 */
export function readTokenizerFolder(dir: string): BpeVocabulary {
  const path = join(dir, "tokenizer.json");
  if (!existsSync(path)) throw new BpeError(`${path} does not exist`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new BpeError(`${path}: not JSON (${(err as Error).message})`);
  }
  return parseTokenizerJson(json);
}
