// Packing tokenized documents into fixed-length training windows with a loss mask. A window of
// seqLen tokens yields seqLen - 1 targets (token t is predicted from tokens < t), so consecutive
// windows overlap by one token: every token of the stream after the first is a target exactly
// once, wherever the window boundaries fall.
import { requireConfig, TrainingError } from "./errors.js";

/**
 * One tokenized document:
 * - token ids (every token is a target);
 * - `{tokens, mask}`: `mask[i]` says whether token i is a target (e.g. response tokens only);
 * - `{prompt, response}`: only the response (and the EOS after it) are targets.
 */
export type TrainDocument =
  | ArrayLike<number>
  | { tokens: ArrayLike<number>; mask?: ArrayLike<number | boolean> }
  | { prompt: ArrayLike<number>; response: ArrayLike<number> };

/** Options of {@link packDocuments}. */
export interface PackOptions {
  /** Tokens per window (>= 2). */
  seqLen: number;
  /** Prepended to every document, never a target. Default: none. */
  bos?: number | null;
  /** Appended to every document; a target when the document's last token is. Default: none. */
  eos?: number | null;
  /** Fills the tail of the last window (never a target). Default: eos, else 0. */
  padId?: number;
  /** "concat" (default): one stream cut into windows; "separate": every document starts a new window. */
  mode?: "concat" | "separate";
  /** Drop a final partial window instead of padding it. Default false. */
  dropRemainder?: boolean;
  /** When given, every id must lie in [0, vocabSize). */
  vocabSize?: number;
}

/** Fixed-length windows, row-major: window w is `tokens[w·seqLen, (w+1)·seqLen)`. */
export interface PackedDataset {
  seqLen: number;
  numWindows: number;
  tokens: Int32Array;
  /** 1 where the token is a target; column 0 of every window is 0. */
  mask: Uint8Array;
  /** Number of targets (set mask entries). */
  targets: number;
  /** Hash of seqLen, tokens and mask; a resumed run checks it to refuse different data. */
  fingerprint: string;
}

function documentParts(doc: TrainDocument): {
  ids: ArrayLike<number>;
  mask: (i: number) => boolean;
} {
  if ("prompt" in doc && "response" in doc) {
    const ids = [...Array.from(doc.prompt), ...Array.from(doc.response)];
    const start = doc.prompt.length;
    return { ids, mask: (i) => i >= start };
  }
  if ("tokens" in doc) {
    const m = doc.mask;
    if (m && m.length !== doc.tokens.length) {
      throw new TrainingError(
        "TRAIN_DATA",
        `document mask has ${m.length} entries for ${doc.tokens.length} tokens`,
      );
    }
    return { ids: doc.tokens, mask: m ? (i) => Boolean(m[i]) : () => true };
  }
  return { ids: doc as ArrayLike<number>, mask: () => true };
}

function checkId(id: number, vocab: number | undefined, where: string): void {
  if (!Number.isInteger(id) || id < 0 || (vocab !== undefined && id >= vocab)) {
    throw new TrainingError(
      "TRAIN_DATA",
      `${where}: token ${id} is not an id in [0, ${vocab ?? "2^31"})`,
    );
  }
}

/** FNV-1a over 32-bit words, two lanes with different offsets to make collisions unlikely. */
function fingerprintOf(seqLen: number, tokens: Int32Array, mask: Uint8Array): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ seqLen;
  const mix = (x: number) => {
    a = Math.imul(a ^ x, 0x01000193) >>> 0;
    b = Math.imul(b ^ (x + 0x9e3779b9), 0x01000193) >>> 0;
  };
  mix(seqLen);
  for (let i = 0; i < tokens.length; i++) mix(tokens[i]! * 2 + mask[i]!);
  return a.toString(16).padStart(8, "0") + b.toString(16).padStart(8, "0");
}

/**
 * Packs documents into windows of `seqLen` tokens (BOS/EOS around each document, padding at the
 * end), with a target mask. Consecutive windows of one stream share one token, so no target is
 * lost at a boundary. Tokens of a window attend to earlier documents in it (no cross-document
 * attention mask), as in standard pretraining packing.
 *
 * ```ts
 * const data = packDocuments([{ prompt: [5, 6], response: [7, 8] }, [9, 10, 11]],
 *   { seqLen: 8, bos: 1, eos: 2 });
 * data.numWindows; // 2: [1 5 6 7 8 2 1 9] and [9 10 11 2 pad...]
 * ```
 */
export function packDocuments(docs: Iterable<TrainDocument>, opts: PackOptions): PackedDataset {
  const T = opts.seqLen;
  requireConfig(Number.isInteger(T) && T >= 2, `seqLen must be an integer >= 2, got ${T}`);
  const { bos, eos, vocabSize } = opts;
  if (bos !== undefined && bos !== null) checkId(bos, vocabSize, "bos");
  if (eos !== undefined && eos !== null) checkId(eos, vocabSize, "eos");
  const pad = opts.padId ?? eos ?? 0;
  checkId(pad, vocabSize, "padId");
  const streams: { ids: number[]; mask: number[] }[] = [{ ids: [], mask: [] }];
  let d = 0;
  for (const doc of docs) {
    const { ids, mask } = documentParts(doc);
    if (ids.length === 0) throw new TrainingError("TRAIN_DATA", `document ${d} is empty`);
    if (opts.mode === "separate" && streams[streams.length - 1]!.ids.length > 0)
      streams.push({ ids: [], mask: [] });
    const s = streams[streams.length - 1]!;
    if (bos !== undefined && bos !== null) {
      s.ids.push(bos);
      s.mask.push(0);
    }
    for (let i = 0; i < ids.length; i++) {
      checkId(ids[i]!, vocabSize, `document ${d}, token ${i}`);
      s.ids.push(ids[i]!);
      s.mask.push(mask(i) ? 1 : 0);
    }
    if (eos !== undefined && eos !== null) {
      s.ids.push(eos);
      s.mask.push(mask(ids.length - 1) ? 1 : 0);
    }
    d++;
  }
  const windows: { ids: number[]; mask: number[] }[] = [];
  for (const s of streams) {
    // Window k starts at k(T-1); the stream's targets are positions 1..L-1.
    const L = s.ids.length;
    const full = Math.floor((L - 1) / (T - 1));
    const n = opts.dropRemainder ? full : Math.ceil((L - 1) / (T - 1));
    for (let k = 0; k < n; k++) {
      const start = k * (T - 1);
      windows.push({ ids: s.ids.slice(start, start + T), mask: s.mask.slice(start, start + T) });
    }
  }
  if (windows.length === 0)
    throw new TrainingError(
      "TRAIN_DATA",
      `no window of ${T} tokens can be packed from ${d} document(s)`,
    );
  const tokens = new Int32Array(windows.length * T).fill(pad);
  const maskOut = new Uint8Array(windows.length * T);
  let targets = 0;
  windows.forEach((w, k) => {
    tokens.set(w.ids, k * T);
    for (let i = 1; i < w.mask.length; i++) {
      maskOut[k * T + i] = w.mask[i]!;
      targets += w.mask[i]!;
    }
  });
  return {
    seqLen: T,
    numWindows: windows.length,
    tokens,
    mask: maskOut,
    targets,
    fingerprint: fingerprintOf(T, tokens, maskOut),
  };
}
