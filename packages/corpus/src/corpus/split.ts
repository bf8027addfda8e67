// Train/validation/test assignment by hashing the passage id: a passage keeps its split whatever
// else is added to or removed from the corpus.
import { createHash } from "node:crypto";
import { CorpusError } from "../errors.js";

/** The three splits. */
export type Split = "train" | "validation" | "test";

/** Fractions of the validation and test splits (the rest is train). */
export interface SplitFractions {
  validation: number;
  test: number;
}

/** 90% train, 5% validation, 5% test. */
export const DEFAULT_SPLIT_FRACTIONS: Readonly<SplitFractions> = { validation: 0.05, test: 0.05 };

/**
 * A number in [0, 1) from the first 48 bits of SHA-256 of `id` (UTF-8).
 *
 * ```ts
 * hashUnit("sotu-1863-lincoln-p12"); // same value on every machine, forever
 * ```
 */
export function hashUnit(id: string): number {
  const digest = createHash("sha256").update(id, "utf8").digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/**
 * The split of a passage id: validation below `validation`, test below `validation + test`,
 * train above.
 *
 * ```ts
 * splitOf("moby-dick-ch1-p0"); // "train" | "validation" | "test", fixed by the id alone
 * ```
 */
export function splitOf(id: string, fractions: SplitFractions = DEFAULT_SPLIT_FRACTIONS): Split {
  const { validation, test } = fractions;
  if (!(validation >= 0 && test >= 0 && validation + test <= 1)) {
    throw new CorpusError(
      `splitOf: fractions must be non-negative and sum to at most 1, got validation=${validation} test=${test}`,
    );
  }
  const u = hashUnit(id);
  if (u < validation) return "validation";
  if (u < validation + test) return "test";
  return "train";
}
