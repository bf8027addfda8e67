// Chat templates: the Jinja template of tokenizer_config.json rendered with @huggingface/jinja.
import { Template } from "@huggingface/jinja";
import { TokenizerError } from "./errors.js";

/** One chat turn. */
export interface ChatMessage {
  role: "system" | "user" | "assistant" | "tool" | (string & {});
  content: string;
  [key: string]: unknown;
}

/** Options of {@link renderChatTemplate} and `Tokenizer.applyChatTemplate`. */
export interface ChatTemplateOptions {
  /** Append the header that opens the assistant's turn (default false). */
  addGenerationPrompt?: boolean;
  /** Tool definitions for templates that support them. */
  tools?: unknown[];
  /** More variables in scope of the template (special token strings, dates...). */
  extra?: Record<string, unknown>;
}

const cache = new Map<string, Template>();

function compile(source: string): Template {
  let t = cache.get(source);
  if (!t) {
    try {
      t = new Template(source);
    } catch (err) {
      throw new TokenizerError(`chat template does not parse: ${(err as Error).message}`);
    }
    if (cache.size > 16) cache.clear();
    cache.set(source, t);
  }
  return t;
}

/**
 * Renders a chat template over `messages`, with `add_generation_prompt`, `tools` and the
 * `extra` variables in scope (`raise_exception` is built in and becomes a TokenizerError).
 *
 * ```ts
 * renderChatTemplate("{% for m in messages %}<{{ m.role }}>{{ m.content }}{% endfor %}",
 *   [{ role: "user", content: "Hi" }]); // "<user>Hi"
 * ```
 */
export function renderChatTemplate(
  source: string,
  messages: readonly ChatMessage[],
  opts: ChatTemplateOptions = {},
): string {
  if (!Array.isArray(messages))
    throw new TokenizerError("chat template: messages must be an array");
  for (const [i, m] of messages.entries()) {
    if (!m || typeof m.role !== "string" || typeof m.content !== "string") {
      throw new TokenizerError(`chat template: message ${i} needs a string role and content`);
    }
  }
  const template = compile(source);
  try {
    return template.render({
      ...opts.extra,
      messages,
      add_generation_prompt: opts.addGenerationPrompt ?? false,
      ...(opts.tools ? { tools: opts.tools } : {}),
    });
  } catch (err) {
    if (err instanceof TokenizerError) throw err;
    throw new TokenizerError(`chat template failed to render: ${(err as Error).message}`);
  }
}
