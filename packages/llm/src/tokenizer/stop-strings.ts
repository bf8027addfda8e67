// Stop strings over streamed text: a matcher that holds back any tail that could still become
// a stop string, and a `shouldStop` hook for `generate`.

import { TokenizerError } from "./errors.js";
import { type Decodes, StreamDecoder } from "./stream-decoder.js";

/** Result of {@link StopStringMatcher.push}. */
export interface StopMatch {
  /** Text safe to show: everything before a stop string, minus a held-back partial match. */
  text: string;
  /** True once a stop string appeared (the stop string itself is not in `text`). */
  stopped: boolean;
  /** The stop string that matched. */
  stop?: string;
}

/**
 * Finds the first occurrence of any stop string in a stream of text pieces. Text that could be
 * the start of a stop string is held back until it is ruled out, so no part of a stop string
 * is ever emitted, even when it spans several pieces.
 *
 * ```ts
 * const m = new StopStringMatcher(["\nUser:"]);
 * m.push("Sure.\nUs"); // { text: "Sure.", stopped: false }
 * m.push("er: hi");    // { text: "", stopped: true, stop: "\nUser:" }
 * ```
 */
export class StopStringMatcher {
  private held = "";
  private done = false;
  readonly stops: readonly string[];

  constructor(stops: readonly string[]) {
    for (const s of stops) {
      if (typeof s !== "string" || s.length === 0)
        throw new TokenizerError("stop strings must be non-empty strings");
    }
    this.stops = [...stops];
  }

  /** True once a stop string matched. */
  get stopped(): boolean {
    return this.done;
  }

  /** Feeds the next piece of text. After a stop, every push returns `{text: "", stopped: true}`. */
  push(piece: string): StopMatch {
    if (this.done) return { text: "", stopped: true };
    const buf = this.held + piece;
    let at = -1;
    let which: string | undefined;
    for (const s of this.stops) {
      const i = buf.indexOf(s);
      if (i >= 0 && (at < 0 || i < at)) {
        at = i;
        which = s;
      }
    }
    if (which !== undefined) {
      this.done = true;
      this.held = "";
      return { text: buf.slice(0, at), stopped: true, stop: which };
    }
    const keep = this.partialTail(buf);
    this.held = buf.slice(buf.length - keep);
    return { text: buf.slice(0, buf.length - keep), stopped: false };
  }

  /** Releases the held-back tail at the end of the stream ("" after a stop). */
  flush(): string {
    const out = this.done ? "" : this.held;
    this.held = "";
    return out;
  }

  /** Length of the longest suffix of `buf` that is a proper prefix of some stop string. */
  private partialTail(buf: string): number {
    let best = 0;
    for (const s of this.stops) {
      for (let k = Math.min(s.length - 1, buf.length); k > best; k--) {
        if (buf.endsWith(s.slice(0, k))) {
          best = k;
          break;
        }
      }
    }
    return best;
  }
}

/**
 * A `shouldStop` hook for `generate`/`complete` that stops a sequence as soon as its decoded
 * text contains one of `stops` (each sequence is decoded incrementally).
 *
 * ```ts
 * const out = await complete(model, ids, { maxNewTokens: 64, shouldStop: stopStrings(tok, ["\n\n"]) });
 * ```
 */
export function stopStrings(
  tokenizer: Decodes,
  stops: readonly string[],
): (tokens: readonly number[], sequence: number) => boolean {
  const states = new Map<number, { dec: StreamDecoder; match: StopStringMatcher }>();
  new StopStringMatcher(stops); // validates eagerly
  return (tokens, sequence) => {
    let st = states.get(sequence);
    if (!st || st.dec.tokens.length > tokens.length) {
      st = { dec: new StreamDecoder(tokenizer), match: new StopStringMatcher(stops) };
      states.set(sequence, st);
    }
    for (let i = st.dec.tokens.length; i < tokens.length; i++)
      st.match.push(st.dec.push(tokens[i]!));
    return st.match.stopped;
  };
}
