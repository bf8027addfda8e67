// Runs every TypeScript snippet of this README and of docs/corpus-and-tokenizer.md that imports
// @x/corpus, with the import pointed at the sources, so the documentation cannot drift.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..", "..");
const sources = ["docs/corpus-and-tokenizer.md", "packages/corpus/README.md"];
const work = join(here, ".snippets");
const entry = relative(work, join(here, "..", "src", "index.ts")).replaceAll("\\", "/");

function snippets(file: string): string[] {
  const text = readFileSync(join(repo, file), "utf8");
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .filter((code) => code.includes('from "@x/corpus"'));
}

mkdirSync(work, { recursive: true });
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each(sources)("%s", (file) => {
  const blocks = snippets(file);
  it("has snippets", () => expect(blocks.length).toBeGreaterThan(0));
  it.each(blocks.map((code, i) => [i, code] as const))("snippet %i runs", async (i, code) => {
    const path = join(work, `${file.replaceAll("/", "_")}_${i}.ts`);
    writeFileSync(path, code.replaceAll('from "@x/corpus"', `from "${entry}"`));
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      await import(path);
    } finally {
      log.mockRestore();
    }
  });
});
