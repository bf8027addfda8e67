// Typed error of the tokenizer module.
import { XError } from "@x/tensor";

/**
 * A tokenizer folder or file that cannot be used (missing, malformed, unsupported model type),
 * an id outside the vocabulary, or a chat template that failed to render.
 *
 * ```ts
 * try { loadTokenizer("./empty"); }
 * catch (e) { if (e instanceof TokenizerError) console.error(e.message); }
 * ```
 */
export class TokenizerError extends XError {
  constructor(message: string) {
    super("E_TOKENIZER", message);
  }
}
