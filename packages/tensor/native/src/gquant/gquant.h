// Group-asymmetric uN quantization (u2/u4/u8 codes packed LSB-first in u32 words, f16 or f32
// scale/zero per group), the native side of src/quant/group-quant.ts (contract:
// src/backend/kernels.ts GroupQuantizeKernel / GroupDequantizeKernel). Groups of g elements run
// along the middle axis of a contiguous [outer, len, inner] array, so group gi starts at
// groupStart(gi) and its elements follow every `inner` positions.
#pragma once

#include <cstdint>

#include "core/dispatch.h"

namespace xt {

struct GroupQuantArgs {
  float* x;  // quantize reads it, dequantize writes it
  uint32_t* words;
  void* scales;  // uint16_t f16 bits when metaHalf, else float
  void* zeros;
  int64_t outer, len, inner, g;
  int bits;
  bool metaHalf;
};

// First failure of groupQuantize in group order (the js error for the same input).
struct GroupQuantError {
  enum Kind : int { None = 0, BadValue = 1, TooWide = 2 } kind = None;
  int64_t group = -1, element = -1;
  float value = 0, lo = 0, hi = 0;
};

inline int64_t groupStart(int64_t gi, int64_t g, int64_t len, int64_t inner) {
  const int64_t perRow = len / g, row = gi / perRow;
  return (row / inner) * len * inner + (gi % perRow) * g * inner + row % inner;
}

}  // namespace xt

XT_DECLARE_KERNEL(void, groupQuantize, (const ::xt::GroupQuantArgs& args, ::xt::GroupQuantError* error))
XT_DECLARE_KERNEL(void, groupDequantize, (const ::xt::GroupQuantArgs& args))
