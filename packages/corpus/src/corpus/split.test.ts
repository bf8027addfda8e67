import { describe, expect, it } from "vitest";
import { CorpusError } from "../errors.js";
import { hashUnit, splitOf } from "./split.js";

describe("hash splits", () => {
  it("depends on the id alone, with pinned values", () => {
    // SHA-256 prefixes: if these change, every passage's split changes.
    expect(hashUnit("sotu-1863-lincoln-p12")).toBeCloseTo(hashUnit("sotu-1863-lincoln-p12"), 15);
    expect(hashUnit("")).toBeCloseTo(0xe3b0c44298fc / 2 ** 48, 12); // sha256("") = e3b0c44298fc...
    expect(splitOf("sotu-1863-lincoln-p12")).toBe(splitOf("sotu-1863-lincoln-p12"));
  });

  it("gives roughly the requested fractions", () => {
    const n = 20_000;
    const counts = { train: 0, validation: 0, test: 0 };
    for (let i = 0; i < n; i++) counts[splitOf(`doc-${i}-p${i % 7}`)]++;
    expect(counts.validation / n).toBeCloseTo(0.05, 1);
    expect(counts.test / n).toBeCloseTo(0.05, 1);
    expect(Math.abs(counts.validation / n - 0.05)).toBeLessThan(0.01);
  });

  it("honours custom fractions and rejects bad ones", () => {
    expect(splitOf("x", { validation: 1, test: 0 })).toBe("validation");
    expect(splitOf("x", { validation: 0, test: 1 })).toBe("test");
    expect(splitOf("x", { validation: 0, test: 0 })).toBe("train");
    expect(() => splitOf("x", { validation: 0.7, test: 0.7 })).toThrow(CorpusError);
  });
});
