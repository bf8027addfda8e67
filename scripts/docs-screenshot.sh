#!/usr/bin/env bash
# Builds the docs site and renders pages in headless Chromium (Debian's package, installed with
# apt-get when missing) to PNG files in docs/site/screenshots/, to look at what readers see.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium; }
pnpm run docs >/dev/null
out=docs/site/screenshots
mkdir -p "$out"
for page in index.html modules/_x_tensor.html modules/_x_llm.html modules/_x_ann-graph.html documents/Tensors.html; do
  name=$(basename "$page" .html)
  chromium --headless --no-sandbox --disable-gpu --window-size=1280,1600 \
    --screenshot="$out/$name.png" "file://$PWD/docs/site/$page" 2>/dev/null
  echo "$out/$name.png"
done
