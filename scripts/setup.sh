#!/usr/bin/env bash
# Sets up a fresh clone: the pinned pnpm, the locked dependencies, the TypeScript builds and the
# native addon. Everything comes from the npm registry; nothing is downloaded at build time.
set -euo pipefail
cd "$(dirname "$0")/.."

want_pnpm=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null || true)" != "$want_pnpm" ]; then
  npm install --global "pnpm@$want_pnpm" --no-fund --no-audit
fi

# Build tooling for the native addon (already present on most images; apt only when missing).
if ! command -v g++ >/dev/null || ! command -v make >/dev/null || ! command -v python3 >/dev/null; then
  apt-get update -qq && apt-get install -y -qq g++ make python3
fi

pnpm install --frozen-lockfile
pnpm build:native
pnpm build
