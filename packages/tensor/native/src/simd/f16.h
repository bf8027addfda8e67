// IEEE binary16 <-> f32 for kernels compiled per ISA (include after simd/vec.h). F16C where the
// ISA has it; otherwise bit arithmetic that rounds to nearest-even exactly like vcvtps2ph and
// src/half.ts, so every ISA and the js backend agree bit for bit.
#pragma once

#include "simd/vec.h"

namespace xt::XT_ISA {

inline float h2f(uint16_t h) {
#if defined(__F16C__)
  return _cvtsh_ss(h);
#else
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu;
  uint32_t mant = h & 0x3ffu, bits;
  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else if (exp != 0) {
    bits = sign | ((exp + 112) << 23) | (mant << 13);
  } else if (mant == 0) {
    bits = sign;
  } else {  // subnormal: shift the mantissa up to an implicit leading one
    uint32_t e = 113;
    while (!(mant & 0x400u)) mant <<= 1, e--;
    bits = sign | (e << 23) | ((mant & 0x3ffu) << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
#endif
}

inline uint16_t f2h(float value) {
#if defined(__F16C__)
  return static_cast<uint16_t>(_cvtss_sh(value, _MM_FROUND_TO_NEAREST_INT));
#else
  uint32_t x;
  std::memcpy(&x, &value, 4);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const int exp = static_cast<int>((x >> 23) & 0xffu);
  uint32_t mant = x & 0x7fffffu;
  if (exp == 0xff) return static_cast<uint16_t>(sign | 0x7c00u | (mant ? 0x200u | (mant >> 13) : 0u));
  const int e = exp - 112;
  if (e >= 0x1f) return static_cast<uint16_t>(sign | 0x7c00u);
  int shift = 13;
  uint32_t base = static_cast<uint32_t>(e) << 10;
  if (e <= 0) {  // subnormal result: the implicit one joins the shifted-out mantissa
    if (e < -10) return static_cast<uint16_t>(sign);
    mant |= 0x800000u;
    shift = 14 - e;
    base = 0;
  }
  uint32_t r = base | (mant >> shift);
  const uint32_t rem = mant & ((1u << shift) - 1), half = 1u << (shift - 1);
  if (rem > half || (rem == half && (r & 1u))) r++;  // a carry into the exponent is correct
  return static_cast<uint16_t>(sign | r);
#endif
}

// W consecutive halves as floats.
inline vf loadHalf(const uint16_t* p) {
#if defined(__AVX512F__)
  return _mm512_maskz_cvtph_ps(0xffff, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));  // maskz: GCC 12 warns on the plain form
#elif defined(__F16C__)
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
#else
  vf v;
  for (int i = 0; i < W; i++) v[i] = h2f(p[i]);
  return v;
#endif
}

}  // namespace xt::XT_ISA
