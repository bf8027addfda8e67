// Runs every TypeScript snippet of this README and of docs/corpus-and-tokenizer.md that imports
// @x/corpus, with the import pointed at the sources, so the documentation cannot drift.
import { describeDocSnippets } from "../../../scripts/testing/doc-snippets.js";

describeDocSnippets(import.meta.url, "@x/corpus", [
  "docs/corpus-and-tokenizer.md",
  "packages/corpus/README.md",
]);
