import { describe, expect, it } from "vitest";
import { cleanParagraph, splitParagraphs, wordCount } from "./clean.js";

describe("cleaning", () => {
  it("normalizes white space, NFC and control characters", () => {
    expect(cleanParagraph("  Call\u00a0me \n Ishmael.\u0002 ")).toBe("Call me Ishmael.");
    expect(cleanParagraph("cafe\u0301")).toBe("café");
    expect(cleanParagraph("\ufeffa\tb")).toBe("a b");
  });

  it("splits paragraphs at blank lines only", () => {
    expect(splitParagraphs("One.\n\n  \nTwo\nlines.\r\n\r\nThree")).toEqual([
      "One.",
      "Two lines.",
      "Three",
    ]);
    expect(splitParagraphs("\n\n  \n")).toEqual([]);
  });

  it("counts words", () => {
    expect(wordCount("Call me Ishmael.")).toBe(3);
    expect(wordCount("")).toBe(0);
    expect(wordCount("one")).toBe(1);
  });
});
