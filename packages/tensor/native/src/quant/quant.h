// ggml q8_0 / q4_0 block kernels (contract: src/backend/kernels.ts Quantize/Dequantize/QMatmul),
// shared by the binding and the ISA libraries.
#pragma once

#include <cstdint>

#include "core/dispatch.h"

namespace xt {

enum class QFormat : int { q8_0 = 0, q4_0 = 1 };

constexpr int kQBlock = 32;        // elements per block in both formats
constexpr int kQ8Bytes = 2 + 32;   // f16 d, 32 x int8
constexpr int kQ4Bytes = 2 + 16;   // f16 d, 16 bytes of nibbles

constexpr int qBlockBytes(QFormat f) { return f == QFormat::q8_0 ? kQ8Bytes : kQ4Bytes; }

// The tile layout of W for qmatmulTiles (src/quant/cpu-tiles.ts packs it): rows in tiles of 16
// (the last one padded with zero rows), each tile holding its rows' block b side by side for
// b = 0, 1, ...: first the codes, dword c (4 bytes) of row r at byte 64 * c + 4 * r, then the 16
// f16 scales in row order. q4_0 keeps its bytes (dword c: low nibbles are elements 4c..4c+3,
// high nibbles 16+4c..); q8_0 codes are stored plus 128 (xor 0x80), unsigned like q4_0's, so
// both formats take the correction -offset * sum(x codes) per x block.
constexpr int kTileRows = 16;
constexpr int qTileCodeBytes(QFormat f) { return kTileRows * (qBlockBytes(f) - 2); }
constexpr int qTileBlockBytes(QFormat f) { return kTileRows * qBlockBytes(f); }
constexpr int qTileOffset(QFormat f) { return f == QFormat::q8_0 ? 128 : 8; }

// Tiles per thread chunk of a tile product: enough work (~1 MB of weights times x rows) to pay
// for waking a worker, so a decode step's small projections run on the calling thread alone.
inline int64_t tileGrain(int64_t tileBytes, int64_t m) {
  const int64_t work = tileBytes * m, chunk = int64_t{1} << 20;
  return work >= chunk ? 1 : (chunk + work - 1) / work;
}

// Copies an [n, k] weight's blocks from rows to tiles (pack) or back (tile_layout.cc); the tiles'
// padding rows are left as they are (zero in a fresh buffer).
void moveTiles(QFormat f, uint8_t* rows, uint8_t* tiles, int64_t n, int64_t k, bool pack);

// Largest |x| whose q8_0 block scale (amax / 127) still fits an f16.
constexpr float kQ8Limit = 65504.0f * 127.0f;

struct QMatmulArgs {
  QFormat format;
  const uint8_t* w;  // [n][k/32 blocks], or tiles (qmatmulTiles)
  const float* x;    // [m][k]
  float* out;        // [m][n]
  int64_t m, n, k;
};

}  // namespace xt

XT_DECLARE_KERNEL(void, quantizeBlocks, (::xt::QFormat f, const float* x, uint8_t* y, int64_t blocks))
XT_DECLARE_KERNEL(void, dequantizeBlocks, (::xt::QFormat f, const uint8_t* y, float* x, int64_t blocks))
XT_DECLARE_KERNEL(bool, withinRange, (const float* x, int64_t n, float limit))
XT_DECLARE_KERNEL(void, qmatmul, (const ::xt::QMatmulArgs& args))
XT_DECLARE_KERNEL(void, qmatmulTiles, (const ::xt::QMatmulArgs& args))
