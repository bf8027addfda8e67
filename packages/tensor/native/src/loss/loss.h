// Fused cross-entropy over contiguous f32 logits [rows, vocab] with i32 targets (contract:
// src/backend/kernels.ts CrossEntropyKernel / CrossEntropyGradKernel). Targets equal to
// ignoreIndex give loss 0 and gradient 0; the binding has checked every other target.
#pragma once

#include <cstdint>

#include "core/dispatch.h"

namespace xt {

struct CrossEntropyArgs {
  const float* logits;
  const int32_t* targets;
  const float* weights;  // backward only: d loss / d loss_row (0 for ignored rows)
  float* out;            // forward: [rows] losses; backward: [rows, vocab] gradient
  int64_t rows, vocab, ignoreIndex;
};

}  // namespace xt

XT_DECLARE_KERNEL(void, crossEntropyForward, (const ::xt::CrossEntropyArgs& args))
XT_DECLARE_KERNEL(void, crossEntropyBackward, (const ::xt::CrossEntropyArgs& args))
