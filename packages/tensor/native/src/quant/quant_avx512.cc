// AVX-512 (BW/VL/VNNI) build of the quant kernels: two blocks per 512-bit register and vpdpbusd
// (u8 x s8 summed in fours straight into s32). Weights are made unsigned (q4_0 codes as they
// are, q8_0 codes xor 0x80); the offset returns as a per-block bias, -offset * sum(x), prepared
// with the x row, whose codes are also permuted within a pair to match the weight layout.
// GCC 12 reports the deliberately undefined upper lanes inside its own AVX-512 intrinsics.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#define XT_ISA avx512
#include "quant/quant.h"
#include "simd/f16.h"

namespace xt::avx512 {

inline __m128i load128(const void* p) { return _mm_loadu_si128(static_cast<const __m128i*>(p)); }
inline __m256i load256(const void* p) { return _mm256_loadu_si256(static_cast<const __m256i*>(p)); }
inline uint16_t f16At(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return h;
}
inline int32_t hsum8i(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_unpackhi_epi64(s, s));
  return _mm_cvtsi128_si32(_mm_add_epi32(s, _mm_shuffle_epi32(s, 1)));
}

template <class Codes>
struct DotPairs {
  static constexpr int kBytes = Codes::kBytes, kBlocks = 2;
  using Acc = __m512;
  static Acc zero() { return _mm512_setzero_ps(); }
  // 16 block scales per gather (4 bytes at each block start; the f16 is the low half).
  static void rowScales(const uint8_t* w, int64_t nb, float* dw) {
    const __m512i offsets = _mm512_mullo_epi32(_mm512_set_epi32(15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
                                               _mm512_set1_epi32(kBytes));
    int64_t b = 0;
    for (; b + 16 <= nb; b += 16) {
      const __m512i raw = _mm512_i32gather_epi32(offsets, w + b * kBytes, 1);
      _mm512_storeu_ps(dw + b, _mm512_cvtph_ps(_mm512_cvtepi32_epi16(raw)));
    }
    for (; b < nb; b++) dw[b] = _cvtsh_ss(f16At(w + b * kBytes));
  }
  // d_w * d_x of blocks b, b+1 spread over the lanes holding each block's sums.
  static __m512 scales(const float* dw, const float* dx, int64_t b) {
    const __m128 s = _mm_mul_ps(_mm_castpd_ps(_mm_load_sd(reinterpret_cast<const double*>(dw + b))),
                                _mm_castpd_ps(_mm_load_sd(reinterpret_cast<const double*>(dx + b))));
    return _mm512_permutexvar_ps(Codes::lanes(), _mm512_zextps128_ps512(s));
  }
  static Acc step(Acc a, const uint8_t* w, const int8_t* q, const float* dw, const float* dx, const int32_t* bias,
                  int64_t b) {
    const __m512i s = _mm512_dpbusd_epi32(_mm512_loadu_si512(bias + b * 8), Codes::pair(w + b * kBytes),
                                          _mm512_loadu_si512(q + b * kQBlock));
    return _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), scales(dw, dx, b), a);
  }
  static float reduce(Acc a0, Acc a1) { return hsum(static_cast<vf>(_mm512_add_ps(a0, a1))); }
  // A last odd block: natural layout, 256-bit dpbusd, offset removed with the exact sum.
  static float single(const uint8_t* w, const int8_t* q, const float* dw, const float* dx, const int32_t* sum,
                      int64_t b) {
    const __m256i s = _mm256_dpbusd_epi32(_mm256_setzero_si256(), Codes::one(w + b * kBytes), load256(q + b * kQBlock));
    return dw[b] * dx[b] * static_cast<float>(hsum8i(s) - Codes::kOffset * sum[b]);
  }
  // Block A's correction in lane 0, block B's in the first lane of B's sums.
  static void arrange(int8_t* q, const float*, const int32_t* sum, int32_t* bias, int64_t nb) {
    for (int64_t b = 0; b + 1 < nb; b += 2) {
      Codes::permute(q + b * kQBlock);
      for (int l = 0; l < 16; l++) bias[b * 8 + l] = 0;
      bias[b * 8] = -Codes::kOffset * sum[b];
      bias[b * 8 + Codes::kSecondLane] = -Codes::kOffset * sum[b + 1];
    }
  }
};

// q4_0 pair -> [lo(A) lo(B) hi(A) hi(B)] (16 bytes each) with one shift for both blocks; x pairs
// are stored [A0..15 B0..15 A16..31 B16..31] to match, so s32 lanes 0-3 and 8-11 belong to A.
struct Q4Codes {
  static constexpr int kBytes = kQ4Bytes, kOffset = 8, kSecondLane = 4;
  static __m512i pair(const uint8_t* blk) {
    const __m256i t = _mm256_inserti128_si256(_mm256_zextsi128_si256(load128(blk + 2)), load128(blk + kBytes + 2), 1);
    const __m512i z = _mm512_inserti64x4(_mm512_zextsi256_si512(t), _mm256_srli_epi16(t, 4), 1);
    return _mm512_and_si512(z, _mm512_set1_epi8(15));
  }
  static __m256i one(const uint8_t* blk) {
    const __m128i t = load128(blk + 2);
    return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(t, 4), t), _mm256_set1_epi8(15));
  }
  static __m512i lanes() { return _mm512_set_epi32(1, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0); }
  static void permute(int8_t* q) {  // swap A16..31 with B0..15
    int8_t tmp[16];
    std::memcpy(tmp, q + 16, 16);
    std::memcpy(q + 16, q + 32, 16);
    std::memcpy(q + 32, tmp, 16);
  }
};

// q8_0 pair -> [A B] (32 bytes each) xor 0x80, x in natural order: lanes 0-7 A, 8-15 B.
struct Q8Codes {
  static constexpr int kBytes = kQ8Bytes, kOffset = 128, kSecondLane = 8;
  static __m256i one(const uint8_t* blk) {
    return _mm256_xor_si256(load256(blk + 2), _mm256_set1_epi8(static_cast<char>(0x80)));
  }
  static __m512i pair(const uint8_t* blk) {
    const __m512i z = _mm512_inserti64x4(_mm512_zextsi256_si512(load256(blk + 2)), load256(blk + kBytes + 2), 1);
    return _mm512_xor_si512(z, _mm512_set1_epi8(static_cast<char>(0x80)));
  }
  static __m512i lanes() { return _mm512_set_epi32(1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0); }
  static void permute(int8_t*) {}
};

using DotQ8 = DotPairs<Q8Codes>;
using DotQ4 = DotPairs<Q4Codes>;

}  // namespace xt::avx512

#include "quant/quant_impl.h"
