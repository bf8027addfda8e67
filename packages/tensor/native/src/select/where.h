// out = cond ? a : b over a strided broadcast of three operands (contract: src/backend/kernels.ts
// WhereKernel): cond is bool bytes, a/b/out f32, strides in elements from each operand's start.
#pragma once

#include <cstdint>

#include "core/dispatch.h"

namespace xt {

constexpr int kWhereMaxRank = 8;

struct WhereArgs {
  const uint8_t* cond;
  const float* a;
  const float* b;
  float* out;  // contiguous
  int rank;
  int64_t shape[kWhereMaxRank], cs[kWhereMaxRank], as[kWhereMaxRank], bs[kWhereMaxRank];
};

}  // namespace xt

XT_DECLARE_KERNEL(void, where, (const ::xt::WhereArgs& args))
