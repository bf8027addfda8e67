// A width-generic float vector for kernels written once and compiled per ISA.
// Include only from `*_<isa>.cc` translation units (through a kernel's *_impl.h) after
// `#define XT_ISA <isa>`: everything here lives in namespace xt::<isa>, so the inline functions
// and templates instantiated with AVX-512 flags never merge with their scalar twins at link time.
#pragma once

#ifndef XT_ISA
#error "define XT_ISA (scalar, avx2, avx512) before including simd/vec.h"
#endif

#include <cstdint>
#include <cstring>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "core/thread_pool.h"

namespace xt::XT_ISA {

#if defined(__AVX512F__)
constexpr int W = 16;
#elif defined(__AVX2__)
constexpr int W = 8;
#else
constexpr int W = 4;
#endif

typedef float vf __attribute__((vector_size(W * 4)));
typedef int32_t vi __attribute__((vector_size(W * 4)));
typedef uint32_t vu __attribute__((vector_size(W * 4)));
typedef double vdh __attribute__((vector_size(W * 4)));  // W/2 doubles: one register, like vf

inline vf load(const float* p) {
  vf v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void store(float* p, vf v) { std::memcpy(p, &v, sizeof v); }
inline vf splat(float x) { return vf{} + x; }

// Tails go through a zero-padded register image so they take the same arithmetic as full vectors.
inline vf loadPartial(const float* p, int64_t n, float fill = 0.0f) {
  alignas(64) float tmp[W];
  for (int i = 0; i < W; i++) tmp[i] = i < n ? p[i] : fill;
  return load(tmp);
}
inline void storePartial(float* p, vf v, int64_t n) {
  alignas(64) float tmp[W];
  store(tmp, v);
  for (int64_t i = 0; i < n; i++) p[i] = tmp[i];
}

// Bit casts (same-size GCC vector casts reinterpret, they do not convert).
inline vi asInt(vf v) { return (vi)v; }
inline vf asFloat(vi v) { return (vf)v; }
// a < b ? a : b and a > b ? a : b: b when either is NaN, exactly the x86 min/max instructions,
// which GCC does not pick for the select on its own.
inline vf vmin(vf a, vf b) {
#if defined(__AVX512F__)
  return _mm512_min_ps(a, b);
#elif defined(__AVX2__)
  return _mm256_min_ps(a, b);
#elif defined(__SSE2__)
  return _mm_min_ps(a, b);
#else
  return a < b ? a : b;
#endif
}
inline vf vmax(vf a, vf b) {
#if defined(__AVX512F__)
  return _mm512_max_ps(a, b);
#elif defined(__AVX2__)
  return _mm256_max_ps(a, b);
#elif defined(__SSE2__)
  return _mm_max_ps(a, b);
#else
  return a > b ? a : b;
#endif
}
inline vf vabs(vf a) { return asFloat(asInt(a) & 0x7fffffff); }
inline vi nanMask(vf a) { return a != a; }

// Returns v through an empty asm, so the compiler cannot fuse the multiply that produced it with
// the following add into an FMA: quantizers must round exactly as their js references do.
template <class T>
inline T unfused(T v) {
#if defined(__x86_64__)
  __asm__("" : "+v"(v));
#elif defined(__aarch64__)
  __asm__("" : "+w"(v));
#else
  __asm__("" : "+m"(v));
#endif
  return v;
}

inline vf vsqrt(vf a) {
#if defined(__AVX512F__)
  return _mm512_sqrt_ps(a);
#elif defined(__AVX2__)
  return _mm256_sqrt_ps(a);
#elif defined(__SSE2__)
  return _mm_sqrt_ps(a);
#else
  for (int i = 0; i < W; i++) a[i] = __builtin_sqrtf(a[i]);
  return a;
#endif
}

// Round to nearest-even integer value, |x| < 2^22 (callers clamp first).
inline vf vround(vf x) {
  const vf magic = splat(12582912.0f);  // 1.5 * 2^23
  return (x + magic) - magic;
}

inline float hsum(vf v) {
  float s = 0.0f;
  for (int i = 0; i < W; i++) s += v[i];
  return s;
}
inline float hmax(vf v) {
#if defined(__AVX512F__)
  return _mm512_reduce_max_ps(v);
#else
  float m = v[0];
  for (int i = 1; i < W; i++) m = v[i] > m ? v[i] : m;
  return m;
#endif
}

// The two halves of v as register-sized f64 vectors (intrinsics: GCC lowers the generic
// conversion in 4-lane pieces).
inline void widenHalves(vf v, vdh& lo, vdh& hi) {
#if defined(__AVX512F__)
  lo = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
  hi = _mm512_cvtps_pd(_mm512_extractf32x8_ps(v, 1));
#elif defined(__AVX2__)
  lo = _mm256_cvtps_pd(_mm256_castps256_ps128(v));
  hi = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
#elif defined(__SSE2__)
  lo = _mm_cvtps_pd(v);
  hi = _mm_cvtps_pd(_mm_movehl_ps(v, v));
#else
  lo = __builtin_convertvector(__builtin_shufflevector(v, v, 0, 1), vdh);
  hi = __builtin_convertvector(__builtin_shufflevector(v, v, 2, 3), vdh);
#endif
}

// f64 sum of f32 vectors in two register-sized accumulators (a single W-double vector would be
// twice the register width, and GCC keeps such a variable on the stack).
struct SumD {
  vdh lo{}, hi{};
  void add(vf v) {
    vdh a, b;
    widenHalves(v, a, b);
    lo += a, hi += b;
  }
  void addSquares(vf v) {
    vdh a, b;
    widenHalves(v, a, b);
    lo += a * a, hi += b * b;
  }
  double total() const {
    const vdh s = lo + hi;
#if defined(__AVX512F__)
    return _mm512_reduce_add_pd(s);
#else
    double t = 0.0;
    for (int i = 0; i < W / 2; i++) t += s[i];
    return t;
#endif
  }
};

inline int64_t imin(int64_t a, int64_t b) { return a < b ? a : b; }
inline int64_t imax(int64_t a, int64_t b) { return a > b ? a : b; }

// parallelFor with a lambda, kept in this namespace for the same linkage reason as above.
template <class F>
void parallel(int64_t n, int64_t grain, F&& body) {
  ::xt::parallelFor(
      n, grain, [](void* ctx, int64_t b, int64_t e) { (*static_cast<F*>(ctx))(b, e); },
      static_cast<void*>(&body));
}

}  // namespace xt::XT_ISA
