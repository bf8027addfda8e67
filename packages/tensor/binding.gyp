# Native CPU backend of @x/tensor. One addon (`x_tensor`) links one static library per ISA;
# each library is compiled with its own -m flags, and the addon picks one at load by cpuid.
# Sources are discovered by scripts/native-sources.mjs (see native/README.md): add a kernel by
# dropping `native/src/<family>/<kernel>_<isa>.cc` files in, never by editing this file.
{
  "variables": {
    "xt_version": "<!(node -p \"require('./package.json').version\")",
  },
  "target_defaults": {
    "cflags!": ["-fno-exceptions", "-O2"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17", "-std=gnu++20"],
    # GCC 12 reports false maybe-uninitialized warnings inside its own AVX-512 intrinsic headers.
    "cflags": ["-O3", "-fPIC", "-fvisibility=hidden", "-Wno-unused-parameter", "-Wno-psabi", "-Wno-maybe-uninitialized"],
    "cflags_cc": ["-std=c++17", "-fexceptions"],
    "include_dirs": ["native/src"],
    "defines": ["NDEBUG"],
  },
  "targets": [
    {
      "target_name": "x_tensor",
      "sources": ["<!@(node scripts/native-sources.mjs core)"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": [
        "NAPI_VERSION=8",
        "NAPI_CPP_EXCEPTIONS",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "XT_VERSION=<(xt_version)",
      ],
      "dependencies": ["xt_scalar"],
      "conditions": [
        ["target_arch=='x64'", {
          "defines": ["XT_X86=1"],
          "dependencies": ["xt_avx2", "xt_avx512"],
          "cflags": ["-msse4.2", "-mpopcnt"],
        }],
      ],
    },
    {
      "target_name": "xt_scalar",
      "type": "static_library",
      "sources": ["<!@(node scripts/native-sources.mjs scalar)"],
      "conditions": [
        ["target_arch=='x64'", { "cflags": ["-msse4.2", "-mpopcnt"] }],
      ],
    },
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "xt_avx2",
          "type": "static_library",
          "sources": ["<!@(node scripts/native-sources.mjs avx2)"],
          "cflags": ["-mavx2", "-mfma", "-mf16c"],
        },
        {
          "target_name": "xt_avx512",
          "type": "static_library",
          "sources": ["<!@(node scripts/native-sources.mjs avx512)"],
          "cflags": [
            "-mavx512f", "-mavx512bw", "-mavx512vl", "-mavx512dq", "-mavx512vnni",
            "-mavx512bf16", "-mfma", "-mf16c", "-mprefer-vector-width=512",
          ],
        },
      ],
    }],
  ],
}
