// Our own byte-level BPE encoder and decoder over a trained vocabulary: the reference the
// Hugging Face libraries are compared against, and what the trainer's tests use.
import { BpeError } from "../errors.js";
import { BYTE_TO_CHAR, CHAR_TO_BYTE } from "./byte-map.js";
import { pretokenize, splitSpecial } from "./pretokenize.js";
import type { BpeVocabulary } from "./vocabulary.js";

const K = 2 ** 20;

/** Options of {@link BpeEncoder.encode}. */
export interface BpeEncodeOptions {
  /** Prepend the BOS id (the first special token), as the tokenizer.json post-processor does; default false. */
  addBos?: boolean;
}

/**
 * Encodes text with a {@link BpeVocabulary}: split around special tokens, pre-tokenize with
 * GPT-2's pattern, map each piece's UTF-8 bytes to byte tokens, then repeatedly merge the
 * adjacent pair of lowest merge rank (all its occurrences, left to right).
 *
 * ```ts
 * const enc = new BpeEncoder(vocab);
 * const ids = enc.encode("Call me Ishmael.");
 * enc.decode(ids); // "Call me Ishmael."
 * ```
 */
export class BpeEncoder {
  readonly vocab: BpeVocabulary;
  private readonly rank = new Map<number, number>();
  private readonly result = new Map<number, number>();
  private readonly byteIds: number[];
  private readonly tokenBytes: Uint8Array[];
  private readonly specialIds = new Map<string, number>();
  private readonly cache = new Map<string, number[]>();
  private readonly utf8 = new TextEncoder();

  constructor(vocab: BpeVocabulary) {
    this.vocab = vocab;
    const idOf = new Map<string, number>();
    vocab.tokens.forEach((t, i) => {
      if (!idOf.has(t)) idOf.set(t, i);
    });
    vocab.specialTokens.forEach((s) => {
      const id = idOf.get(s);
      if (id === undefined) throw new BpeError(`special token "${s}" is not in the vocabulary`);
      this.specialIds.set(s, id);
    });
    this.byteIds = BYTE_TO_CHAR.map((ch, b) => {
      const id = idOf.get(ch);
      if (id === undefined) throw new BpeError(`byte 0x${b.toString(16)} ("${ch}") has no token`);
      return id;
    });
    vocab.merges.forEach(([l, r], rank) => {
      const a = idOf.get(l);
      const b = idOf.get(r);
      const c = idOf.get(l + r);
      if (a === undefined || b === undefined || c === undefined) {
        throw new BpeError(
          `merge ${rank} ("${l}" "${r}") uses or makes a token not in the vocabulary`,
        );
      }
      const key = a * K + b;
      if (!this.rank.has(key)) {
        this.rank.set(key, rank);
        this.result.set(key, c);
      }
    });
    this.tokenBytes = vocab.tokens.map((t) =>
      this.specialIds.has(t) ? this.utf8.encode(t) : symbolsToBytes(t),
    );
  }

  /** Number of ids (one past the largest id). */
  get size(): number {
    return this.vocab.tokens.length;
  }

  /** Ids of one pre-tokenized piece. */
  encodeWord(piece: string): number[] {
    const hit = this.cache.get(piece);
    if (hit) return hit;
    let ids = Array.from(this.utf8.encode(piece), (b) => this.byteIds[b]!);
    for (;;) {
      let best = -1;
      let bestRank = Number.POSITIVE_INFINITY;
      for (let i = 0; i + 1 < ids.length; i++) {
        const r = this.rank.get(ids[i]! * K + ids[i + 1]!);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = ids[i]! * K + ids[i + 1]!;
        }
      }
      if (best < 0) break;
      const a = Math.floor(best / K);
      const b = best % K;
      const c = this.result.get(best)!;
      const next: number[] = [];
      for (let i = 0; i < ids.length; i++) {
        if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) {
          next.push(c);
          i++;
        } else next.push(ids[i]!);
      }
      ids = next;
    }
    if (this.cache.size < 100_000) this.cache.set(piece, ids);
    return ids;
  }

  /** Token ids of `text`. */
  encode(text: string, opts: BpeEncodeOptions = {}): number[] {
    if (typeof text !== "string")
      throw new BpeError(`encode: expected a string, got ${typeof text}`);
    const out: number[] = [];
    if (opts.addBos) out.push(this.specialIds.get(this.vocab.specialTokens[0]!)!);
    for (const part of splitSpecial(text, this.vocab.specialTokens)) {
      if (part.special) out.push(this.specialIds.get(part.text)!);
      else
        for (const piece of pretokenize(part.text))
          for (const id of this.encodeWord(piece)) out.push(id);
    }
    return out;
  }

  /** The bytes that `ids` stand for (special tokens as their UTF-8 text). */
  decodeBytes(ids: ArrayLike<number>): Uint8Array {
    const parts: Uint8Array[] = [];
    let n = 0;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      const bytes = Number.isInteger(id) ? this.tokenBytes[id] : undefined;
      if (!bytes)
        throw new BpeError(
          `decode: id ${id} at position ${i} is outside the vocabulary (size ${this.size})`,
        );
      parts.push(bytes);
      n += bytes.length;
    }
    const out = new Uint8Array(n);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  /** Text of `ids`; invalid UTF-8 becomes U+FFFD, as in Hugging Face's ByteLevel decoder. */
  decode(ids: ArrayLike<number>): string {
    return new TextDecoder("utf-8", { fatal: false, ignoreBOM: true }).decode(
      this.decodeBytes(ids),
    );
  }
}

/**
 * The bytes of a byte-level token string.
 *
 * ```ts
 * symbolsToBytes("ĠÃ©"); // Uint8Array [0x20, 0xc3, 0xa9]
 * ```
 */
export function symbolsToBytes(symbols: string): Uint8Array {
  const out: number[] = [];
  for (const ch of symbols) {
    const b = CHAR_TO_BYTE.get(ch);
    if (b === undefined)
      throw new BpeError(`"${symbols}" is not a byte-level token (character "${ch}")`);
    out.push(b);
  }
  return Uint8Array.from(out);
}
