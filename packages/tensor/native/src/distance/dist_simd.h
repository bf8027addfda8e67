// Per-ISA distance primitives shared by the distance and graph families. The reduction order is
// canonical on every ISA: 16 interleaved FMA partial sums over the padded row, then a fixed
// pairwise tree (lanes i + 8, i + 4, i + 2, i + 1). AVX-512 keeps them in one register, AVX2 in
// two, scalar in four with fmaf per lane, so every variant returns bit-identical distances and
// graph builds are byte-identical across machines.
#pragma once

#include <cmath>
#include <type_traits>

#include "distance/distance.h"
#include "simd/f16.h"
#include "simd/vec.h"

namespace xt::XT_ISA {

constexpr int kRegs = 16 / W;

inline vf fmadd(vf a, vf b, vf c) {
#if defined(__AVX512F__)
  return _mm512_fmadd_ps(a, b, c);
#elif defined(__AVX2__) && defined(__FMA__)
  return _mm256_fmadd_ps(a, b, c);
#else
  for (int i = 0; i < W; i++) c[i] = __builtin_fmaf(a[i], b[i], c[i]);
  return c;
#endif
}

// Sum of 16 partial sums held in kRegs registers, lanes 0..15, in the canonical tree order.
inline float reduce16(const vf* r) {
#if defined(__AVX512F__)
  const __m256 a = _mm256_add_ps(_mm512_castps512_ps256(r[0]), _mm512_extractf32x8_ps(r[0], 1));
#elif defined(__AVX2__)
  const __m256 a = _mm256_add_ps(r[0], r[1]);
#endif
#if defined(__AVX2__) || defined(__AVX512F__)
  const __m128 b = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
  const __m128 c = _mm_add_ps(b, _mm_movehl_ps(b, b));
  return _mm_cvtss_f32(_mm_add_ss(c, _mm_shuffle_ps(c, c, 1)));
#else
  const vf a0 = r[0] + r[2], a1 = r[1] + r[3];
  const vf b = a0 + a1;
  return (b[0] + b[2]) + (b[1] + b[3]);
#endif
}

inline vf loadAny(const float* p) { return load(p); }
inline vf loadAny(const uint16_t* p) { return loadHalf(p); }

template <class Q, class R>
inline float dotPad(const Q* q, const R* x, int64_t dimPad) {
  vf acc[kRegs];
  for (int j = 0; j < kRegs; j++) acc[j] = splat(0.0f);
  for (int64_t i = 0; i < dimPad; i += 16)
    for (int j = 0; j < kRegs; j++) acc[j] = fmadd(loadAny(q + i + j * W), loadAny(x + i + j * W), acc[j]);
  return reduce16(acc);
}

template <class Q, class R>
inline float l2Pad(const Q* q, const R* x, int64_t dimPad) {
  vf acc[kRegs];
  for (int j = 0; j < kRegs; j++) acc[j] = splat(0.0f);
  for (int64_t i = 0; i < dimPad; i += 16)
    for (int j = 0; j < kRegs; j++) {
      const vf d = loadAny(q + i + j * W) - loadAny(x + i + j * W);
      acc[j] = fmadd(d, d, acc[j]);
    }
  return reduce16(acc);
}

// Integer products are exact, so any order gives the same i8 result.
typedef int8_t v16b __attribute__((vector_size(16)));
typedef int32_t v16i __attribute__((vector_size(64)));
template <bool L2>
inline int32_t i8Pad(const int8_t* a, const int8_t* b, int64_t dimPad) {
  v16i acc = {};
  for (int64_t i = 0; i < dimPad; i += 16) {
    v16b x, y;
    std::memcpy(&x, a + i, 16);
    std::memcpy(&y, b + i, 16);
    const v16i xi = __builtin_convertvector(x, v16i), yi = __builtin_convertvector(y, v16i);
    if (L2) acc += (xi - yi) * (xi - yi);
    else acc += xi * yi;
  }
  int32_t s = 0;
  for (int i = 0; i < 16; i++) s += acc[i];
  return s;
}

template <RowType T> struct RowTypeOf { using type = float; };
template <> struct RowTypeOf<RowType::F16> { using type = uint16_t; };
template <> struct RowTypeOf<RowType::I8> { using type = int8_t; };

// A distance over one row set, fixed at compile time to one storage type and metric.
// Query = what a search query is converted to (f32 for f32/f16 rows, i8 codes for i8 rows).
template <RowType T, DistMetric M>
struct Space {
  using Row = typename RowTypeOf<T>::type;
  using Query = std::conditional_t<T == RowType::I8, int8_t, float>;
  const uint8_t* base;
  int64_t stride, dimPad;

  explicit Space(const RowSet& s) : base(s.rows), stride(s.stride), dimPad(s.dimPad) {}
  const Row* row(uint32_t i) const { return reinterpret_cast<const Row*>(base + int64_t(i) * stride); }
  void prefetch(uint32_t i) const {
    // The first 256 bytes: a whole row up to 64 f32 dims; longer rows stream after that.
    const char* p = reinterpret_cast<const char*>(base + int64_t(i) * stride);
    const int64_t lines = stride < 256 ? stride : 256;
    for (int64_t o = 0; o < lines; o += 64) __builtin_prefetch(p + o);
  }

  template <class Q>
  float operator()(const Q* q, const Row* x) const {
    if constexpr (T == RowType::I8) {
      const int32_t s = i8Pad<M == DistMetric::L2>(q, x, dimPad);
      // One integer subtraction and one correctly rounded division: identical on every ISA.
      return M == DistMetric::L2 ? float(s) / 16129.0f : float(16129 - s) / 16129.0f;
    } else {
      return M == DistMetric::L2 ? l2Pad(q, x, dimPad) : 1.0f - dotPad(q, x, dimPad);
    }
  }
  template <class Q>
  float to(const Q* q, uint32_t i) const { return (*this)(q, row(i)); }
  float between(uint32_t a, uint32_t b) const { return (*this)(row(a), row(b)); }

  // Converts an f32 query of `dim` elements into `out` (dimPad elements, zero tail).
  void prepare(const float* q, int64_t dim, Query* out) const {
    for (int64_t i = 0; i < dimPad; i++) {
      const float v = i < dim ? q[i] : 0.0f;
      if constexpr (T == RowType::I8) out[i] = static_cast<int8_t>(std::fmax(-127.0f, std::fmin(127.0f, std::round(127.0f * v))));
      else out[i] = v;
    }
  }
};

// Calls body(Space<T, M>) for the run-time storage type and metric of `set`.
template <class F>
inline void withSpace(const RowSet& set, F&& body) {
  const bool l2 = set.metric == DistMetric::L2;
  switch (set.type) {
    case RowType::F16:
      if (l2) body(Space<RowType::F16, DistMetric::L2>(set)); else body(Space<RowType::F16, DistMetric::Dot>(set));
      break;
    case RowType::I8:
      if (l2) body(Space<RowType::I8, DistMetric::L2>(set)); else body(Space<RowType::I8, DistMetric::Dot>(set));
      break;
    default:
      if (l2) body(Space<RowType::F32, DistMetric::L2>(set)); else body(Space<RowType::F32, DistMetric::Dot>(set));
  }
}

}  // namespace xt::XT_ISA
