// Typed errors of @x/corpus. They carry a stable `code` like @x/tensor's XError, without making
// this data package load the tensor runtime.

/**
 * Base class of the errors this package throws; `code` is stable, `message` says what and where.
 *
 * ```ts
 * try { loadCorpus({ sources: ["nope" as never] }); }
 * catch (e) { if (e instanceof CorpusError) console.error(e.code, e.message); }
 * ```
 */
export class CorpusError extends Error {
  readonly code: string;
  constructor(message: string, code = "E_CORPUS") {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * Bad input to the BPE trainer or encoder (vocabulary too small, malformed tokenizer.json, an id
 * outside the vocabulary).
 *
 * ```ts
 * try { trainBpe(["a"], { vocabSize: 10 }); }
 * catch (e) { if (e instanceof BpeError) console.error(e.message); }
 * ```
 */
export class BpeError extends CorpusError {
  constructor(message: string) {
    super(message, "E_BPE");
  }
}
