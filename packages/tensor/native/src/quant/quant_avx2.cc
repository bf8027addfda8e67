// AVX2 + FMA + F16C build of the quant kernels: one block per 256-bit register, int8 products
// with vpmaddubsw (u8 x s8 -> s16 pairs) and vpmaddwd against ones.
#define XT_ISA avx2
#include "quant/quant.h"
#include "simd/f16.h"

namespace xt::avx2 {

inline __m256i load256(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }
inline __m256i dotU8S8(__m256i u, __m256i s) {
  return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}
inline float hsum8(__m256 a) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}

// Shared block loop; Codes turns one weight block and its x codes into s32 partial sums.
template <class Codes>
struct DotBlocks {
  static constexpr int kBytes = Codes::kBytes, kBlocks = 1;
  using Acc = __m256;
  static Acc zero() { return _mm256_setzero_ps(); }
  static void rowScales(const uint8_t* w, int64_t nb, float* dw);
  static Acc step(Acc a, const uint8_t* w, const int8_t* q, const float* dw, const float* dx, const int32_t* bias,
                  int64_t b) {
    const __m256i s = Codes::sums(w + b * kBytes, load256(q + b * kQBlock), bias + b * 8);
    return _mm256_fmadd_ps(_mm256_cvtepi32_ps(s), _mm256_set1_ps(dw[b] * dx[b]), a);
  }
  static float reduce(Acc a0, Acc a1) { return hsum8(_mm256_add_ps(a0, a1)); }
  static float single(const uint8_t*, const int8_t*, const float*, const float*, const int32_t*, int64_t) {
    return 0.0f;
  }
  // The tile layout's product (tiles_avx2.h, defined after quant_impl.h).
  static void tiles(const QMatmulArgs& g);
  static void arrange(int8_t*, const float*, const int32_t* sum, int32_t* bias, int64_t nb) {
    for (int64_t b = 0; b < nb; b++)
      for (int l = 0; l < 8; l++) bias[b * 8 + l] = l == 0 ? -Codes::kOffset * sum[b] : 0;
  }
};

// q4_0: nibbles used unsigned (0..15; 15*127*2 fits s16); the -8 returns as bias -8 * sum(x).
struct Q4Codes {
  static constexpr int kBytes = kQ4Bytes, kOffset = 8;
  static __m256i sums(const uint8_t* blk, __m256i x, const int32_t* bias) {
    const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(blk + 2));
    const __m256i both = _mm256_inserti128_si256(_mm256_castsi128_si256(q), _mm_srli_epi16(q, 4), 1);
    return _mm256_add_epi32(dotU8S8(_mm256_and_si256(both, _mm256_set1_epi8(15)), x), load256(bias));
  }
};

// q8_0: maddubs(|w|, sign(x, w)); |w| <= 128 and |x| <= 127 keep pair sums in s16, no bias.
struct Q8Codes {
  static constexpr int kBytes = kQ8Bytes, kOffset = 0;
  static __m256i sums(const uint8_t* blk, __m256i x, const int32_t*) {
    const __m256i w = load256(blk + 2);
    return dotU8S8(_mm256_sign_epi8(w, w), _mm256_sign_epi8(x, w));
  }
};

using DotQ8 = DotBlocks<Q8Codes>;
using DotQ4 = DotBlocks<Q4Codes>;

}  // namespace xt::avx2

#include "quant/quant_impl.h"

template <class Codes>
void xt::avx2::DotBlocks<Codes>::rowScales(const uint8_t* w, int64_t nb, float* dw) {
  rowScalesScalar<Codes::kBytes>(w, nb, dw);
}
#include "quant/tiles_avx2.h"

template <>
void xt::avx2::DotBlocks<xt::avx2::Q8Codes>::tiles(const QMatmulArgs& g) {
  tiled::qmatmulPacked<QFormat::q8_0>(g);
}
template <>
void xt::avx2::DotBlocks<xt::avx2::Q4Codes>::tiles(const QMatmulArgs& g) {
  tiled::qmatmulPacked<QFormat::q4_0>(g);
}
