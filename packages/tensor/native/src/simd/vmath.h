// Vector exp and log in f32, within about 1-2 ulp of the correctly rounded result over the
// whole range (denormal results included), with IEEE handling of inf and NaN.
#pragma once

#include "simd/vec.h"

namespace xt::XT_ISA {

// exp(x) = 2^n * e^r, n = round(x / ln2), |r| <= ln2/2, e^r by a degree-7 Taylor polynomial
// (truncation ~5e-9, well under half an ulp). 2^n is applied with one rounding, so subnormal
// results (x < -87.3) round like libm: AVX-512 scalef does it in one instruction, elsewhere 2^n
// is split into two normal factors. The clamp keeps NaN (vmin/vmax return their second operand
// on NaN), and x > 88.72 overflows to inf through the scaling itself.
inline vf vexp(vf x) {
  const vf cx = vmin(splat(88.8f), vmax(splat(-104.0f), x));
  const vf n = vround(cx * splat(1.44269504088896341f));
  vf r = cx - n * splat(0.693145751953125f);  // ln2 high part: exact product for |n| < 2^9
  r = r - n * splat(1.42860682030941723212e-6f);
  vf p = splat(1.0f / 5040.0f);
  p = p * r + splat(1.0f / 720.0f);
  p = p * r + splat(1.0f / 120.0f);
  p = p * r + splat(1.0f / 24.0f);
  p = p * r + splat(1.0f / 6.0f);
  p = p * r + splat(0.5f);
  p = p * r + splat(1.0f);
  p = p * r + splat(1.0f);
#if defined(__AVX512F__)
  return _mm512_scalef_ps(p, n);
#else
  const vi ni = __builtin_convertvector(n, vi);
  const vi half = ni >> 1;
  const vf s1 = asFloat((half + 127) << 23);
  const vf s2 = asFloat((ni - half + 127) << 23);
  return (p * s1) * s2;
#endif
}

// log(x) = k ln2 + log(m), m in [sqrt(1/2), sqrt(2)); log(m) = f - f^2/2 + s (f^2/2 + R(s^2))
// with f = m - 1, s = f / (2 + f) (the classic atanh series split that keeps f's bits exact).
inline vf vlog(vf x) {
  const vi subnormal = x < splat(1.17549435e-38f);
  const vf xs = subnormal ? x * splat(8388608.0f) : x;  // 2^23 brings subnormals to normal
  vi bits = asInt(xs);
  vi k = ((bits >> 23) & 0xff) - 127;
  k = subnormal ? k - 23 : k;
  vf m = asFloat((bits & 0x007fffff) | 0x3f800000);  // [1, 2)
  const vi big = m > splat(1.41421356f);
  m = big ? m * splat(0.5f) : m;
  k = big ? k + 1 : k;
  const vf f = m - splat(1.0f);
  const vf s = f / (splat(2.0f) + f);
  const vf z = s * s;
  vf R = splat(2.0f / 11.0f);
  R = R * z + splat(2.0f / 9.0f);
  R = R * z + splat(2.0f / 7.0f);
  R = R * z + splat(2.0f / 5.0f);
  R = R * z + splat(2.0f / 3.0f);
  R = R * z;
  const vf hfsq = splat(0.5f) * f * f;
  const vf kf = __builtin_convertvector(k, vf);
  vf y = kf * splat(0.693145751953125f) + ((f - hfsq + s * (hfsq + R)) + kf * splat(1.42860682030941723212e-6f));
  y = x == splat(0.0f) ? splat(-__builtin_inff()) : y;
  y = x == splat(__builtin_inff()) ? x : y;
  y = x < splat(0.0f) ? splat(__builtin_nanf("")) : y;
  return nanMask(x) ? x : y;
}

}  // namespace xt::XT_ISA
