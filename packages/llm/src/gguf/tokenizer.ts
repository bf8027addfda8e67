// GGUF vocabulary -> Tokenizer: llama.cpp's "gpt2" (byte-level BPE) vocabulary rebuilt as a
// Hugging Face tokenizer.json, for the pre-tokenizers whose rules are known exactly.
import { TokenizerError } from "../tokenizer/errors.js";
import { Tokenizer } from "../tokenizer/tokenizer.js";
import type { GgufFile } from "./read.js";
import { TOKEN_TYPE } from "./types.js";

type Json = Record<string, unknown>;

const BYTE_LEVEL = {
  type: "ByteLevel",
  add_prefix_space: false,
  trim_offsets: true,
  use_regex: true,
};

/** llama.cpp pre-tokenizer names (`tokenizer.ggml.pre`) -> the equivalent tokenizer.json rule. */
const PRE_TOKENIZERS: Record<string, Json> = {
  // GPT-2's regex (what our exporter writes by default).
  default: BYTE_LEVEL,
  gpt2: BYTE_LEVEL,
  // SmolLM/SmolLM2: every digit alone, then GPT-2's regex.
  smollm: {
    type: "Sequence",
    pretokenizers: [{ type: "Digits", individual_digits: true }, BYTE_LEVEL],
  },
};

/** Pre-tokenizer names {@link ggufTokenizer} rebuilds. */
export const GGUF_PRE_TOKENIZERS: readonly string[] = Object.keys(PRE_TOKENIZERS);

function meta(g: GgufFile, key: string): unknown {
  return g.metadata.get(key)?.value;
}

function id(g: GgufFile, key: string): number | undefined {
  const v = meta(g, key);
  return typeof v === "number" || typeof v === "bigint" ? Number(v) : undefined;
}

/**
 * The tokenizer stored in a GGUF file's `tokenizer.ggml.*` keys, when it is a byte-level BPE
 * vocabulary (`tokenizer.ggml.model` "gpt2", what `exportGguf` writes) with a pre-tokenizer of
 * {@link GGUF_PRE_TOKENIZERS}. Control tokens become special added tokens, user-defined ones
 * plain added tokens, unused padding entries are left out; bos/eos/pad, `add_bos_token` and the
 * chat template carry over. Anything else (SentencePiece "llama" vocabularies, other
 * pre-tokenizers, no vocabulary) is a TokenizerError: load the tokenizer from a Hugging Face
 * folder instead.
 *
 * ```ts
 * const tok = ggufTokenizer(readGguf("smollm2-q8_0.gguf"));
 * tok.decode(tok.encode("Hello"));
 * ```
 */
export function ggufTokenizer(g: GgufFile): Tokenizer {
  const model = meta(g, "tokenizer.ggml.model");
  if (model === undefined || model === "no_vocab" || model === "none")
    throw new TokenizerError("the GGUF file has no vocabulary (tokenizer.ggml.model)");
  if (model !== "gpt2")
    throw new TokenizerError(
      `GGUF tokenizer.ggml.model ${JSON.stringify(model)} cannot be rebuilt (only "gpt2", byte-level BPE)`,
    );
  const pre = String(meta(g, "tokenizer.ggml.pre") ?? "default");
  const preTokenizer = PRE_TOKENIZERS[pre];
  if (!preTokenizer)
    throw new TokenizerError(
      `GGUF tokenizer.ggml.pre ${JSON.stringify(pre)} cannot be rebuilt exactly (known: ${GGUF_PRE_TOKENIZERS.join(", ")})`,
    );
  const tokens = meta(g, "tokenizer.ggml.tokens");
  if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === "string"))
    throw new TokenizerError("GGUF tokenizer.ggml.tokens is missing or not a string array");
  const types = meta(g, "tokenizer.ggml.token_type") ?? [];
  if (!Array.isArray(types) || !types.every((t) => typeof t === "number"))
    throw new TokenizerError("GGUF tokenizer.ggml.token_type is not a number array");
  const merges = meta(g, "tokenizer.ggml.merges") ?? [];
  if (!Array.isArray(merges) || !merges.every((m) => typeof m === "string"))
    throw new TokenizerError("GGUF tokenizer.ggml.merges is not a string array");
  const vocab: Record<string, number> = {};
  const added: Json[] = [];
  tokens.forEach((tok: string, i) => {
    const t = types[i] ?? TOKEN_TYPE.normal;
    if (t === TOKEN_TYPE.unused) return;
    vocab[tok] = i;
    if (t === TOKEN_TYPE.control || t === TOKEN_TYPE.userDefined)
      added.push({
        id: i,
        content: tok,
        single_word: false,
        lstrip: false,
        rstrip: false,
        normalized: false,
        special: t === TOKEN_TYPE.control,
      });
  });
  const bos = id(g, "tokenizer.ggml.bos_token_id");
  const eos = id(g, "tokenizer.ggml.eos_token_id");
  const pad = id(g, "tokenizer.ggml.padding_token_id");
  for (const [key, v] of [
    ["bos_token_id", bos],
    ["eos_token_id", eos],
    ["padding_token_id", pad],
  ] as const) {
    if (
      v !== undefined &&
      (!Number.isInteger(v) || v < 0 || v >= tokens.length || types[v] === TOKEN_TYPE.unused)
    )
      throw new TokenizerError(
        `GGUF tokenizer.ggml.${key} ${v} is not a token of the ${tokens.length}-entry vocabulary`,
      );
  }
  const addBos = meta(g, "tokenizer.ggml.add_bos_token") === true && bos !== undefined;
  const bosTok = bos === undefined ? undefined : tokens[bos];
  const tokenizer: Json = {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: preTokenizer,
    post_processor: addBos
      ? {
          type: "TemplateProcessing",
          single: [
            { SpecialToken: { id: bosTok, type_id: 0 } },
            { Sequence: { id: "A", type_id: 0 } },
          ],
          pair: [
            { SpecialToken: { id: bosTok, type_id: 0 } },
            { Sequence: { id: "A", type_id: 0 } },
            { SpecialToken: { id: bosTok, type_id: 1 } },
            { Sequence: { id: "B", type_id: 1 } },
          ],
          special_tokens: { [bosTok!]: { id: bosTok, ids: [bos], tokens: [bosTok] } },
        }
      : null,
    decoder: { ...BYTE_LEVEL },
    model: {
      type: "BPE",
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: "",
      end_of_word_suffix: "",
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
  const config: Json = { add_bos_token: addBos };
  if (bosTok !== undefined) config.bos_token = bosTok;
  if (eos !== undefined && tokens[eos] !== undefined) config.eos_token = tokens[eos];
  if (pad !== undefined && tokens[pad] !== undefined) config.pad_token = tokens[pad];
  const template = meta(g, "tokenizer.chat_template");
  if (typeof template === "string") config.chat_template = template;
  return new Tokenizer({ tokenizer, config });
}
