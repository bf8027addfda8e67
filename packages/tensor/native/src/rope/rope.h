// Rotary position embedding over contiguous x [rows, heads, dim] with per-row cos/sin [rows, dim/2].
#pragma once

#include <cstdint>

#include "core/dispatch.h"

namespace xt {

struct RopeArgs {
  const float* x;
  const float* cos;
  const float* sin;
  float* out;  // may alias x
  int64_t rows, heads, dim;
  bool rotateHalf;  // HF layout: pairs (i, i + dim/2); else interleaved (2i, 2i + 1)
};

}  // namespace xt

XT_DECLARE_KERNEL(void, rope, (const ::xt::RopeArgs& args))
