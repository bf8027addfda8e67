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

inline int qBlockBytes(QFormat f) { return f == QFormat::q8_0 ? kQ8Bytes : kQ4Bytes; }

struct QMatmulArgs {
  QFormat format;
  const uint8_t* w;  // [n][k/32 blocks]
  const float* x;    // [m][k]
  float* out;        // [m][n]
  int64_t m, n, k;
};

}  // namespace xt

XT_DECLARE_KERNEL(void, quantizeBlocks, (::xt::QFormat f, const float* x, uint8_t* y, int64_t blocks))
XT_DECLARE_KERNEL(void, dequantizeBlocks, (::xt::QFormat f, const uint8_t* y, float* x, int64_t blocks))
XT_DECLARE_KERNEL(void, qmatmul, (const ::xt::QMatmulArgs& args))
