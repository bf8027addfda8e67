// Row-wise normalizations over contiguous [rows, cols] f32: softmax, RMSNorm, LayerNorm.
#pragma once

#include <cstdint>

#include "core/dispatch.h"

namespace xt {

struct NormArgs {
  const float* x;
  const float* weight;  // null = all ones
  const float* bias;    // null = zeros (layernorm only)
  float* out;
  int64_t rows, cols;
  float eps;
};

}  // namespace xt

XT_DECLARE_KERNEL(void, softmax, (const float* x, float* out, int64_t rows, int64_t cols, bool log))
XT_DECLARE_KERNEL(void, rmsnorm, (const ::xt::NormArgs& args))
XT_DECLARE_KERNEL(void, layernorm, (const ::xt::NormArgs& args))
