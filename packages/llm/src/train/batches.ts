// Deterministic batching over packed windows. The order of epoch e is a pure function of
// (seed, e) through @x/tensor's counter-based generator (stream offset = epoch), so the data
// cursor {epoch, index} is all a checkpoint needs to continue the same sequence of batches.
import { rand, Tensor } from "@x/tensor";
import type { PackedDataset } from "./data.js";
import { requireConfig, TrainingError } from "./errors.js";

/** Position in the data stream: the next window is `epochOrder(...)[index]` of epoch `epoch`. */
export interface DataCursor {
  epoch: number;
  index: number;
}

/** One micro-batch of windows. */
export interface MicroBatch {
  /** i32 [B, T]. */
  inputIds: Tensor;
  /** [B·T] 0/1 target mask (a TokenMask for tokenLoss). */
  mask: Uint8Array;
  /** Window index of each row (what WTA-CRS keys its per-example cache by). */
  exampleIds: Int32Array;
  /** Number of set mask entries outside column 0. */
  targets: number;
}

/**
 * The order in which epoch `epoch` visits `n` windows: a permutation drawn from
 * `rand([n], {seed, offset: epoch, dtype: "f64"})` (argsort, ties by index), or 0..n-1 when
 * `shuffle` is false.
 *
 * ```ts
 * epochOrder(5, 42, 0); // e.g. Int32Array [3, 0, 4, 1, 2], the same on every machine
 * ```
 */
export function epochOrder(n: number, seed: number, epoch: number, shuffle = true): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (!shuffle) return order;
  const keys = rand([n], { seed, offset: epoch, dtype: "f64" }).data() as Float64Array;
  return order.sort((a, b) => keys[a]! - keys[b]! || a - b);
}

/** Options of {@link BatchSampler}. */
export interface BatchSamplerOptions {
  /** Windows per micro-batch. */
  batchSize: number;
  /** Seed of the shuffle (default 0). */
  seed?: number;
  /** Default true. */
  shuffle?: boolean;
}

/**
 * Yields micro-batches of `batchSize` windows in the seeded order; a batch that runs past the end
 * of an epoch continues with the next epoch's order, so every batch is full and every window is
 * seen once per epoch.
 *
 * ```ts
 * const sampler = new BatchSampler(data, { batchSize: 8, seed: 1 });
 * const { inputIds, mask } = sampler.next();
 * const saved = sampler.cursor; // resume later with new BatchSampler(data, opts, saved)
 * ```
 */
export class BatchSampler {
  readonly data: PackedDataset;
  readonly batchSize: number;
  readonly seed: number;
  readonly shuffle: boolean;
  private epoch: number;
  private index: number;
  private order: Int32Array;

  constructor(
    data: PackedDataset,
    opts: BatchSamplerOptions,
    cursor: DataCursor = { epoch: 0, index: 0 },
  ) {
    requireConfig(
      Number.isInteger(opts.batchSize) && opts.batchSize >= 1,
      `batchSize must be an integer >= 1, got ${opts.batchSize}`,
    );
    if (
      !Number.isInteger(cursor.epoch) ||
      cursor.epoch < 0 ||
      !Number.isInteger(cursor.index) ||
      cursor.index < 0 ||
      cursor.index > data.numWindows
    ) {
      throw new TrainingError(
        "TRAIN_CHECKPOINT",
        `data cursor {epoch: ${cursor.epoch}, index: ${cursor.index}} does not fit ${data.numWindows} windows`,
      );
    }
    this.data = data;
    this.batchSize = opts.batchSize;
    this.seed = opts.seed ?? 0;
    this.shuffle = opts.shuffle ?? true;
    this.epoch = cursor.epoch;
    this.index = cursor.index;
    this.order = epochOrder(data.numWindows, this.seed, this.epoch, this.shuffle);
  }

  /** Where the next batch starts (save it in a checkpoint). */
  get cursor(): DataCursor {
    return { epoch: this.epoch, index: this.index };
  }

  /** Epochs completed, as a fraction (for progress reports). */
  get epochsDone(): number {
    return this.epoch + this.index / this.data.numWindows;
  }

  /** The next micro-batch. */
  next(): MicroBatch {
    const { seqLen: T, tokens, mask } = this.data;
    const B = this.batchSize;
    const ids = new Int32Array(B * T);
    const m = new Uint8Array(B * T);
    const exampleIds = new Int32Array(B);
    let targets = 0;
    for (let r = 0; r < B; r++) {
      if (this.index === this.data.numWindows) {
        this.epoch++;
        this.index = 0;
        this.order = epochOrder(this.data.numWindows, this.seed, this.epoch, this.shuffle);
      }
      const w = this.order[this.index++]!;
      exampleIds[r] = w;
      ids.set(tokens.subarray(w * T, (w + 1) * T), r * T);
      const src = mask.subarray(w * T, (w + 1) * T);
      m.set(src, r * T);
      for (let i = 1; i < T; i++) targets += src[i]!;
    }
    return { inputIds: Tensor.wrap(ids, [B, T], "i32"), mask: m, exampleIds, targets };
  }
}
