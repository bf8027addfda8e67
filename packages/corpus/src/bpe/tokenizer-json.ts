// Hugging Face's tokenizer.json for a byte-level BPE vocabulary (ByteLevel pre-tokenizer and
// decoder, BPE model, a post-processor that prepends BOS), and reading one back.
import { BpeError } from "../errors.js";
import type { BpeVocabulary } from "./vocabulary.js";

type Json = Record<string, unknown>;

const q = (s: string) => JSON.stringify(s);

/**
 * The tokenizer.json text of a vocabulary, one vocabulary entry and one merge per line (the
 * layout a JSON formatter keeps, so the file diffs well).
 *
 * ```ts
 * fs.writeFileSync("tokenizer.json", tokenizerJson(vocab));
 * ```
 */
export function tokenizerJson(vocab: BpeVocabulary): string {
  const [bos] = vocab.specialTokens;
  if (bos === undefined)
    throw new BpeError("tokenizerJson: the vocabulary has no special tokens (BOS first)");
  const bosId = vocab.tokens.indexOf(bos);
  const added = vocab.specialTokens.map((s) =>
    [
      "    {",
      `      "id": ${vocab.tokens.indexOf(s)},`,
      `      "content": ${q(s)},`,
      `      "single_word": false,`,
      `      "lstrip": false,`,
      `      "rstrip": false,`,
      `      "normalized": false,`,
      `      "special": true`,
      "    }",
    ].join("\n"),
  );
  const byteLevel = [
    "{",
    `    "type": "ByteLevel",`,
    `    "add_prefix_space": false,`,
    `    "trim_offsets": true,`,
    `    "use_regex": true`,
    "  }",
  ].join("\n");
  const seqA = `      { "Sequence": { "id": "A", "type_id": 0 } }`;
  const seqB = `      { "Sequence": { "id": "B", "type_id": 1 } }`;
  const bosSpecial = (t: number) =>
    `      { "SpecialToken": { "id": ${q(bos)}, "type_id": ${t} } }`;
  const vocabLines = vocab.tokens.map((t, i) => `      ${q(t)}: ${i}`);
  const mergeLines = vocab.merges.map(([l, r]) => `      [${q(l)}, ${q(r)}]`);
  return `${[
    "{",
    `  "version": "1.0",`,
    `  "truncation": null,`,
    `  "padding": null,`,
    `  "added_tokens": [`,
    added.join(",\n"),
    "  ],",
    `  "normalizer": null,`,
    `  "pre_tokenizer": ${byteLevel},`,
    `  "post_processor": {`,
    `    "type": "TemplateProcessing",`,
    `    "single": [`,
    `${bosSpecial(0)},`,
    seqA,
    "    ],",
    `    "pair": [`,
    `${bosSpecial(0)},`,
    `${seqA},`,
    `${bosSpecial(1)},`,
    seqB,
    "    ],",
    `    "special_tokens": {`,
    `      ${q(bos)}: {`,
    `        "id": ${q(bos)},`,
    `        "ids": [${bosId}],`,
    `        "tokens": [${q(bos)}]`,
    "      }",
    "    }",
    "  },",
    `  "decoder": ${byteLevel},`,
    `  "model": {`,
    `    "type": "BPE",`,
    `    "dropout": null,`,
    `    "unk_token": null,`,
    `    "continuing_subword_prefix": null,`,
    `    "end_of_word_suffix": null,`,
    `    "fuse_unk": false,`,
    `    "byte_fallback": false,`,
    `    "ignore_merges": false,`,
    `    "vocab": {`,
    vocabLines.join(",\n"),
    "    },",
    `    "merges": [`,
    mergeLines.join(",\n"),
    "    ]",
    "  }",
    "}",
  ].join("\n")}\n`;
}

/**
 * tokenizer_config.json for transformers and @x/llm's loadTokenizer: BOS and EOS, BOS added by
 * the post-processor, no clean-up of spaces on decode (so decode(encode(x)) == x).
 *
 * ```ts
 * JSON.parse(tokenizerConfigJson(vocab)).eos_token; // "<|end_of_text|>"
 * ```
 */
export function tokenizerConfigJson(
  vocab: BpeVocabulary,
  opts: { modelMaxLength?: number } = {},
): string {
  const [bos, eos] = vocab.specialTokens;
  if (bos === undefined || eos === undefined) {
    throw new BpeError("tokenizerConfigJson: need two special tokens (BOS, EOS)");
  }
  const decoder: Json = {};
  for (const s of vocab.specialTokens) {
    decoder[String(vocab.tokens.indexOf(s))] = {
      content: s,
      lstrip: false,
      normalized: false,
      rstrip: false,
      single_word: false,
      special: true,
    };
  }
  const cfg: Json = {
    tokenizer_class: "PreTrainedTokenizerFast",
    bos_token: bos,
    eos_token: eos,
    add_bos_token: true,
    add_eos_token: false,
    clean_up_tokenization_spaces: false,
    model_max_length: opts.modelMaxLength ?? 1024,
    added_tokens_decoder: decoder,
  };
  return `${JSON.stringify(cfg, null, 2)}\n`;
}

function fail(msg: string): never {
  throw new BpeError(`tokenizer.json: ${msg}`);
}

/**
 * Reads the vocabulary back from a parsed byte-level BPE tokenizer.json (special tokens are its
 * special added tokens, in id order).
 *
 * ```ts
 * const vocab = parseTokenizerJson(JSON.parse(fs.readFileSync("tokenizer.json", "utf8")));
 * ```
 */
export function parseTokenizerJson(json: unknown): BpeVocabulary {
  if (!json || typeof json !== "object") fail("not an object");
  const model = (json as Json).model as Json | undefined;
  if (!model || model.type !== "BPE") fail(`model.type must be "BPE"`);
  const pre = (json as Json).pre_tokenizer as Json | null;
  if (
    !pre ||
    pre.type !== "ByteLevel" ||
    pre.add_prefix_space === true ||
    pre.use_regex === false
  ) {
    fail("pre_tokenizer must be ByteLevel with use_regex and without add_prefix_space");
  }
  const vocabObj = model.vocab as Record<string, number> | undefined;
  if (!vocabObj || typeof vocabObj !== "object") fail("model.vocab is missing");
  const tokens: string[] = [];
  for (const [t, id] of Object.entries(vocabObj)) {
    if (!Number.isInteger(id) || id < 0) fail(`vocab entry ${q(t)} has id ${id}`);
    if (tokens[id] !== undefined) fail(`id ${id} is given to ${q(tokens[id]!)} and ${q(t)}`);
    tokens[id] = t;
  }
  const added = ((json as Json).added_tokens ?? []) as {
    id: number;
    content: string;
    special?: boolean;
  }[];
  const specials = [...added].filter((a) => a.special).sort((a, b) => a.id - b.id);
  for (const a of added) {
    if (tokens[a.id] !== undefined && tokens[a.id] !== a.content)
      fail(`added token ${a.id} clashes with the vocabulary`);
    tokens[a.id] = a.content;
  }
  for (let i = 0; i < tokens.length; i++) if (tokens[i] === undefined) fail(`no token has id ${i}`);
  const rawMerges = model.merges;
  if (!Array.isArray(rawMerges)) fail("model.merges is missing");
  const merges = rawMerges.map((m, i): [string, string] => {
    const pair = typeof m === "string" ? m.split(" ") : m;
    if (!Array.isArray(pair) || pair.length !== 2) fail(`merge ${i} is not a pair`);
    return [String(pair[0]), String(pair[1])];
  });
  return { tokens, merges, specialTokens: specials.map((s) => s.content) };
}
