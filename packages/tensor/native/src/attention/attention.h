// Scaled dot-product attention (contract: src/backend/kernels.ts AttentionKernel), shared by the
// binding and the ISA libraries.
#pragma once

#include <cstdint>

#include "core/dispatch.h"

namespace xt {

struct AttentionArgs {
  const float* q;  // [b, hq, sq, d]
  const void* k;   // [b, hkv, skv, d]: f32, or f16 bit patterns when kvHalf
  const void* v;
  // Or per (batch, KV head) buffers, b * hkv of each, [skv, d] from their start (a KV cache's own
  // head storage, attended without gathering it first); nullptr: k and v above.
  const void* const* kHeads;
  const void* const* vHeads;
  float* out;      // [b, hq, sq, d]
  int64_t b, hq, hkv, sq, skv, d;
  float scale;
  bool causal, kvHalf;
};

}  // namespace xt

XT_DECLARE_KERNEL(void, attention, (const ::xt::AttentionArgs& args))
