// Incremental detokenization for streaming: text is emitted only once it is stable, i.e. once
// the bytes decoded so far form complete UTF-8 characters.

/** What {@link StreamDecoder} needs of a tokenizer. */
export interface Decodes {
  decode(ids: ArrayLike<number>, opts?: { skipSpecialTokens?: boolean }): string;
}

const REPLACEMENT = "\uFFFD";

/**
 * Turns a stream of token ids into a stream of text pieces whose concatenation equals
 * `decode(allIds)` (up to clean-up rules that depend on later tokens). A token that ends in the
 * middle of a multi-byte character emits nothing until the character is complete. Each step
 * decodes only the tokens since the last emitted piece plus one token of context, so the cost
 * per token does not grow with the length of the stream.
 *
 * ```ts
 * const sd = new StreamDecoder(tok);
 * for await (const step of generate(model, ids)) process.stdout.write(sd.push(step.token));
 * process.stdout.write(sd.flush());
 * ```
 */
export class StreamDecoder {
  private readonly ids: number[] = [];
  private prefix = 0;
  private read = 0;
  private readonly opts: { skipSpecialTokens?: boolean };

  constructor(
    private readonly tokenizer: Decodes,
    opts: { skipSpecialTokens?: boolean } = {},
  ) {
    this.opts = opts;
  }

  /** All ids pushed so far. */
  get tokens(): readonly number[] {
    return this.ids;
  }

  /** Adds one id; returns the text that became stable ("" while a character is incomplete). */
  push(id: number): string {
    this.ids.push(id);
    const before = this.tokenizer.decode(this.ids.slice(this.prefix, this.read), this.opts);
    const now = this.tokenizer.decode(this.ids.slice(this.prefix), this.opts);
    if (now.length <= before.length || now.endsWith(REPLACEMENT)) return "";
    const piece = now.startsWith(before)
      ? now.slice(before.length)
      : now.slice(commonPrefix(before, now));
    this.prefix = this.read;
    this.read = this.ids.length;
    return piece;
  }

  /** The text still held back (an incomplete character is emitted as U+FFFD). */
  flush(): string {
    const before = this.tokenizer.decode(this.ids.slice(this.prefix, this.read), this.opts);
    const now = this.tokenizer.decode(this.ids.slice(this.prefix), this.opts);
    this.prefix = this.read = this.ids.length;
    return now.length > before.length ? now.slice(commonPrefix(before, now)) : "";
  }
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
