// Tokenizer: a local Hugging Face tokenizer folder (tokenizer.json + tokenizer_config.json) through
// @huggingface/tokenizers, with the special ids and the chat template the runtime needs.
import * as fs from "node:fs";
import { join } from "node:path";
import { Tokenizer as HFTokenizer } from "@huggingface/tokenizers";
import { type ChatMessage, type ChatTemplateOptions, renderChatTemplate } from "./chat-template.js";
import { TokenizerError } from "./errors.js";

type Json = Record<string, unknown>;

/** The parsed files of a tokenizer folder (`tokenizer` is tokenizer.json). */
export interface TokenizerFiles {
  tokenizer: Json;
  /** tokenizer_config.json (special tokens, chat_template, clean-up flags). */
  config?: Json;
  /** generation_config.json (its eos_token_id list takes part in `eosTokenIds`). */
  generationConfig?: Json;
  /** A separate chat_template.jinja, which wins over tokenizer_config's `chat_template`. */
  chatTemplate?: string;
}

/** Options of {@link Tokenizer.encode}. */
export interface EncodeOptions {
  /** Apply the post-processor's special tokens (e.g. BOS); default true. */
  addSpecialTokens?: boolean;
}

/** Options of {@link Tokenizer.decode}. */
export interface DecodeOptions {
  /** Drop special tokens (BOS, EOS, chat markers) from the text; default false. */
  skipSpecialTokens?: boolean;
}

function readJson(path: string): Json {
  let text: string;
  try {
    text = fs.readFileSync(path, "utf8");
  } catch {
    throw new TokenizerError(`cannot read ${path}`);
  }
  try {
    const v = JSON.parse(text);
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not an object");
    return v as Json;
  } catch (err) {
    throw new TokenizerError(`${path} is not a JSON object (${(err as Error).message})`);
  }
}

/** A special token in tokenizer_config: a string, an AddedToken dict or null. */
function tokenString(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (v && typeof v === "object" && typeof (v as Json).content === "string") {
    return (v as Json).content as string;
  }
  return undefined;
}

function idList(v: unknown): number[] {
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  return list.filter((x): x is number => Number.isInteger(x) && (x as number) >= 0);
}

function pickTemplate(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  if (Array.isArray(v)) {
    const named = v as { name?: string; template?: string }[];
    return (named.find((t) => t.name === "default") ?? named[0])?.template;
  }
  return undefined;
}

function usesByteLevel(part: unknown): boolean {
  if (!part || typeof part !== "object") return false;
  const p = part as Json;
  if (p.type === "ByteLevel") return true;
  const inner = (p.pretokenizers ?? p.decoders) as unknown[] | undefined;
  return Array.isArray(inner) && inner.some(usesByteLevel);
}

/**
 * A Hugging Face tokenizer (BPE, byte-level BPE, WordLevel, WordPiece, Unigram) with its
 * special ids and chat template.
 *
 * ```ts
 * const tok = loadTokenizer("./SmolLM2-135M");
 * const ids = tok.encode("Hello world");
 * tok.decode(ids); // "Hello world"
 * const prompt = tok.applyChatTemplate([{ role: "user", content: "Hi" }], { addGenerationPrompt: true });
 * ```
 */
export class Tokenizer {
  /** Model type of tokenizer.json ("BPE", "WordLevel", ...). */
  readonly modelType: string;
  /** True when bytes are mapped to printable characters (GPT-2 style byte-level BPE). */
  readonly byteLevel: boolean;
  readonly bosToken: string | undefined;
  readonly eosToken: string | undefined;
  readonly padToken: string | undefined;
  readonly bosTokenId: number | undefined;
  /** Ids that end generation: tokenizer_config's eos_token plus generation_config's eos_token_id. */
  readonly eosTokenIds: readonly number[];
  readonly padTokenId: number | undefined;
  /** The Jinja chat template, when the folder has one. */
  readonly chatTemplate: string | undefined;
  /** One past the largest id of the vocabulary and the added tokens. */
  readonly vocabSize: number;
  private readonly hf: HFTokenizer;
  private readonly files: TokenizerFiles;
  private readonly special: Set<number>;

