// Runs every TypeScript snippet of the guides and the README that import @x/tensor, so the
// documentation cannot drift from the API. Each snippet is written next to this file with its
// package import pointed at the sources, then imported (vitest compiles it).
import { describeDocSnippets } from "../../../scripts/testing/doc-snippets.js";

describeDocSnippets(import.meta.url, "@x/tensor", [
  "docs/getting-started.md",
  "docs/tensor.md",
  "packages/tensor/README.md",
]);
