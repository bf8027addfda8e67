// Middle-axis reductions over a contiguous [outer, len, inner] f32 array (codes: ReduceOp).
#pragma once

#include <cstdint>

#include "core/dispatch.h"

namespace xt {

enum ReduceOp : int { kSum = 0, kRMax, kRMin, kArgmax, kArgmin, kLogSumExp, kSumSq, kReduceOpCount };

struct ReduceArgs {
  int op;
  const float* x;
  float* out;      // all ops but argmax/argmin
  int32_t* index;  // argmax/argmin
  int64_t outer, len, inner;
};

}  // namespace xt

XT_DECLARE_KERNEL(void, reduce, (const ::xt::ReduceArgs& args))