  constructor(files: TokenizerFiles) {
    const tj = files.tokenizer;
    const model = tj.model as Json | undefined;
    if (!model || typeof model !== "object")
      throw new TokenizerError("tokenizer.json has no model");
    if (!model.vocab || typeof model.vocab !== "object") {
      throw new TokenizerError("tokenizer.json: model.vocab is missing");
    }
    const cfg: Json = { ...(files.config ?? {}) };
    // The library reads WordLevel's unknown token from the config, not from the model.
    if (cfg.unk_token === undefined && typeof model.unk_token === "string")
      cfg.unk_token = model.unk_token;
    // The library wants every section present (null when unused).
    const none = { normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null };
    const tokenizerJson = { added_tokens: [], ...none, ...tj };
    try {
      this.hf = new HFTokenizer(tokenizerJson, cfg);
    } catch (err) {
      throw new TokenizerError(`tokenizer.json cannot be used: ${(err as Error).message}`);
    }
    this.files = files;
    this.modelType = String(model.type ?? (Array.isArray(model.vocab) ? "Unigram" : "BPE"));
    this.byteLevel = usesByteLevel(tj.pre_tokenizer) || usesByteLevel(tj.decoder);
    const added = (tokenizerJson.added_tokens as { id: number; special?: boolean }[]) ?? [];
    this.special = new Set(added.filter((t) => t.special).map((t) => t.id));
    let max = -1;
    for (const id of this.hf.get_vocab(true).values()) max = Math.max(max, id);
    this.vocabSize = max + 1;
    this.bosToken = tokenString(cfg.bos_token);
    this.eosToken = tokenString(cfg.eos_token);
    this.padToken = tokenString(cfg.pad_token);
    const idOf = (t: string | undefined) => (t === undefined ? undefined : this.hf.token_to_id(t));
    const gen = files.generationConfig ?? {};
    this.bosTokenId = idOf(this.bosToken) ?? idList(gen.bos_token_id)[0];
    const eos = [...idList(gen.eos_token_id)];
    const own = idOf(this.eosToken);
    if (own !== undefined && !eos.includes(own)) eos.unshift(own);
    this.eosTokenIds = eos;
    this.padTokenId = idOf(this.padToken) ?? idList(gen.pad_token_id)[0];
    this.chatTemplate = files.chatTemplate ?? pickTemplate(cfg.chat_template);
  }

  /**
   * Token ids of `text` (with the post-processor's special tokens unless disabled).
   *
   * ```ts
   * tok.encode("Hello", { addSpecialTokens: false }); // [15496]
   * ```
   */
  encode(text: string, opts: EncodeOptions = {}): number[] {
    if (typeof text !== "string")
      throw new TokenizerError(`encode: expected a string, got ${typeof text}`);
    return this.hf.encode(text, { add_special_tokens: opts.addSpecialTokens ?? true }).ids;
  }

  /**
   * Text of `ids`; an id outside the vocabulary is a {@link TokenizerError}.
   *
   * ```ts
   * tok.decode([15496, 995]); // "Hello world"
   * ```
   */
  decode(ids: ArrayLike<number>, opts: DecodeOptions = {}): string {
    const list = Array.from(ids);
    if (list.length === 0) return "";
    for (let i = 0; i < list.length; i++) {
      const id = list[i]!;
      if (!Number.isInteger(id) || this.hf.id_to_token(id) === undefined) {
        throw new TokenizerError(
          `decode: id ${id} at position ${i} is not in the vocabulary (size ${this.vocabSize})`,
        );
      }
    }
    return this.hf.decode(list, { skip_special_tokens: opts.skipSpecialTokens ?? false });
  }

  /** The vocabulary string of `id` (undefined outside the vocabulary). */
  idToToken(id: number): string | undefined {
    return this.hf.id_to_token(id);
  }

  /** The id of a vocabulary string (undefined when absent). */
  tokenToId(token: string): number | undefined {
    return this.hf.token_to_id(token);
  }

