// The q8_0 / q4_0 products over W tiles (quant.h: 16 rows, int32 lane l = four consecutive codes
// of row l) on AVX-512 VNNI: an x row contributes by broadcasting its own four codes, so vpdpbusd
// leaves one W row's partial dot product per lane and no horizontal reduction is ever needed.
// qmatmulTiles runs on weights already in the tile layout (decode); wide() packs each tile of
// row-major blocks on the fly and reuses it for every x row (prefill).
// Included after quant_impl.h (quantizeQ8Block, parallel).
#pragma once

#include <cstdlib>
#include <cstring>
#include <new>

namespace xt::avx512::tiled {

constexpr int kXRows = 4;  // x rows per pass over a tile

inline __m128i load128(const void* p) { return _mm_loadu_si128(static_cast<const __m128i*>(p)); }
inline __m512i broadcast32(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm512_set1_epi32(v);
}

// Bytes offset..offset+15 of 16 rows' blocks as four lane-per-row registers (dword c in out[c]):
// rows 4r..4r+3 are the four 128-bit chunks of register r, a 4 x 4 dword transpose inside each
// chunk leaves row 4r + i in lane 4i + r, and a lane permute restores row order.
inline void transpose16(const uint8_t* const* rows, int64_t offset, __m512i* out) {
  __m512i p[4];
  for (int r = 0; r < 4; r++) {
    __m512i v = _mm512_castsi128_si512(load128(rows[4 * r] + offset));
    v = _mm512_inserti32x4(v, load128(rows[4 * r + 1] + offset), 1);
    v = _mm512_inserti32x4(v, load128(rows[4 * r + 2] + offset), 2);
    p[r] = _mm512_inserti32x4(v, load128(rows[4 * r + 3] + offset), 3);
  }
  const __m512i t0 = _mm512_unpacklo_epi32(p[0], p[1]), t1 = _mm512_unpackhi_epi32(p[0], p[1]);
  const __m512i t2 = _mm512_unpacklo_epi32(p[2], p[3]), t3 = _mm512_unpackhi_epi32(p[2], p[3]);
  const __m512i order = _mm512_set_epi32(15, 11, 7, 3, 14, 10, 6, 2, 13, 9, 5, 1, 12, 8, 4, 0);
  out[0] = _mm512_permutexvar_epi32(order, _mm512_unpacklo_epi64(t0, t2));
  out[1] = _mm512_permutexvar_epi32(order, _mm512_unpackhi_epi64(t0, t2));
  out[2] = _mm512_permutexvar_epi32(order, _mm512_unpacklo_epi64(t1, t3));
  out[3] = _mm512_permutexvar_epi32(order, _mm512_unpackhi_epi64(t1, t3));
}

// Packs W rows j0..j0+valid-1 into one tile (the other rows read `zero`, a zeroed block).
template <QFormat F>
void packTile(const uint8_t* w, int64_t rowBytes, int64_t j0, int valid, int64_t nb, const uint8_t* zero,
              uint8_t* tile) {
  constexpr int bytes = qBlockBytes(F), regs = qTileCodeBytes(F) / 64;
  const uint8_t* rows[kTileRows];
  for (int64_t b = 0; b < nb; b++) {
    for (int r = 0; r < kTileRows; r++) rows[r] = r < valid ? w + (j0 + r) * rowBytes + b * bytes : zero;
    uint8_t* t = tile + b * qTileBlockBytes(F);
    __m512i codes[8];
    transpose16(rows, 2, codes);
    if constexpr (F == QFormat::q8_0) transpose16(rows, 18, codes + 4);
    for (int c = 0; c < regs; c++) {
      if constexpr (F == QFormat::q8_0) codes[c] = _mm512_xor_si512(codes[c], _mm512_set1_epi8(static_cast<char>(0x80)));
      _mm512_storeu_si512(t + 64 * c, codes[c]);
    }
    for (int r = 0; r < kTileRows; r++) std::memcpy(t + regs * 64 + 2 * r, rows[r], 2);
  }
}

// x rows quantized to q8_0 (natural order), their block scales and per block -offset * sum(codes),
// the offset the tile adds to W's codes to make them unsigned.
struct TileX {
  int8_t* q;
  float* d;
  int32_t* corr;
  int64_t nb;
};

template <QFormat F>
void prepareTileRow(const float* x, const TileX& xr, int64_t row) {
  uint8_t blk[kQ8Bytes];
  int8_t* q = xr.q + row * xr.nb * kQBlock;
  for (int64_t b = 0; b < xr.nb; b++) {
    quantizeQ8Block(x + b * kQBlock, blk);
    xr.d[row * xr.nb + b] = _cvtsh_ss(static_cast<uint16_t>(blk[0] | blk[1] << 8));
    const __m256i codes = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(blk + 2));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + b * kQBlock), codes);
    const __m256i s = _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_set1_epi8(1), codes);
    __m128i h = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    h = _mm_add_epi32(h, _mm_unpackhi_epi64(h, h));
    xr.corr[row * xr.nb + b] = -qTileOffset(F) * _mm_cvtsi128_si32(_mm_add_epi32(h, _mm_shuffle_epi32(h, 1)));
  }
}

