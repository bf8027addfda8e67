// AVX-512 (BW/VL/VNNI) build of the quant kernels, built on vpdpbusd (u8 x s8 summed in fours
// straight into s32). q8_0: two blocks per 512-bit register, codes made unsigned (xor 0x80) and
// the offset returned as a per-block bias, -128 * sum(x), prepared with the x row. q4_0: groups of
// 16 blocks reduced to one int32 lane per block (Q4Groups), with x codes rearranged to match.
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
  // step() for kRows x rows at once (row r's data at q + r * nb * kQBlock, dx + r * nb, bias +
  // r * nb * 8): the pair and its d_w are loaded once; each row's result is bit-identical to step().
  static constexpr int kRows = 4;
  static void steps(Acc* a, const uint8_t* w, const int8_t* q, const float* dw, const float* dx, const int32_t* bias,
                    int64_t b, int64_t nb) {
    const __m512i wp = Codes::pair(w + b * kBytes);
    const __m128 d = _mm_castpd_ps(_mm_load_sd(reinterpret_cast<const double*>(dw + b)));
#pragma GCC unroll 4
    for (int r = 0; r < kRows; r++) {
      const __m512i s = _mm512_dpbusd_epi32(_mm512_loadu_si512(bias + (r * nb + b) * 8), wp,
                                            _mm512_loadu_si512(q + (r * nb + b) * kQBlock));
      const __m128 ds = _mm_mul_ps(d, _mm_castpd_ps(_mm_load_sd(reinterpret_cast<const double*>(dx + r * nb + b))));
      a[r] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), _mm512_permutexvar_ps(Codes::lanes(), _mm512_zextps128_ps512(ds)),
                             a[r]);
    }
  }
  // A shuffle tree: vec.h's hsum adds the 16 lanes one by one, a fifth of the time at m = 1.
  static float reduce(Acc a0, Acc a1) { return _mm512_reduce_add_ps(_mm512_add_ps(a0, a1)); }
  // From kWideRows x rows on, tiles packed on the fly; tiles(): the tile layout (both defined
  // after quant_impl.h, in terms of tiles_avx512.h).
  static constexpr int kWideRows = 2;
  static void wide(const QMatmulArgs& g);
  static void tiles(const QMatmulArgs& g);
  // A last odd block: natural layout, 256-bit dpbusd, offset removed with the exact sum.
  static float single(const uint8_t* w, const int8_t* q, const float* dw, const float* dx, const int32_t* sum,
                      int64_t b) {
    const __m256i s = _mm256_dpbusd_epi32(_mm256_setzero_si256(), Codes::one(w + b * kBytes), load256(q + b * kQBlock));
    return dw[b] * dx[b] * static_cast<float>(hsum8i(s) - Codes::kOffset * sum[b]);
  }
  // Block A's correction in lane 0, block B's in the first lane of B's sums.
  static void arrange(int8_t*, const float*, const int32_t* sum, int32_t* bias, int64_t nb) {
    for (int64_t b = 0; b + 1 < nb; b += 2) {
      for (int l = 0; l < 16; l++) bias[b * 8 + l] = 0;
      bias[b * 8] = -Codes::kOffset * sum[b];
      bias[b * 8 + Codes::kSecondLane] = -Codes::kOffset * sum[b + 1];
    }
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
};

