import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  loadTokenizer,
  renderChatTemplate,
  StopStringMatcher,
  StreamDecoder,
  stopStrings,
  TokenizerError,
} from "./index.js";

const fixtures = fileURLToPath(new URL("../../test/fixtures/tokenizers/", import.meta.url));
const bpe = loadTokenizer(`${fixtures}bpe`);
const words = loadTokenizer(`${fixtures}wordlevel`);

describe("byte-level BPE (hand-written merges)", () => {
  it("encodes known strings to the ids implied by the merges", () => {
    // "hello" = he + ll -> hell + o; " world" = Ġw + or -> Ġwor + l + d.
    expect(bpe.encode("hello world")).toEqual([260, 265]);
    // Unmerged bytes map to id byte + 1; "é" is the two bytes C3 A9 ("Ã", "©").
    expect(bpe.encode("hello, héllo")).toEqual([260, 45, 33, 105, 196, 170, 258, 112]);
    expect(bpe.encode("<|im_start|>user\nhello<|im_end|>")).toEqual([
      266, 118, 116, 102, 115, 11, 260, 267,
    ]);
  });

  it("round-trips arbitrary text, including multi-byte characters", () => {
    for (const s of ["hello world", "ça va? 日本語 🙂\n\ttabs", "", "  spaces  "]) {
      expect(bpe.decode(bpe.encode(s))).toBe(s);
    }
  });

  it("reads special tokens from tokenizer_config and generation_config", () => {
    expect(bpe.vocabSize).toBe(268);
    expect(bpe.bosTokenId).toBe(266);
    expect(bpe.eosTokenIds).toEqual([267, 0]);
    expect(bpe.padTokenId).toBe(0);
    expect(bpe.byteLevel).toBe(true);
    expect(bpe.isSpecial(267)).toBe(true);
    expect(bpe.isSpecial(260)).toBe(false);
    expect(bpe.decode([266, 260, 267], { skipSpecialTokens: true })).toBe("hello");
    expect(bpe.tokens()[265]).toBe("Ġworld");
    expect(bpe.merges()[0]).toBe("h e");
  });

  it("rejects ids outside the vocabulary", () => {
    expect(() => bpe.decode([1, 999])).toThrow(TokenizerError);
    expect(() => bpe.decode([1, 999])).toThrow(/id 999 at position 1/);
  });

  it("renders the chat template", () => {
    const text = bpe.applyChatTemplate([{ role: "user", content: "hi" }], {
      addGenerationPrompt: true,
    });
    expect(text).toBe(
      "<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n",
    );
    const t =
      "{{ bos_token }}{% for m in messages %}[{{ m.role }}] {{ m.content }}{{ eos_token }}{% endfor %}";
    expect(
      renderChatTemplate(t, [{ role: "user", content: "a" }], {
        extra: { bos_token: "<s>", eos_token: "</s>" },
      }),
    ).toBe("<s>[user] a</s>");
    expect(() => renderChatTemplate("{{ raise_exception('no system') }}", [])).toThrow(
      TokenizerError,
    );
    expect(() => words.applyChatTemplate([{ role: "user", content: "a" }])).toThrow(
      /no chat_template/,
    );
  });
});

describe("WordLevel", () => {
  it("encodes with the template post-processor and the unknown token", () => {
    expect(words.encode("The cat sat on the dog.")).toEqual([1, 3, 4, 5, 6, 3, 0, 8]);
    expect(words.encode("the mat", { addSpecialTokens: false })).toEqual([3, 7]);
    expect(words.decode([1, 3, 4], { skipSpecialTokens: true })).toBe("the cat");
    expect(words.bosTokenId).toBe(1);
    expect(words.eosTokenIds).toEqual([2]);
    expect(words.modelType).toBe("WordLevel");
  });
});

describe("streaming", () => {
  it("emits only complete characters and concatenates to the full decode", () => {
    const ids = bpe.encode("hé 日本 🙂 hello world");
    const sd = new StreamDecoder(bpe);
    const pieces = ids.map((id) => sd.push(id));
    pieces.push(sd.flush());
    expect(pieces.join("")).toBe("hé 日本 🙂 hello world");
    for (const p of pieces) expect(p).not.toContain("\uFFFD");
    // The first byte of "é" alone emits nothing.
    const sd2 = new StreamDecoder(bpe);
    expect(sd2.push(105)).toBe("h");
    expect(sd2.push(196)).toBe("");
    expect(sd2.push(170)).toBe("é");
  });

  it("matches stop strings across pieces without emitting any part of them", () => {
    const m = new StopStringMatcher(["\nUser:", "###"]);
    expect(m.push("Sure.\nUs")).toEqual({ text: "Sure.", stopped: false });
    expect(m.push("e")).toEqual({ text: "", stopped: false });
    expect(m.push("r: hi")).toEqual({ text: "", stopped: true, stop: "\nUser:" });
    expect(m.push("more")).toEqual({ text: "", stopped: true });
    const n = new StopStringMatcher(["###"]);
    expect(n.push("a#")).toEqual({ text: "a", stopped: false });
    expect(n.push("b")).toEqual({ text: "#b", stopped: false });
    expect(n.push("#")).toEqual({ text: "", stopped: false });
    expect(n.flush()).toBe("#");
    expect(() => new StopStringMatcher([""])).toThrow(TokenizerError);
  });

  it("gives generate a shouldStop hook over decoded text", () => {
    const hook = stopStrings(bpe, ["lo w"]);
    const ids = bpe.encode("hello world"); // [hello, Ġworld]
    expect(hook(ids.slice(0, 1), 0)).toBe(false);
    expect(hook(ids, 0)).toBe(true);
    expect(hook(ids.slice(0, 1), 1)).toBe(false); // sequences are independent
  });
});
