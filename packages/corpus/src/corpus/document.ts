// The shape every source reader produces: one document (an address, a chapter) with its
// metadata and cleaned paragraphs.

/** Names of the corpus sources. */
export type SourceName = "sotu" | "moby-dick";

/** One document of a source, before it is cut into passages. */
export interface CorpusDocument {
  source: SourceName;
  /** Stable key, the prefix of its passage ids: `sotu-1863-lincoln`, `moby-dick-ch1`. */
  key: string;
  /** Human-readable title: `State of the Union 1863 (Abraham Lincoln)`, `Chapter 1. Loomings.` */
  title: string;
  /** SOTU: year of the address. */
  year?: number;
  /** SOTU: the president as the dataset spells it (`Abraham Lincoln`). */
  president?: string;
  /** SOTU: the president's party. */
  party?: string;
  /** Moby-Dick: chapter number (`"1"` ... `"135"`) or `"Epilogue"`. */
  chapter?: string;
  /** Cleaned paragraphs (NFC, single spaces), in order. */
  paragraphs: string[];
}
