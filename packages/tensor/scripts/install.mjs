#!/usr/bin/env node
// Install hook. Its presence stops package managers from running `node-gyp rebuild` implicitly
// (they do so for any package with a binding.gyp and no install script), which would need a
// compiler and headers the user may not have. The addon ships prebuilt; where none matches this
// platform the package runs on its js backend, and this says how to build one.
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const platformDir = join(root, "prebuilds", `${process.platform}-${process.arch}`);
const prebuilt =
  existsSync(platformDir) && readdirSync(platformDir).some((f) => f.endsWith(".node"));
const built = existsSync(join(root, "build", "Release", "x_tensor.node"));
if (!prebuilt && !built && !existsSync(join(root, "..", "..", "pnpm-workspace.yaml"))) {
  console.warn(
    `@x/tensor: no prebuilt addon for ${process.platform}-${process.arch}; the js backend will be used. ` +
      "To build the native one: node-gyp rebuild (needs a C++17 compiler and Node headers).",
  );
}
