// Runs every TypeScript snippet of the guides and the README that import @x/tensor, so the
// documentation cannot drift from the API. Each snippet is written next to this file with its
// package import pointed at the sources, then imported (vitest compiles it).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, "..", "..", "..");
const sources = ["docs/getting-started.md", "docs/tensor.md", "packages/tensor/README.md"];
const work = join(here, ".snippets");
const entry = relative(work, join(here, "..", "src", "index.ts")).replaceAll("\\", "/");

function snippets(file: string): string[] {
  const text = readFileSync(join(repo, file), "utf8");
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .filter((code) => code.includes('from "@x/tensor"'));
}

mkdirSync(work, { recursive: true });
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe.each(sources)("%s", (file) => {
  const blocks = snippets(file);
  it("has snippets", () => expect(blocks.length).toBeGreaterThan(0));
  it.each(blocks.map((code, i) => [i, code] as const))("snippet %i runs", async (i, code) => {
    const path = join(work, `${file.replaceAll("/", "_")}_${i}.ts`);
    writeFileSync(path, code.replaceAll('from "@x/tensor"', `from "${entry}"`));
    const log = vi.spyOn(console, "log").mockImplementation(() => {});
    try {
      await import(path);
    } finally {
      log.mockRestore();
    }
  });
});
