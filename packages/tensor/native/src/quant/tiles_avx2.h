// The product over W tiles (quant.h) on AVX2 without VNNI: per 8 W rows (one half of a tile
// register row), vpmaddubsw of the codes against four broadcast x codes and vpmaddwd against
// ones leave each row's 4-element dot product in its own int32 lane, as vpdpbusd does on
// AVX-512. q4_0 codes (0..15) go in unsigned; q8_0 codes are flipped back to signed and go in
// through the sign trick, since w + 128 against x would overflow vpmaddubsw's s16 pair sums.
// Included after quant_impl.h (quantizeBlocks, parallel).
#pragma once

#include <cstdlib>
#include <cstring>
#include <new>

namespace xt::avx2::tiled {

inline __m256i broadcast32(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm256_set1_epi32(v);
}

// Sum over one block of W rows 8h..8h+7 against x's block codes, in int32 lanes.
template <QFormat F>
inline __m256i halfDots(const uint8_t* t, int h, const int8_t* x, int32_t corr) {
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i s = _mm256_set1_epi32(corr);
  for (int c = 0; c < qTileCodeBytes(F) / 64; c++) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + 64 * c + 32 * h));
    if constexpr (F == QFormat::q4_0) {
      const __m256i low = _mm256_set1_epi8(15);
      const __m256i lo = _mm256_maddubs_epi16(_mm256_and_si256(v, low), broadcast32(x + 4 * c));
      const __m256i hi = _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(v, 4), low), broadcast32(x + 16 + 4 * c));
      s = _mm256_add_epi32(s, _mm256_madd_epi16(_mm256_add_epi16(lo, hi), ones));  // |lo + hi| <= 4 * 15 * 127
    } else {
      const __m256i w = _mm256_xor_si256(v, _mm256_set1_epi8(static_cast<char>(0x80)));
      const __m256i p = _mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(broadcast32(x + 4 * c), w));
      s = _mm256_add_epi32(s, _mm256_madd_epi16(p, ones));
    }
  }
  return s;
}

template <QFormat F>
void qmatmulPacked(const QMatmulArgs& g) {
  const int64_t nb = g.k / kQBlock, tileBytes = nb * qTileBlockBytes(F);
  // x rows as q8_0 blocks (scale, then 32 codes) and, for q4_0, -8 * sum(codes) per block.
  uint8_t* xq = static_cast<uint8_t*>(std::malloc(static_cast<size_t>(g.m * nb * (kQ8Bytes + 4))));
  if (xq == nullptr) throw std::bad_alloc();
  int32_t* corr = reinterpret_cast<int32_t*>(xq + g.m * nb * kQ8Bytes);
  quantizeBlocks(QFormat::q8_0, g.x, xq, g.m * nb);
  for (int64_t i = 0; i < g.m * nb; i++) {
    int32_t s = 0;
    for (int j = 0; j < kQBlock; j++) s += static_cast<int8_t>(xq[i * kQ8Bytes + 2 + j]);
    corr[i] = F == QFormat::q4_0 ? -8 * s : 0;
  }
  parallel((g.n + kTileRows - 1) / kTileRows, tileGrain(tileBytes, g.m), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; t++) {
      const uint8_t* tile = g.w + t * tileBytes;
      const int64_t left = g.n - t * kTileRows;
      const int valid = static_cast<int>(left < kTileRows ? left : kTileRows);
      for (int64_t i = 0; i < g.m; i++) {
        __m256 acc[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()};
        for (int64_t b = 0; b < nb; b++) {
          const uint8_t* tb = tile + b * qTileBlockBytes(F);
          const uint8_t* xb = xq + (i * nb + b) * kQ8Bytes;
          uint16_t dxBits;
          std::memcpy(&dxBits, xb, 2);
          const __m256 dx = _mm256_set1_ps(_cvtsh_ss(dxBits));
          for (int h = 0; h < 2; h++) {
            const __m128i scales = _mm_loadu_si128(reinterpret_cast<const __m128i*>(tb + qTileCodeBytes(F) + 16 * h));
            const __m256 dw = _mm256_cvtph_ps(scales);
            const __m256i s = halfDots<F>(tb, h, reinterpret_cast<const int8_t*>(xb + 2), corr[i * nb + b]);
            acc[h] = _mm256_fmadd_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(s), dw), dx, acc[h]);
          }
        }
        alignas(32) float row[kTileRows];
        _mm256_store_ps(row, acc[0]);
        _mm256_store_ps(row + 8, acc[1]);
        std::memcpy(g.out + i * g.n + t * kTileRows, row, static_cast<size_t>(valid) * sizeof(float));
      }
    }
  });
  std::free(xq);
}

}  // namespace xt::avx2::tiled
