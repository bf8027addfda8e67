#!/usr/bin/env bash
# Cross-compiles @x/tensor's addon for linux-arm64 (core + scalar kernels, as binding.gyp does on
# arm64) and links it, proving the non-x86 path builds. Installs Debian's cross compiler if needed.
set -euo pipefail
cd "$(dirname "$0")/../packages/tensor"
command -v aarch64-linux-gnu-g++ >/dev/null || { apt-get update -qq && apt-get install -y -qq g++-aarch64-linux-gnu >/dev/null; }
out=$(mktemp -d)
naa=$(node -p "require('node-addon-api').include_dir")
headers="$(dirname "$(dirname "$(command -v node)")")/include/node"
sources="$(node scripts/native-sources.mjs core) $(node scripts/native-sources.mjs scalar) $(node scripts/native-sources.mjs neon)"
for f in $sources; do
  aarch64-linux-gnu-g++ -std=c++17 -O1 -fPIC -fexceptions -Inative/src -I"$naa" -I"$headers" \
    -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS -DNODE_ADDON_API_DISABLE_DEPRECATED -DXT_VERSION=check \
    -DNDEBUG -c "$f" -o "$out/$(echo "$f" | tr / _).o" &
  while [ "$(jobs -r | wc -l)" -ge 2 ]; do wait -n; done
done
wait
aarch64-linux-gnu-g++ -shared -o "$out/x_tensor.node" "$out"/*.o -lpthread
file "$out/x_tensor.node"
rm -rf "$out"
