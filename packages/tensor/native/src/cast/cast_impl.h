// Half-precision conversions written once per ISA. The portable path is integer bit
// manipulation (auto-vectorized); AVX2/AVX-512 use F16C for f16 and AVX-512 BF16 for bf16.
// vcvtneps2bf16 flushes subnormal inputs to zero, which src/half.ts does not, so blocks that
// contain a subnormal fall back to the integer path.
#pragma once

#include "cast/cast.h"
#include "simd/vec.h"

namespace xt::XT_ISA {

inline uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
inline float floatOf(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

inline uint16_t toF16(float value) {
  const uint32_t x = bitsOf(value);
  const uint32_t sign = (x >> 16) & 0x8000;
  const int32_t exp = (x >> 23) & 0xff;
  uint32_t mant = x & 0x7fffff;
  if (exp == 0xff) return sign | 0x7c00 | (mant ? 0x200 | (mant >> 13) : 0);
  const int32_t e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {  // subnormal half (or zero): shift the implicit-1 mantissa, round to nearest even
    if (e < -10) return sign;
    mant |= 0x800000;
    const int shift = 14 - e;
    const uint32_t half = 1u << (shift - 1);
    uint32_t r = mant >> shift;
    const uint32_t rem = mant & ((1u << shift) - 1);
    if (rem > half || (rem == half && (r & 1))) r++;
    return sign | r;
  }
  uint32_t r = (uint32_t(e) << 10) | (mant >> 13);
  const uint32_t rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (r & 1))) r++;  // a carry into the exponent is correct
  return sign | r;
}

inline float fromF16(uint16_t h) {
  const uint32_t sign = uint32_t(h & 0x8000) << 16;
  const uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  if (exp == 0) {
    const float v = float(mant) * (1.0f / 16777216.0f);  // exact: mant * 2^-24
    return floatOf(bitsOf(v) | sign);
  }
  if (exp == 0x1f) return floatOf(sign | 0x7f800000 | (mant << 13));
  return floatOf(sign | ((exp + 112) << 23) | (mant << 13));
}

inline uint16_t toBf16(float value) {
  const uint32_t x = bitsOf(value);
  if ((x & 0x7f800000) == 0x7f800000 && (x & 0x7fffff)) return uint16_t((x >> 16) | 0x40);
  return uint16_t((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}

void f32ToF16(const float* src, uint16_t* dst, int64_t n) {
  int64_t i = 0;
#if defined(__AVX512F__)
  for (; i + 16 <= n; i += 16)
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), _mm512_cvtps_ph(_mm512_loadu_ps(src + i), 0));
#elif defined(__F16C__)
  for (; i + 8 <= n; i += 8)
    _mm_storeu_si128(reinterpret_cast<__m128i*>(dst + i), _mm256_cvtps_ph(_mm256_loadu_ps(src + i), 0));
#endif
  for (; i < n; i++) dst[i] = toF16(src[i]);
}

void f16ToF32(const uint16_t* src, float* dst, int64_t n) {
  int64_t i = 0;
#if defined(__AVX512F__)
  for (; i + 16 <= n; i += 16)
    _mm512_storeu_ps(dst + i, _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(src + i))));
#elif defined(__F16C__)
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i))));
#endif
  for (; i < n; i++) dst[i] = fromF16(src[i]);
}

void f32ToBf16(const float* src, uint16_t* dst, int64_t n) {
  int64_t i = 0;
#if defined(__AVX512BF16__)
  const __m512i expMask = _mm512_set1_epi32(0x7f800000), mantMask = _mm512_set1_epi32(0x7fffff);
  for (; i + 16 <= n; i += 16) {
    const __m512i bits = _mm512_loadu_si512(src + i);
    const __mmask16 subnormal = _mm512_testn_epi32_mask(bits, expMask) & _mm512_test_epi32_mask(bits, mantMask);
    if (subnormal) {
      for (int l = 0; l < 16; l++) dst[i + l] = toBf16(src[i + l]);
      continue;
    }
    const __m256bh r = _mm512_cvtneps_pbh(_mm512_castsi512_ps(bits));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(dst + i), reinterpret_cast<const __m256i&>(r));
  }
#endif
  for (; i < n; i++) dst[i] = toBf16(src[i]);
}

void bf16ToF32(const uint16_t* src, float* dst, int64_t n) {
  for (int64_t i = 0; i < n; i++) dst[i] = floatOf(uint32_t(src[i]) << 16);
}

}  // namespace xt::XT_ISA