// q4_0 in groups of 16 blocks (288 bytes), the m = 1 hot path. Per 4 blocks, one zmm holds their
// 16-byte nibble runs; both nibbles are used as 16 * code (lo shifted up, hi masked in place: 0..240
// fits u8) so two dpbusd against x codes arranged [lo A B C D][hi A B C D] give 16 * sum(w x)
// with block c in 128-bit chunk c. Two unpack levels then reduce the four zmm to one int32 per
// block, so the offset (-8 * sum x), int -> float and both scales cost one instruction per 16
// blocks instead of one per block pair. Lane l holds block 4 * (l % 4) + l / 4. The 16 f16 scales
// come from word permutes of the group's bytes: on Zen 4 a 16-lane gather cost a third of the time.
struct Q4Groups {
  static constexpr int kBytes = kQ4Bytes, kBlocks = 16;
  using Acc = __m512;
  static constexpr int block(int lane) { return 4 * (lane & 3) + (lane >> 2); }
  // Word index of lane l's scale within source window `win` (0: bytes 0-127, 1: 128-255,
  // 2: bytes 224-287 as one zmm), or -1 when another window holds it.
  static constexpr int word(int lane, int win) {
    const int w = 9 * block(lane);
    if (win == 0) return w < 64 ? w : -1;
    if (win == 1) return w >= 64 && w < 128 ? w - 64 : -1;
    return w >= 128 ? w - 112 : -1;
  }
  struct Tables {
    alignas(64) int16_t idx[3][32];
    __mmask32 mask[3];
  };
  static constexpr Tables tables() {
    Tables t{};
    for (int win = 0; win < 3; win++)
      for (int l = 0; l < 16; l++) {
        const int w = word(l, win);
        t.idx[win][l] = static_cast<int16_t>(w < 0 ? 0 : w);
        if (w >= 0) t.mask[win] |= __mmask32{1} << l;
      }
    return t;
  }
  static Acc zero() { return _mm512_setzero_ps(); }
  static __m256i scales16(const uint8_t* g) {
    static constexpr Tables t = tables();
    const __m512i lo = _mm512_permutex2var_epi16(_mm512_loadu_si512(g), _mm512_load_si512(t.idx[0]),
                                                 _mm512_loadu_si512(g + 64));
    const __m512i mid = _mm512_permutex2var_epi16(_mm512_loadu_si512(g + 128), _mm512_load_si512(t.idx[1]),
                                                  _mm512_loadu_si512(g + 192));
    const __m512i hi = _mm512_permutexvar_epi16(_mm512_load_si512(t.idx[2]), _mm512_loadu_si512(g + 224));
    return _mm512_castsi512_si256(_mm512_mask_mov_epi16(_mm512_mask_mov_epi16(lo, t.mask[1], mid), t.mask[2], hi));
  }
  // 16 * sum(w x) of blocks 4p..4p+3, one block per 128-bit chunk.
  static __m512i quad(const uint8_t* g, const int8_t* x) {
    const uint8_t* n = g + 2;
    __m512i v = _mm512_castsi128_si512(load128(n));
    v = _mm512_inserti32x4(v, load128(n + kBytes), 1);
    v = _mm512_inserti32x4(v, load128(n + 2 * kBytes), 2);
    v = _mm512_inserti32x4(v, load128(n + 3 * kBytes), 3);
    const __m512i high = _mm512_set1_epi8(static_cast<char>(0xF0));
    const __m512i s = _mm512_dpbusd_epi32(_mm512_setzero_si512(), _mm512_and_si512(_mm512_slli_epi16(v, 4), high),
                                          _mm512_loadu_si512(x));
    return _mm512_dpbusd_epi32(s, _mm512_and_si512(v, high), _mm512_loadu_si512(x + 64));
  }
  // step() for kRows x rows at once (row r's codes at q + r * nb * kQBlock, its data at bias +
  // r * nb * 8): the group's nibbles and scales are decoded once and reused by every row; each
  // row's result is bit-identical to step().
  static constexpr int kRows = 4;
  static void steps(Acc* a, const uint8_t* w, const int8_t* q, const float*, const float*, const int32_t* bias,
                    int64_t b, int64_t nb) {
    const uint8_t* g = w + b * kBytes;
    const __m512i high = _mm512_set1_epi8(static_cast<char>(0xF0));
    __m512i lo[4], hi[4];
#pragma GCC unroll 4
    for (int p = 0; p < 4; p++) {
      const uint8_t* n = g + 4 * p * kBytes + 2;
      __m512i v = _mm512_castsi128_si512(load128(n));
      v = _mm512_inserti32x4(v, load128(n + kBytes), 1);
      v = _mm512_inserti32x4(v, load128(n + 2 * kBytes), 2);
      v = _mm512_inserti32x4(v, load128(n + 3 * kBytes), 3);
      lo[p] = _mm512_and_si512(_mm512_slli_epi16(v, 4), high);
      hi[p] = _mm512_and_si512(v, high);
    }
    const __m512 sc = _mm512_cvtph_ps(scales16(g));
#pragma GCC unroll 4
    for (int r = 0; r < kRows; r++) {
      const int8_t* x = q + (r * nb + b) * kQBlock;
      __m512i s[4];
#pragma GCC unroll 4
      for (int p = 0; p < 4; p++)
        s[p] = _mm512_dpbusd_epi32(_mm512_dpbusd_epi32(_mm512_setzero_si512(), lo[p], _mm512_loadu_si512(x + 128 * p)),
                                   hi[p], _mm512_loadu_si512(x + 128 * p + 64));
      const __m512i a01 = _mm512_add_epi32(_mm512_unpacklo_epi32(s[0], s[1]), _mm512_unpackhi_epi32(s[0], s[1]));
      const __m512i a23 = _mm512_add_epi32(_mm512_unpacklo_epi32(s[2], s[3]), _mm512_unpackhi_epi32(s[2], s[3]));
      const __m512i sum = _mm512_add_epi32(_mm512_unpacklo_epi64(a01, a23), _mm512_unpackhi_epi64(a01, a23));
      const int32_t* gx = bias + (r * nb + b) * 8;
      const __m512i isum = _mm512_sub_epi32(sum, _mm512_loadu_si512(gx));
      const __m512 xs = _mm512_mul_ps(_mm512_cvtepi32_ps(isum), _mm512_loadu_ps(reinterpret_cast<const float*>(gx + 16)));
      a[r] = _mm512_fmadd_ps(sc, xs, a[r]);
    }
  }
  static Acc step(Acc a, const uint8_t* w, const int8_t* q, const float*, const float*, const int32_t* bias,
                  int64_t b) {
    const uint8_t* g = w + b * kBytes;
    const int8_t* x = q + b * kQBlock;
    const __m512i s0 = quad(g, x), s1 = quad(g + 4 * kBytes, x + 128);
    const __m512i s2 = quad(g + 8 * kBytes, x + 256), s3 = quad(g + 12 * kBytes, x + 384);
    const __m512i a01 = _mm512_add_epi32(_mm512_unpacklo_epi32(s0, s1), _mm512_unpackhi_epi32(s0, s1));
    const __m512i a23 = _mm512_add_epi32(_mm512_unpacklo_epi32(s2, s3), _mm512_unpackhi_epi32(s2, s3));
    const __m512i sum = _mm512_add_epi32(_mm512_unpacklo_epi64(a01, a23), _mm512_unpackhi_epi64(a01, a23));
    const int32_t* gx = bias + b * 8;  // 16 x (16 * 8 * sum x), then 16 x (d_x / 16) as f32 bits
    const __m512i isum = _mm512_sub_epi32(sum, _mm512_loadu_si512(gx));  // exact: |.| < 2^21
    const __m512 xs = _mm512_mul_ps(_mm512_cvtepi32_ps(isum), _mm512_loadu_ps(reinterpret_cast<const float*>(gx + 16)));
    return _mm512_fmadd_ps(_mm512_cvtph_ps(scales16(g)), xs, a);
  }
  // A shuffle tree: vec.h's hsum adds the 16 lanes one by one, a fifth of the time at m = 1.
  static float reduce(Acc a0, Acc a1) { return _mm512_reduce_add_ps(_mm512_add_ps(a0, a1)); }
  static constexpr int kWideRows = 2;  // as DotPairs
  static void wide(const QMatmulArgs& g);
  static void tiles(const QMatmulArgs& g);
  // A block left after the last full group and the tail pairs: natural layout, 256-bit dpbusd.
  static void rowScales(const uint8_t* w, int64_t nb, float* dw) {
    for (int64_t b = nb / kBlocks * kBlocks; b < nb; b++) dw[b] = _cvtsh_ss(f16At(w + b * kBytes));
  }
  static float single(const uint8_t* w, const int8_t* q, const float* dw, const float* dx, const int32_t* sum,
                      int64_t b) {
    const __m128i t = load128(w + b * kBytes + 2);
    const __m256i u = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(t, 4), t), _mm256_set1_epi8(15));
    const __m256i s = _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, load256(q + b * kQBlock));
    return dw[b] * dx[b] * static_cast<float>(hsum8i(s) - 8 * sum[b]);
  }
  // Pairs of blocks after the last full group (k = 576 leaves 2 of 18): natural layout, nibbles
  // widened to [lo A, hi A, lo B, hi B] bytes, one 512-bit dpbusd onto the pair's offset bias
  // (exact integers), scaled per half into the vector accumulator, so the horizontal sum happens
  // once per row instead of once per block.
  static Acc tail(Acc a, const uint8_t* w, const int8_t* q, const float* dw, const float* dx, const int32_t* bias,
                  int64_t b, int64_t nb) {
    const __m256i low = _mm256_set1_epi8(15);
    for (; b + 2 <= nb; b += 2) {
      const __m128i ta = load128(w + b * kBytes + 2), tb = load128(w + (b + 1) * kBytes + 2);
      const __m256i ua = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(ta, 4), ta), low);
      const __m256i ub = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(tb, 4), tb), low);
      const __m512i s = _mm512_dpbusd_epi32(_mm512_loadu_si512(bias + b * 8),
                                            _mm512_inserti64x4(_mm512_castsi256_si512(ua), ub, 1),
                                            _mm512_loadu_si512(q + b * kQBlock));
      const __m512 sc = _mm512_insertf32x8(_mm512_set1_ps(dw[b] * dx[b]), _mm256_set1_ps(dw[b + 1] * dx[b + 1]), 1);
      a = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s), sc, a);
    }
    return a;
  }
  static void arrange(int8_t* q, const float* dx, const int32_t* sum, int32_t* bias, int64_t nb) {
    for (int64_t b = nb / kBlocks * kBlocks; b + 1 < nb; b += 2) {  // tail pairs (see tail())
      for (int l = 0; l < 16; l++) bias[b * 8 + l] = 0;
      bias[b * 8] = -8 * sum[b];
      bias[b * 8 + 8] = -8 * sum[b + 1];
    }
    int8_t tmp[kBlocks * kQBlock];
    for (int64_t b0 = 0; b0 + kBlocks <= nb; b0 += kBlocks) {
      int8_t* g = q + b0 * kQBlock;
      std::memcpy(tmp, g, sizeof tmp);
      for (int blk = 0; blk < kBlocks; blk++) {  // block 4p + c: lo half at 128p + 16c, hi at +64
        int8_t* dst = g + 128 * (blk / 4) + 16 * (blk % 4);
        std::memcpy(dst, tmp + blk * kQBlock, 16);
        std::memcpy(dst + 64, tmp + blk * kQBlock + 16, 16);
      }
      int32_t* gx = bias + b0 * 8;
      for (int l = 0; l < 16; l++) {
        const int64_t blk = b0 + block(l);
        gx[l] = 128 * sum[blk];
        const float d = dx[blk] * (1.0f / 16);
        std::memcpy(gx + 16 + l, &d, 4);
      }
    }
  }
};

using DotQ8 = DotPairs<Q8Codes>;
using DotQ4 = Q4Groups;

}  // namespace xt::avx512

#include "quant/quant_impl.h"
#include "quant/tiles_avx512.h"

template <>
void xt::avx512::DotPairs<xt::avx512::Q8Codes>::wide(const QMatmulArgs& g) {
  tiled::qmatmulPacking<QFormat::q8_0>(g);
}
template <>
void xt::avx512::DotPairs<xt::avx512::Q8Codes>::tiles(const QMatmulArgs& g) {
  tiled::qmatmulPacked<QFormat::q8_0>(g);
}
void xt::avx512::Q4Groups::wide(const QMatmulArgs& g) { tiled::qmatmulPacking<QFormat::q4_0>(g); }
void xt::avx512::Q4Groups::tiles(const QMatmulArgs& g) { tiled::qmatmulPacked<QFormat::q4_0>(g); }
