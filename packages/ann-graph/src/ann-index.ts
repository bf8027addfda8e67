// The index: owns an IndexState, validates inputs, and dispatches to build and search.
import { readRow, setNumThreads } from "@x/tensor";
import { appendRows, hnswLink, levelStream, nndescentBuild } from "./build.js";
import {
  CapacityError,
  DisposedError,
  DuplicateLabelError,
  InvalidLabelError,
  MipsLiftOverflowError,
  NotSupportedError,
  ReadOnlyIndexError,
  UnnormalizedInnerProductError,
  unnormalizedMessage,
} from "./errors.js";
import { saveIndex } from "./file-format.js";
import {
  type AllowList,
  type BatchResult,
  DEFAULTS,
  type IndexKind,
  type IndexOptions,
  type IndexStats,
  type Metric,
  type SearchOptions,
  type SearchResult,
} from "./options.js";
import { runQueries, searchOne } from "./query.js";
import { buildAllowList, type SearchView, searchView } from "./search.js";
import { growState, type IndexState } from "./state.js";
import { indexStats } from "./stats.js";
import {
  checkFinite,
  firstNonFinite,
  liftRows,
  normalizeRows,
  normSpread,
  rowNorm,
  toRows,
  type VectorInput,
} from "./vectors.js";

const registry = new FinalizationRegistry<() => void>((release) => release());

/**
 * An approximate (hnsw, nndescent) or exact (flat) nearest-neighbour index. Create one with
 * `createIndex`, `loadIndex` or `viewIndex`.
 *
 * @example
 * const index = createIndex("hnsw", { dim: 64, metric: "cosine" });
 * index.add(vectors);
 * const { labels, distances } = index.search(query, 10, { ef: 64 });
 */
export class AnnIndex {
  /** @internal */ s: IndexState;
  /** @internal */ labelToId = new Map<number, number>();
  /** True for read-only mmap views. */
  readonly readonly: boolean;
  /** Update counts per NN-Descent iteration of the last build. */
  buildUpdates: number[] = [];
  private readonly opts: IndexOptions;
  private disposed = false;
  private view: SearchView | undefined;
  private warnedIp = false;

  /** @internal */
  constructor(state: IndexState, opts: IndexOptions, readonly = false) {
    this.s = state;
    this.opts = opts;
    this.readonly = readonly;
    for (let i = 0; i < state.rows.n; i++) this.labelToId.set(state.labels[i]!, i);
    registry.register(this, () => {}, this);
  }

  get kind(): IndexKind {
    return this.s.kind;
  }
  get dim(): number {
    return this.s.dim;
  }
  get metric(): Metric {
    return this.s.metric;
  }
  /** Live (not deleted) vectors. */
  get size(): number {
    return this.s.rows.n - this.s.deletedCount;
  }

  private live(what: string): IndexState {
    if (this.disposed) throw new DisposedError();
    if (this.readonly && what !== "search") throw new ReadOnlyIndexError(what);
    return this.s;
  }

  /**
   * Adds rows (hnsw, flat). Labels default to consecutive internal ids. Rows are applied in
   * order: on a bad row the earlier rows stay added, and the error's `added` says how many.
   */
  add(
    vectors: VectorInput,
    labels?: Uint32Array | readonly number[],
    opts: { replace?: boolean } = {},
  ): void {
    const s = this.live("add");
    if (s.kind === "nndescent")
      throw new NotSupportedError(
        "add: nndescent indexes are batch-built; use build() (or an hnsw index)",
      );
    if (s.kind === "hnsw" && s.mipsLift && s.rows.n > 0 && s.liftR2 === 0)
      throw new NotSupportedError("add: mipsLift needs a batch build first");
    this.insert(vectors, labels, opts.replace ?? false, false);
  }

  /** Builds the index from a batch (all kinds; required for nndescent, which it replaces). */
  build(vectors: VectorInput, labels?: Uint32Array | readonly number[]): void {
    const s = this.live("build");
    if (s.rows.n > 0 && s.kind === "nndescent")
      throw new NotSupportedError("build: the nndescent index is already built");
    this.insert(vectors, labels, false, true);
  }