  /** True for added tokens marked special (BOS, EOS, chat markers). */
  isSpecial(id: number): boolean {
    return this.special.has(id);
  }

  /** True for added tokens (special or not), which GGUF marks as control or user-defined. */
  isAdded(id: number): boolean {
    return this.hf.get_added_tokens_decoder().has(id);
  }

  /**
   * Every vocabulary string by id (gaps are empty strings), e.g. for GGUF export.
   *
   * ```ts
   * tok.tokens()[0]; // "<|endoftext|>"
   * ```
   */
  tokens(): string[] {
    const out = new Array<string>(this.vocabSize).fill("");
    for (const [tok, id] of this.hf.get_vocab(true)) out[id] = tok;
    return out;
  }

  /** BPE merges as "left right" strings in rank order (empty for other models). */
  merges(): string[] {
    const m = (this.files.tokenizer.model as Json).merges;
    if (!Array.isArray(m)) return [];
    return m.map((x) => (Array.isArray(x) ? x.join(" ") : String(x)));
  }

  /**
   * Writes `tokenizer.json`, `tokenizer_config.json` (when the tokenizer has one) and
   * `chat_template.jinja` (when it came from one) into `dir`, so `loadTokenizer(dir)` gives
   * this tokenizer back (e.g. one rebuilt from a GGUF file's vocabulary).
   *
   * ```ts
   * ggufTokenizer(readGguf("model.gguf")).save("./model-folder");
   * ```
   */
  save(dir: string): void {
    fs.mkdirSync(dir, { recursive: true });
    const write = (name: string, text: string) => fs.writeFileSync(join(dir, name), text);
    write("tokenizer.json", `${JSON.stringify(this.files.tokenizer, null, 2)}\n`);
    if (this.files.config)
      write("tokenizer_config.json", `${JSON.stringify(this.files.config, null, 2)}\n`);
    if (this.files.chatTemplate !== undefined)
      write("chat_template.jinja", this.files.chatTemplate);
  }

  /**
   * Renders the chat template (Jinja, through @huggingface/jinja) with the special token
   * strings in scope, as transformers' `apply_chat_template(..., tokenize=False)` does.
   *
   * ```ts
   * tok.applyChatTemplate([{ role: "user", content: "Hi" }], { addGenerationPrompt: true });
   * // "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
   * ```
   */
  applyChatTemplate(messages: readonly ChatMessage[], opts: ChatTemplateOptions = {}): string {
    if (!this.chatTemplate) throw new TokenizerError("this tokenizer has no chat_template");
    const cfg = this.files.config ?? {};
    const specials: Record<string, string> = {};
    for (const key of ["bos_token", "eos_token", "pad_token", "unk_token"]) {
      const s = tokenString(cfg[key]);
      if (s !== undefined) specials[key] = s;
    }
    return renderChatTemplate(this.chatTemplate, messages, {
      ...opts,
      extra: { ...specials, ...opts.extra },
    });
  }
}

/**
 * Loads `dir/tokenizer.json` with `tokenizer_config.json`, `generation_config.json` and
 * `chat_template.jinja` when present.
 *
 * ```ts
 * const tok = loadTokenizer("./SmolLM2-135M");
 * tok.eosTokenIds; // [0]
 * ```
 */
export function loadTokenizer(dir: string): Tokenizer {
  const path = join(dir, "tokenizer.json");
  if (!fs.existsSync(path)) throw new TokenizerError(`${path} does not exist`);
  const opt = (name: string) =>
    fs.existsSync(join(dir, name)) ? readJson(join(dir, name)) : undefined;
  const tmpl = join(dir, "chat_template.jinja");
  const files: TokenizerFiles = { tokenizer: readJson(path) };
  const config = opt("tokenizer_config.json");
  const generationConfig = opt("generation_config.json");
  if (config) files.config = config;
  if (generationConfig) files.generationConfig = generationConfig;
  if (fs.existsSync(tmpl)) files.chatTemplate = fs.readFileSync(tmpl, "utf8");
  return new Tokenizer(files);
}
