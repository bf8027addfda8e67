// Philox4x32-10 and the sample transforms of src/ops/random.ts (+ random-math.ts), written so that every step is an
// IEEE double operation (+ - * / sqrt) in the same order as the js code: the results are then
// bit-identical on every backend. That is why log, sin and cos are evaluated here by fixed
// polynomials (fdlibm's coefficients) instead of libm, whose last ulp differs between V8 and
// glibc. This file is compiled into the addon's core target only (no -mfma), and contraction
// of a*b+c into an FMA is switched off for compilers that would do it anyway (arm64). The CUDA
// addon includes it too (native/cuda/random.cu, compiled with -fmad=false): one definition of
// the stream for every backend.
#pragma once

#include <cmath>
#include <cstdint>

#if defined(__CUDACC__)
#define XT_PHILOX_FN __host__ __device__ inline
#else
#define XT_PHILOX_FN inline
#endif

#if defined(__CUDACC__)
// nvcc: contraction is controlled by -fmad=false on the command line.
#elif defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace xt::philox {

struct Block {
  uint32_t w[4];
};

XT_PHILOX_FN Block block(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1) {
  for (int r = 0; r < 10; r++) {
    if (r > 0) {
      k0 += 0x9e3779b9u;
      k1 += 0xbb67ae85u;
    }
    const uint64_t p0 = uint64_t{0xd2511f53u} * c0;
    const uint64_t p1 = uint64_t{0xcd9e8d57u} * c2;
    const uint32_t n0 = static_cast<uint32_t>(p1 >> 32) ^ c1 ^ k0;
    const uint32_t n2 = static_cast<uint32_t>(p0 >> 32) ^ c3 ^ k1;
    c1 = static_cast<uint32_t>(p1);
    c3 = static_cast<uint32_t>(p0);
    c0 = n0;
    c2 = n2;
  }
  return Block{{c0, c1, c2, c3}};
}

// log((w + 1) / 2^32): v = w + 1 = m 2^e with m in [sqrt(1/2), sqrt(2)), then fdlibm's
// log(1 + f) = f - (hf - s (hf + R(s^2))), s = f / (2 + f); every step is exact or one rounding.
XT_PHILOX_FN double logUniform(uint32_t w) {
  if (w == 0xffffffffu) return 0.0;
  const uint32_t v = w + 1;
#if defined(__CUDA_ARCH__)
  int e = 31 - __clz(v);
#else
  int e = 31 - __builtin_clz(v);
#endif
  double m = static_cast<double>(v) / static_cast<double>(uint64_t{1} << e);
  if (m > 1.4142135623730951) {
    m = m * 0.5;
    e = e + 1;
  }
  const double f = m - 1.0;
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double w2 = z * z;
  const double t1 = w2 * (0.3999999999940942 + w2 * (0.22222198432149784 + w2 * 0.15313837699209373));
  const double t2 = z * (0.6666666666666735 +
                         w2 * (0.2857142874366239 + w2 * (0.1818357216161805 + w2 * 0.14798198605116586)));
  const double r = t2 + t1;
  const double hfsq = 0.5 * f * f;
  const double k = static_cast<double>(e - 32);
  return k * 0.6931471803691238 - ((hfsq - (s * (hfsq + r) + k * 1.9082149292705877e-10)) - f);
}

// cos and sin of 2 pi w / 2^32: the quadrant comes exactly from the top bits of w, the rest is a
// signed angle |a| <= pi/4 for fdlibm's kernel polynomials.
XT_PHILOX_FN void sinCosTurn(uint32_t w, double* c, double* s) {
  const uint32_t t = w + 0x20000000u;
  const uint32_t q = t >> 30;
  const double a = static_cast<double>(static_cast<int32_t>(t & 0x3fffffffu) - 0x20000000) * 1.4629180792671596e-09;
  const double z = a * a;
  const double sr = 0.00833333333332249 +
                    z * (-0.0001984126982985795 +
                         z * (2.7557313707070068e-06 + z * (-2.5050760253406863e-08 + z * 1.58969099521155e-10)));
  const double sa = a + z * a * (-0.16666666666666632 + z * sr);
  const double cr = z * (0.0416666666666666 +
                         z * (-0.001388888888887411 +
                              z * (2.480158728947673e-05 +
                                   z * (-2.7557314351390663e-07 +
                                        z * (2.087572321298175e-09 + z * -1.1359647557788195e-11)))));
  const double hz = 0.5 * z;
  const double cw = 1.0 - hz;
  const double ca = cw + (((1.0 - cw) - hz) + z * cr);
  switch (q) {
    case 0: *c = ca, *s = sa; break;
    case 1: *c = -sa, *s = ca; break;
    case 2: *c = -ca, *s = -sa; break;
    default: *c = sa, *s = -ca; break;
  }
}

enum Kind { kUniform = 0, kNormal = 1, kInt = 2 };

// Elements i0 .. i0 + m - 1 (m <= 4) of a stream from its Philox block: uniform f32 in [0, 1)
// (24 bits), normal f32 (Box-Muller over word pairs), or integers low + floor(w * span / 2^32)
// (span <= 2^32), wrapped like a js Int32Array store.
XT_PHILOX_FN void writeSamples(int kind, const Block& blk, void* out, int64_t i0, int64_t m, int64_t low,
                               int64_t span) {
  if (kind == kUniform) {
    float* o = static_cast<float*>(out) + i0;
    for (int64_t j = 0; j < m; j++) o[j] = static_cast<float>(blk.w[j] >> 8) * 0x1p-24f;
  } else if (kind == kNormal) {
    float* o = static_cast<float*>(out) + i0;
    for (int64_t j = 0; j < m; j += 2) {
      const double r = sqrt(-2.0 * logUniform(blk.w[j]));
      double c, s;
      sinCosTurn(blk.w[j + 1], &c, &s);
      o[j] = static_cast<float>(r * c);
      if (j + 1 < m) o[j + 1] = static_cast<float>(r * s);
    }
  } else {
    int32_t* o = static_cast<int32_t*>(out) + i0;
    for (int64_t j = 0; j < m; j++) {
      const uint64_t x =
          span == (int64_t{1} << 32) ? blk.w[j] : (uint64_t{blk.w[j]} * static_cast<uint64_t>(span)) >> 32;
      o[j] = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(low) + x));
    }
  }
}

}  // namespace xt::philox
