import { describe, expect, it } from "vitest";
import { BYTE_TO_CHAR, bytesToSymbols, CHAR_TO_BYTE } from "./byte-map.js";

describe("GPT-2 byte map", () => {
  it("is a bijection onto 256 printable characters", () => {
    expect(new Set(BYTE_TO_CHAR).size).toBe(256);
    for (let b = 0; b < 256; b++) expect(CHAR_TO_BYTE.get(BYTE_TO_CHAR[b]!)).toBe(b);
    for (const c of BYTE_TO_CHAR) expect(/\s/.test(c)).toBe(false);
  });

  it("matches GPT-2's well-known characters", () => {
    expect(BYTE_TO_CHAR[0x20]).toBe("Ġ");
    expect(BYTE_TO_CHAR[0x0a]).toBe("Ċ");
    expect(BYTE_TO_CHAR[0x09]).toBe("ĉ");
    expect(BYTE_TO_CHAR[0x00]).toBe("Ā");
    expect(BYTE_TO_CHAR[0x41]).toBe("A");
    expect(BYTE_TO_CHAR[0xad]).toBe("Ń");
    expect(BYTE_TO_CHAR[0xe9]).toBe("é");
    expect(bytesToSymbols(new TextEncoder().encode(" é"))).toBe("ĠÃ©");
  });
});
