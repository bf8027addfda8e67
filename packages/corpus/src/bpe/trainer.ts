// Byte-level BPE training with incremental pair counts over unique words: each merge only
// revisits the words that contain the merged pair and updates the counts of the pairs that
// changed; a lazy max-heap picks the next pair.
import { BpeError } from "../errors.js";
import { BYTE_TO_CHAR } from "./byte-map.js";
import { PairHeap } from "./pair-heap.js";
import { BOS_TOKEN, type BpeVocabulary, EOS_TOKEN } from "./vocabulary.js";
import { countWords } from "./word-counts.js";

/** Progress of {@link trainBpe}, reported every `progressEvery` merges and at the end. */
export interface BpeProgress {
  merges: number;
  /** Merges wanted (vocabSize minus specials and bytes). */
  target: number;
  /** Frequency of the last merged pair. */
  count: number;
}

/** Options of {@link trainBpe}. */
export interface TrainBpeOptions {
  /** Wanted vocabulary size, special and byte tokens included (at most 2^20). */
  vocabSize: number;
  /** Special tokens, ids 0.. in order; default [BOS_TOKEN, EOS_TOKEN]. */
  specialTokens?: readonly string[];
  /** A pair seen fewer times than this is never merged; default 2. */
  minFrequency?: number;
  onProgress?: (p: BpeProgress) => void;
  /** Default 500. */
  progressEvery?: number;
}

const K = 2 ** 20; // pair key = left * K + right

/**
 * Trains byte-level BPE on texts; stops early when no pair reaches `minFrequency`.
 * Deterministic: the most frequent pair wins, ties go to the pair of smaller ids.
 *
 * ```ts
 * const vocab = trainBpe(passages.map((p) => p.text), { vocabSize: 8192 });
 * vocab.merges[0]; // e.g. ["Ġ", "t"]
 * ```
 */
export function trainBpe(texts: Iterable<string>, opts: TrainBpeOptions): BpeVocabulary {
  const specials = [...(opts.specialTokens ?? [BOS_TOKEN, EOS_TOKEN])];
  return trainBpeOnCounts(countWords(texts, specials), opts);
}

/**
 * {@link trainBpe} on word counts already made by `countWords`.
 *
 * ```ts
 * trainBpeOnCounts(new Map([["ab", 3], [" ab", 2]]), { vocabSize: 260, specialTokens: [] });
 * ```
 */
export function trainBpeOnCounts(
  counts: ReadonlyMap<string, number>,
  opts: TrainBpeOptions,
): BpeVocabulary {
  const specials = [...(opts.specialTokens ?? [BOS_TOKEN, EOS_TOKEN])];
  const minFrequency = opts.minFrequency ?? 2;
  const every = opts.progressEvery ?? 500;
  const base = specials.length + 256;
  if (!Number.isInteger(opts.vocabSize) || opts.vocabSize < base || opts.vocabSize > K) {
    throw new BpeError(
      `vocabSize must be an integer in [${base}, ${K}] (specials + 256 bytes at least), got ${opts.vocabSize}`,
    );
  }
  const tokens = [...specials, ...BYTE_TO_CHAR];
  const idOf = new Map<string, number>();
  tokens.forEach((t, i) => {
    if (idOf.has(t)) throw new BpeError(`special token "${t}" repeats or equals a byte token`);
    idOf.set(t, i);
  });

  // Unique words as symbol-id arrays, with their frequencies.
  const encoder = new TextEncoder();
  const words: number[][] = [];
  const freq: number[] = [];
  for (const [word, f] of counts) {
    words.push(Array.from(encoder.encode(word), (b) => specials.length + b));
    freq.push(f);
  }

  // Pair counts and, per pair, the words that may contain it (stale entries are skipped later).
  const pairCount = new Map<number, number>();
  const where = new Map<number, number[]>();
  words.forEach((w, wi) => {
    for (let i = 0; i + 1 < w.length; i++) {
      const key = w[i]! * K + w[i + 1]!;
      pairCount.set(key, (pairCount.get(key) ?? 0) + freq[wi]!);
      const list = where.get(key);
      if (list) list.push(wi);
      else where.set(key, [wi]);
    }
  });
  const heap = new PairHeap();
  for (const [key, n] of pairCount) heap.push(n, key);

  const merges: [string, string][] = [];
  const target = opts.vocabSize - base;
  const stamp = new Int32Array(words.length).fill(-1);
  let last = 0;
  while (tokens.length < opts.vocabSize) {
    const top = heap.pop();
    if (!top) break;
    if (pairCount.get(top.key) !== top.count) continue; // stale entry
    if (top.count < minFrequency) break;
    const a = Math.floor(top.key / K);
    const b = top.key % K;
    const merged = tokens[a]! + tokens[b]!;
    let c = idOf.get(merged);
    if (c === undefined) {
      c = tokens.length;
      tokens.push(merged);
      idOf.set(merged, c);
    }
    merges.push([tokens[a]!, tokens[b]!]);
    last = top.count;

    const step = merges.length;
    const delta = new Map<number, number>();
    const add = (key: number, d: number) => delta.set(key, (delta.get(key) ?? 0) + d);
    for (const wi of where.get(top.key) ?? []) {
      if (stamp[wi] === step) continue;
      stamp[wi] = step;
      const w = words[wi]!;
      const nw: number[] = [];
      for (let i = 0; i < w.length; i++) {
        if (i + 1 < w.length && w[i] === a && w[i + 1] === b) {
          nw.push(c);
          i++;
        } else nw.push(w[i]!);
      }
      if (nw.length === w.length) continue;
      const f = freq[wi]!;
      for (let i = 0; i + 1 < w.length; i++) add(w[i]! * K + w[i + 1]!, -f);
      for (let i = 0; i + 1 < nw.length; i++) {
        const key = nw[i]! * K + nw[i + 1]!;
        add(key, f);
        if (nw[i] === c || nw[i + 1] === c) {
          const list = where.get(key);
          if (list) list.push(wi);
          else where.set(key, [wi]);
        }
      }
      words[wi] = nw;
    }
    where.delete(top.key);
    for (const [key, d] of delta) {
      if (d === 0) continue;
      const n = (pairCount.get(key) ?? 0) + d;
      if (n <= 0) pairCount.delete(key);
      else {
        pairCount.set(key, n);
        heap.push(n, key);
      }
    }
    if (opts.onProgress && merges.length % every === 0) {
      opts.onProgress({ merges: merges.length, target, count: last });
    }
  }
  opts.onProgress?.({ merges: merges.length, target, count: last });
  return { tokens, merges, specialTokens: specials };
}
