// Batched single-precision GEMM, C = op(A) op(B) (beta = 0), shared by binding and ISA libs.
#pragma once

#include <cstdint>

#include "core/dispatch.h"

namespace xt {

struct SgemmArgs {
  const float* a;
  const float* b;
  float* c;
  int64_t m, n, k;
  bool transA, transB;
  int64_t batch, strideA, strideB, strideC;
};

}  // namespace xt

XT_DECLARE_KERNEL(void, sgemm, (const ::xt::SgemmArgs& args))
