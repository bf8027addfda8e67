// The corpus as a list of passages with stable ids, metadata and hash splits.
import { CorpusError } from "../errors.js";
import type { CorpusDocument, SourceName } from "./document.js";
import { readMobyDick } from "./moby-dick.js";
import { type ChunkOptions, documentPassages } from "./passages.js";
import { readSotu } from "./sotu.js";
import { DEFAULT_SPLIT_FRACTIONS, type Split, type SplitFractions, splitOf } from "./split.js";

/** Every source, in the order passages are listed. */
export const SOURCES: readonly SourceName[] = ["sotu", "moby-dick"];

/**
 * One training example: a paragraph, or a sentence-aligned piece of a long one.
 * `id` never changes for the same text source and chunking, so attributions can point at it.
 */
export interface Passage {
  /** `<document key>-p<index>`: `sotu-1863-lincoln-p12`, `moby-dick-ch1-p0`. */
  id: string;
  source: SourceName;
  /** Key of the document (`sotu-1863-lincoln`). */
  document: string;
  /** Title of the document. */
  title: string;
  year?: number;
  president?: string;
  party?: string;
  chapter?: string;
  /** Index of the paragraph the passage comes from, within its document. */
  paragraph: number;
  /** Index of the passage within its document (equal to `paragraph` unless a paragraph was cut). */
  index: number;
  text: string;
  split: Split;
}

/** Options of {@link loadCorpus}. */
export interface LoadCorpusOptions extends ChunkOptions {
  /** Sources to read; default all ({@link SOURCES}). */
  sources?: readonly SourceName[];
  /** Split fractions; default 5% validation, 5% test. */
  fractions?: SplitFractions;
  /** Data folders overriding the installed npm packages (for tests). */
  dataDirs?: Partial<Record<SourceName, string>>;
}

/**
 * The documents of the chosen sources, in source order.
 *
 * ```ts
 * loadDocuments({ sources: ["moby-dick"] }).length; // 136 (135 chapters and the epilogue)
 * ```
 */
export function loadDocuments(opts: LoadCorpusOptions = {}): CorpusDocument[] {
  const out: CorpusDocument[] = [];
  for (const source of opts.sources ?? SOURCES) {
    const dir = opts.dataDirs?.[source];
    if (source === "sotu") out.push(...(dir ? readSotu(dir) : readSotu()));
    else if (source === "moby-dick") out.push(...(dir ? readMobyDick(dir) : readMobyDick()));
    else
      throw new CorpusError(
        `unknown corpus source "${String(source)}" (known: ${SOURCES.join(", ")})`,
      );
  }
  const seen = new Set<string>();
  for (const d of out) {
    if (seen.has(d.key)) throw new CorpusError(`two documents have the key ${d.key}`, "E_DATA");
    seen.add(d.key);
  }
  return out;
}

/**
 * Cuts documents into passages with ids, metadata and splits.
 *
 * ```ts
 * const passages = toPassages(loadDocuments({ sources: ["sotu"] }));
 * ```
 */
export function toPassages(
  docs: readonly CorpusDocument[],
  opts: LoadCorpusOptions = {},
): Passage[] {
  const fractions = opts.fractions ?? DEFAULT_SPLIT_FRACTIONS;
  const out: Passage[] = [];
  for (const doc of docs) {
    for (const p of documentPassages(doc.paragraphs, opts)) {
      const id = `${doc.key}-p${p.index}`;
      const passage: Passage = {
        id,
        source: doc.source,
        document: doc.key,
        title: doc.title,
        paragraph: p.paragraph,
        index: p.index,
        text: p.text,
        split: splitOf(id, fractions),
      };
      if (doc.year !== undefined) passage.year = doc.year;
      if (doc.president !== undefined) passage.president = doc.president;
      if (doc.party !== undefined) passage.party = doc.party;
      if (doc.chapter !== undefined) passage.chapter = doc.chapter;
      out.push(passage);
    }
  }
  return out;
}

/**
 * Reads, cleans and cuts the corpus: every passage of the chosen sources, in document order.
 *
 * ```ts
 * const passages = loadCorpus();
 * const train = passages.filter((p) => p.split === "train");
 * passages.find((p) => p.id === "moby-dick-ch1-p0")?.text; // "Call me Ishmael. Some years ago..."
 * ```
 */
export function loadCorpus(opts: LoadCorpusOptions = {}): Passage[] {
  return toPassages(loadDocuments(opts), opts);
}