// out[r * ldo + l] for R x rows from `row` and the tile's first `valid` rows: per block, each x
// row's int32 dot products (two chains: lower and upper codes) scaled by d_w per lane and d_x.
template <QFormat F, int R>
void tileRows(const uint8_t* tile, const TileX& xr, int64_t row, float* out, int64_t ldo, int valid) {
  constexpr int regs = qTileCodeBytes(F) / 64;
  const int64_t nb = xr.nb;
  __m512 acc[R];
  for (int r = 0; r < R; r++) acc[r] = _mm512_setzero_ps();
  for (int64_t b = 0; b < nb; b++) {
    const uint8_t* t = tile + b * qTileBlockBytes(F);
    const __m512 dw = _mm512_cvtph_ps(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + regs * 64)));
    __m512i codes[8];  // codes[c]: elements 4c..4c+3 of each row
    if constexpr (F == QFormat::q4_0) {
      const __m512i low = _mm512_set1_epi8(15);
      for (int c = 0; c < 4; c++) {
        const __m512i v = _mm512_loadu_si512(t + 64 * c);
        codes[c] = _mm512_and_si512(v, low);
        codes[c + 4] = _mm512_and_si512(_mm512_srli_epi16(v, 4), low);
      }
    } else {
      for (int c = 0; c < 8; c++) codes[c] = _mm512_loadu_si512(t + 64 * c);
    }
#pragma GCC unroll 8
    for (int r = 0; r < R; r++) {
      const int8_t* x = xr.q + ((row + r) * nb + b) * kQBlock;
      __m512i lo = _mm512_set1_epi32(xr.corr[(row + r) * nb + b]), hi = _mm512_setzero_si512();
      for (int c = 0; c < 4; c++) {
        lo = _mm512_dpbusd_epi32(lo, codes[c], broadcast32(x + 4 * c));
        hi = _mm512_dpbusd_epi32(hi, codes[c + 4], broadcast32(x + 16 + 4 * c));
      }
      const __m512 s = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(lo, hi)), dw);
      acc[r] = _mm512_fmadd_ps(s, _mm512_set1_ps(xr.d[(row + r) * nb + b]), acc[r]);
    }
  }
  const __mmask16 keep = static_cast<__mmask16>((1u << valid) - 1);
  for (int r = 0; r < R; r++) _mm512_mask_storeu_ps(out + r * ldo, keep, acc[r]);
}

template <QFormat F>
void passRows(const uint8_t* tile, const TileX& xr, int64_t m, float* out, int64_t ldo, int valid) {
  int64_t i = 0;
  for (; i + kXRows <= m; i += kXRows) tileRows<F, kXRows>(tile, xr, i, out + i * ldo, ldo, valid);
  switch (m - i) {
    case 3: return tileRows<F, 3>(tile, xr, i, out + i * ldo, ldo, valid);
    case 2: return tileRows<F, 2>(tile, xr, i, out + i * ldo, ldo, valid);
    case 1: return tileRows<F, 1>(tile, xr, i, out + i * ldo, ldo, valid);
    default: return;
  }
}

// Quantizes the x rows, then runs `tiles(t0, t1, xr)` over ranges of tiles on the pool.
template <QFormat F, class Tiles>
void withTileX(const QMatmulArgs& g, int64_t grain, Tiles&& tiles) {
  const int64_t nb = g.k / kQBlock;
  char* mem = static_cast<char*>(std::malloc(static_cast<size_t>(g.m * nb * (kQBlock + 8))));
  if (mem == nullptr) throw std::bad_alloc();
  TileX xr{reinterpret_cast<int8_t*>(mem), nullptr, nullptr, nb};
  xr.d = reinterpret_cast<float*>(mem + g.m * nb * kQBlock);
  xr.corr = reinterpret_cast<int32_t*>(xr.d + g.m * nb);
  parallel(g.m, 4, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) prepareTileRow<F>(g.x + i * g.k, xr, i);
  });
  bool failed = false;  // a worker must not throw: it flags, the calling thread throws
  parallel((g.n + kTileRows - 1) / kTileRows, grain, [&](int64_t t0, int64_t t1) {
    if (!tiles(t0, t1, xr)) __atomic_store_n(&failed, true, __ATOMIC_RELAXED);
  });
  std::free(mem);
  if (failed) throw std::bad_alloc();
}

inline int tileRowsAt(const QMatmulArgs& g, int64_t t) {
  const int64_t left = g.n - t * kTileRows;
  return static_cast<int>(left < kTileRows ? left : kTileRows);
}

// g.w holds row-major blocks: each tile is packed once into a scratch buffer, then used by all x rows.
template <QFormat F>
void qmatmulPacking(const QMatmulArgs& g) {
  const int64_t nb = g.k / kQBlock;
  alignas(64) static constexpr uint8_t zero[kQ8Bytes] = {};
  withTileX<F>(g, 1, [&](int64_t t0, int64_t t1, const TileX& xr) {
    uint8_t* tile = static_cast<uint8_t*>(std::malloc(static_cast<size_t>(nb * qTileBlockBytes(F))));
    if (tile == nullptr) return false;
    for (int64_t t = t0; t < t1; t++) {
      const int valid = tileRowsAt(g, t);
      packTile<F>(g.w, nb * qBlockBytes(F), t * kTileRows, valid, nb, zero, tile);
      passRows<F>(tile, xr, g.m, g.out + t * kTileRows, g.n, valid);
    }
    std::free(tile);
    return true;
  });
}

// g.w already holds tiles (quant.h).
template <QFormat F>
void qmatmulPacked(const QMatmulArgs& g) {
  const int64_t tileBytes = g.k / kQBlock * qTileBlockBytes(F);
  withTileX<F>(g, tileGrain(tileBytes, g.m), [&](int64_t t0, int64_t t1, const TileX& xr) {
    for (int64_t t = t0; t < t1; t++)
      passRows<F>(g.w + t * tileBytes, xr, g.m, g.out + t * kTileRows, g.n, tileRowsAt(g, t));
    return true;
  });
}

}  // namespace xt::avx512::tiled
