// f32 <-> f16 / bf16 conversions (bit patterns in uint16), round-to-nearest-even, bit-exact
// with src/half.ts.
#pragma once

#include <cstdint>

#include "core/dispatch.h"

XT_DECLARE_KERNEL(void, f32ToF16, (const float* src, uint16_t* dst, int64_t n))
XT_DECLARE_KERNEL(void, f16ToF32, (const uint16_t* src, float* dst, int64_t n))
XT_DECLARE_KERNEL(void, f32ToBf16, (const float* src, uint16_t* dst, int64_t n))
XT_DECLARE_KERNEL(void, bf16ToF32, (const uint16_t* src, float* dst, int64_t n))
