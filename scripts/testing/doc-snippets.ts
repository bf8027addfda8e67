// Shared body of the packages' doc-snippet tests: runs every TypeScript snippet of the given
// Markdown files that imports `pkg`, so the documentation cannot drift from the API. Each snippet
// is written to a `.snippets` folder next to the calling test with its package import pointed at
// the package sources, then imported (vitest compiles it).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";

const repo = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * Registers one `describe` per file in `sources` (paths relative to the repository root).
 * `testUrl` is the calling test's `import.meta.url`; the test must live in `packages/<name>/test/`
 * so that `../src/index.ts` is the package entry.
 */
export function describeDocSnippets(testUrl: string, pkg: string, sources: string[]): void {
  const here = dirname(fileURLToPath(testUrl));
  const work = join(here, ".snippets");
  const entry = relative(work, join(here, "..", "src", "index.ts")).replaceAll("\\", "/");
  const from = `from "${pkg}"`;

  function snippets(file: string): string[] {
    const text = readFileSync(join(repo, file), "utf8");
    return [...text.matchAll(/```ts\n([\s\S]*?)```/g)]
      .map((m) => m[1]!)
      .filter((code) => code.includes(from));
  }

  mkdirSync(work, { recursive: true });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  describe.each(sources)("%s", (file) => {
    const blocks = snippets(file);
    it("has snippets", () => expect(blocks.length).toBeGreaterThan(0));
    it.each(blocks.map((code, i) => [i, code] as const))("snippet %i runs", async (i, code) => {
      const path = join(work, `${file.replaceAll("/", "_")}_${i}.ts`);
      writeFileSync(path, code.replaceAll(from, `from "${entry}"`));
      const log = vi.spyOn(console, "log").mockImplementation(() => {});
      try {
        await import(path);
      } finally {
        log.mockRestore();
      }
    });
  });
}
