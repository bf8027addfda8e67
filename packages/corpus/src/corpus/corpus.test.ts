import { beforeAll, describe, expect, it } from "vitest";
import { CorpusError } from "../errors.js";
import { loadCorpus, loadDocuments, type Passage, toPassages } from "./corpus.js";
import type { CorpusDocument } from "./document.js";
import { surnameSlug } from "./sotu.js";

let docs: CorpusDocument[];
let passages: Passage[];

beforeAll(() => {
  docs = loadDocuments();
  passages = toPassages(docs);
});

describe("the corpus", () => {
  it("has every address and chapter", () => {
    const sotu = docs.filter((d) => d.source === "sotu");
    const moby = docs.filter((d) => d.source === "moby-dick");
    expect(sotu.length).toBe(233);
    expect(sotu[0]!.key).toBe("sotu-1790-washington");
    expect(sotu.at(-1)!.key).toBe("sotu-2021-biden");
    expect(moby.length).toBe(136); // 135 chapters and the epilogue, no front matter
    expect(moby.at(-1)!.key).toBe("moby-dick-epilogue");
  });

  it("pins the passage counts (a change renumbers ids: update on purpose only)", () => {
    const count = (f: (p: Passage) => boolean) => passages.filter(f).length;
    expect(passages.length).toBe(11765);
    expect(count((p) => p.source === "sotu")).toBe(9084);
    expect(count((p) => p.source === "moby-dick")).toBe(2681);
    expect(count((p) => p.split === "train")).toBe(10571);
    expect(count((p) => p.split === "validation")).toBe(595);
    expect(count((p) => p.split === "test")).toBe(599);
  });

  it("knows a few facts", () => {
    const lincoln = passages.filter((p) => p.document === "sotu-1863-lincoln");
    expect(lincoln.length).toBeGreaterThan(20);
    expect(lincoln[0]!.president).toBe("Abraham Lincoln");
    expect(lincoln[0]!.year).toBe(1863);
    expect(lincoln[0]!.party).toBe("Republican");
    expect(lincoln[0]!.text.startsWith("Fellow-Citizens of the Senate")).toBe(true);
    const p12 = passages.find((p) => p.id === "sotu-1863-lincoln-p12")!;
    expect(p12.index).toBe(12);
    expect(p12.title).toBe("State of the Union 1863 (Abraham Lincoln)");

    const first = passages.find((p) => p.source === "moby-dick")!;
    expect(first.id).toBe("moby-dick-ch1-p0");
    expect(first.chapter).toBe("1");
    expect(first.text.startsWith("Call me Ishmael.")).toBe(true);
    const epilogue = passages.find((p) => p.id === "moby-dick-epilogue-p0")!;
    expect(epilogue.text.startsWith("The drama's done.")).toBe(true);

    // Two presidents in one year keep distinct ids.
    expect(docs.some((d) => d.key === "sotu-1953-truman")).toBe(true);
    expect(docs.some((d) => d.key === "sotu-1953-eisenhower")).toBe(true);
    expect(docs.some((d) => d.key === "sotu-1837-van-buren")).toBe(true);
  });

  it("has unique ids, clean non-empty texts and consistent metadata", () => {
    expect(new Set(passages.map((p) => p.id)).size).toBe(passages.length);
    for (const p of passages) {
      expect(p.id).toBe(`${p.document}-p${p.index}`);
      expect(p.text.length).toBeGreaterThan(0);
      expect(p.text).toBe(p.text.trim());
      expect(/\s\s|[\n\t]/.test(p.text)).toBe(false);
    }
  });

  it("splits deterministically and disjointly", () => {
    const again = loadCorpus();
    expect(again.map((p) => `${p.id}:${p.split}`)).toEqual(
      passages.map((p) => `${p.id}:${p.split}`),
    );
    const ids = (s: string) => new Set(passages.filter((p) => p.split === s).map((p) => p.id));
    const [train, val, test] = [ids("train"), ids("validation"), ids("test")];
    for (const id of val) expect(train.has(id) || test.has(id)).toBe(false);
    for (const id of test) expect(train.has(id)).toBe(false);
    expect(train.size + val.size + test.size).toBe(passages.length);
  });

  it("keeps ids and splits when documents are added or removed", () => {
    const some = docs.filter((_, i) => i % 5 === 0);
    const byId = new Map(passages.map((p) => [p.id, p]));
    for (const p of toPassages(some)) {
      expect(byId.get(p.id)?.split).toBe(p.split);
      expect(byId.get(p.id)?.text).toBe(p.text);
    }
  });

  it("reads one source alone and rejects an unknown one", () => {
    expect(loadDocuments({ sources: ["moby-dick"] }).length).toBe(136);
    expect(() => loadDocuments({ sources: ["iliad" as never] })).toThrow(CorpusError);
    expect(() => loadDocuments({ dataDirs: { sotu: "/nonexistent" }, sources: ["sotu"] })).toThrow(
      CorpusError,
    );
  });

  it("slugs surnames", () => {
    expect(surnameSlug("Abraham Lincoln")).toBe("lincoln");
    expect(surnameSlug("Martin Van Buren")).toBe("van-buren");
    expect(surnameSlug("William Mc Kinley")).toBe("mckinley");
    expect(surnameSlug("George H. W. Bush")).toBe("bush");
  });
});