  private insert(
    vectors: VectorInput,
    labels: Uint32Array | readonly number[] | undefined,
    replace: boolean,
    batch: boolean,
  ): void {
    const s = this.s;
    this.view = undefined;
    const { data, n } = toRows(vectors, s.dim, "vector", this.opts.strict);
    const bad = firstNonFinite(data, s.dim);
    const good = bad >= 0 ? bad : n;
    const lab = this.checkLabels(labels, n, replace);
    let rows = data.subarray(0, good * s.dim);
    if (s.metric === "cosine") rows = normalizeRows(rows, s.dim, "vector");
    if (s.metric === "ip") rows = this.ipRows(rows, batch);
    if (s.rows.n + good > s.capacity) {
      if (this.opts.autoResize === false) throw new CapacityError(s.capacity);
      growState(s, Math.max(s.rows.n + good, s.capacity * 2));
    }
    const from = s.rows.n;
    for (let r = 0; r < good; r++) {
      const old = this.labelToId.get(lab[r]!);
      if (old !== undefined) this.markDeletedId(old);
    }
    appendRows(s, rows, lab.subarray(0, good));
    for (let r = 0; r < good; r++) this.labelToId.set(lab[r]!, from + r);
    if (s.kind === "hnsw") hnswLink(s, from, levelStream({ ...s, rows: { ...s.rows, n: from } }));
    if (s.kind === "nndescent") {
      const o = this.opts;
      this.buildUpdates = nndescentBuild(s, {
        rho: o.rho ?? DEFAULTS.rho,
        delta: o.delta ?? DEFAULTS.delta,
        maxIters: o.maxIters ?? DEFAULTS.maxIters,
        nEntry: o.nEntry ?? DEFAULTS.nEntry,
      });
    }
    if (bad >= 0) checkFinite(data, s.dim, `vector (${good} rows before it were added)`);
  }

  private checkLabels(
    labels: Uint32Array | readonly number[] | undefined,
    n: number,
    replace: boolean,
  ): Uint32Array {
    if (labels === undefined) {
      const out = new Uint32Array(n);
      for (let r = 0; r < n; r++) {
        let l = this.s.rows.n + r;
        while (this.labelToId.has(l)) l++;
        out[r] = l;
      }
      return out;
    }
    if (labels.length !== n) throw new InvalidLabelError(`${labels.length} labels for ${n} rows`);
    const seen = new Set<number>();
    for (const l of labels) {
      if (!Number.isInteger(l) || l < 0 || l >= 0xffffffff) throw new InvalidLabelError(l);
      if (seen.has(l) || (!replace && this.labelToId.has(l))) throw new DuplicateLabelError(l);
      seen.add(l);
    }
    return Uint32Array.from(labels);
  }

  private ipRows(rows: Float32Array, batch: boolean): Float32Array {
    const s = this.s;
    const { spread, max } = normSpread(rows, s.dim);
    if (s.mipsLift) {
      if (s.liftR2 === 0) {
        if (!batch) throw new NotSupportedError("mipsLift: build the index with build() first");
        s.liftR2 = Math.fround(max * max * (1 + 1e-6));
      }
      for (let r = 0; r < rows.length / s.dim; r++) {
        const norm = rowNorm(rows, s.dim, r);
        if (norm * norm > s.liftR2 * (1 + 1e-6))
          throw new MipsLiftOverflowError(norm, Math.sqrt(s.liftR2));
      }
      return liftRows(rows, s.dim, s.liftR2);
    }
    if (!this.opts.assumeNormalized && spread > 1.001) {
      if (this.opts.strict) throw new UnnormalizedInnerProductError(spread);
      if (!this.warnedIp) {
        this.warnedIp = true;
        process.emitWarning(unnormalizedMessage(spread), {
          type: "UnnormalizedInnerProductWarning",
          code: "E_ANN_UNNORMALIZED_IP",
        });
      }
    }
    return rows;
  }

