#!/usr/bin/env node
// Executable entry of x-llm (package.json "bin"); everything else lives in ./cli/.
import { main } from "./cli/main.js";

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`x-llm: ${(err as Error).message}\n`);
    process.exitCode = 1;
  },
);