  /** Precomputes a filter for many queries: only these labels may be returned. */
  allowList(labels: ArrayLike<number>): AllowList {
    return buildAllowList(this.live("search"), this.labelToId, labels);
  }

  /** The k nearest vectors of one query, ascending by distance. */
  search(query: VectorInput, k: number, opts: SearchOptions = {}): SearchResult {
    const s = this.live("search");
    const { data, n } = toRows(query, s.dim, "query");
    if (n !== 1) throw new RangeError(`search takes one query, got ${n} rows (use searchBatch)`);
    this.view ??= searchView(s);
    return searchOne(s, this.view, this.labelToId, data, k, opts, this.exactBelow());
  }

  /** k nearest of every query (row-major nq x k; missing = 0xFFFFFFFF / +Infinity). */
  searchBatch(queries: VectorInput, k: number, opts: SearchOptions = {}): BatchResult {
    const s = this.live("search");
    const { data } = toRows(queries, s.dim, "query");
    const threads = opts.threads ?? 1;
    const before = threads > 1 ? setNumThreads(threads) : 0;
    try {
      const { labels, distances } = this.run(data, k, opts);
      return { labels, distances };
    } finally {
      if (threads > 1 && before) setNumThreads(1);
    }
  }

  private run(data: Float32Array, k: number, opts: SearchOptions) {
    this.view ??= searchView(this.s);
    return runQueries(this.s, this.view, this.labelToId, data, k, opts, this.exactBelow());
  }
  private exactBelow(): number {
    return this.opts.filterExactBelow ?? DEFAULTS.filterExactBelow;
  }

  /** Promise form of search (runs synchronously on this thread in v1). */
  async searchAsync(
    query: VectorInput,
    k: number,
    opts: SearchOptions = {},
  ): Promise<SearchResult> {
    return this.search(query, k, opts);
  }
  /** Promise form of searchBatch (runs synchronously on this thread in v1). */
  async searchBatchAsync(
    queries: VectorInput,
    k: number,
    opts: SearchOptions = {},
  ): Promise<BatchResult> {
    return this.searchBatch(queries, k, opts);
  }
  /** Promise form of build. */
  async buildAsync(vectors: VectorInput, labels?: Uint32Array | readonly number[]): Promise<void> {
    this.build(vectors, labels);
  }

  /** Marks a label deleted: still traversed, never returned. */
  markDeleted(label: number): void {
    this.live("markDeleted");
    const id = this.labelToId.get(label);
    if (id === undefined) throw new InvalidLabelError(`${label} (not in the index)`);
    this.markDeletedId(id);
    this.labelToId.delete(label);
  }
  private markDeletedId(id: number): void {
    const s = this.s;
    this.view = undefined;
    if ((s.deleted[id >> 3]! >> (id & 7)) & 1) return;
    s.deleted[id >> 3]! |= 1 << (id & 7);
    s.deletedCount++;
  }

  /** The stored vector of a label (unit vector for cosine; f16/i8 decoded; lift coordinate dropped). */
  getVector(label: number): Float32Array {
    const id = this.labelToId.get(label);
    if (id === undefined) throw new InvalidLabelError(`${label} (not in the index)`);
    return readRow(this.live("search").rows, id).slice(0, this.s.dim);
  }

  /** Degree histogram, level counts, reachability from the entry set, memory. */
  stats(): IndexStats {
    return indexStats(this.live("search"), this.size);
  }

  /** Writes the index file atomically (see loadIndex / viewIndex); `sourceHash` (16 bytes) ties it to its data. */
  save(path: string, opts: { sourceHash?: Uint8Array } = {}): void {
    saveIndex(this.live("search"), path, opts.sourceHash);
  }

  /** Releases the arrays; later calls raise DisposedError. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.view = undefined;
    registry.unregister(this);
    this.labelToId.clear();
  }
  [Symbol.dispose](): void {
    this.dispose();
  }
}
