// The q8_0 / q4_0 product for several x rows at once (prefill) on AVX-512 VNNI. 16 W rows are
// repacked into a tile where int32 lane l of a register holds four consecutive codes of one W
// row; an x row contributes by broadcasting its own four codes, so vpdpbusd leaves one W row's
// partial dot product per lane and no horizontal reduction is ever needed. Each tile is packed
// once per call and reused by every x row; each broadcast x word feeds 16 W rows.
#pragma once

#include <cstdlib>
#include <cstring>
#include <new>

// Included after quant_impl.h (quantizeQ8Block, parallel).

namespace xt::avx512::tiles {

constexpr int kRows = 16;    // W rows per tile (int32 lanes of a zmm)
constexpr int kXRows = 4;    // x rows per pass over a tile

// Rows 4r..4r+3 are loaded as the four 128-bit chunks of register r, then a 4 x 4 dword
// transpose inside each chunk leaves row 4r + i in lane 4i + r; the map is its own inverse.
constexpr int rowOfLane(int lane) { return 4 * (lane & 3) + (lane >> 2); }

template <QFormat F>
struct Layout {
  static constexpr int kBytes = F == QFormat::q4_0 ? kQ4Bytes : kQ8Bytes;
  static constexpr int kCodeRegs = F == QFormat::q4_0 ? 4 : 8;   // packed zmm per block
  static constexpr int kScales = kCodeRegs * 64;                  // 16 f32 W scales
  static constexpr int kBias = kScales + 64;                      // q8_0: 16 x (-128 * row sum)
  static constexpr int kStride = kBias + (F == QFormat::q8_0 ? 64 : 0);
};

inline __m128i load128(const void* p) { return _mm_loadu_si128(static_cast<const __m128i*>(p)); }
inline __m512i broadcast32(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return _mm512_set1_epi32(v);
}

// The dwords `offset`..`offset`+15 bytes of 16 rows' blocks as four lane-per-row registers.
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
  out[0] = _mm512_unpacklo_epi64(t0, t2);
  out[1] = _mm512_unpackhi_epi64(t0, t2);
  out[2] = _mm512_unpacklo_epi64(t1, t3);
  out[3] = _mm512_unpackhi_epi64(t1, t3);
}

// Packs W rows j0..j0+valid-1 (the rest of the tile reads `zero`, a zeroed block) into `tile`.
template <QFormat F>
void packTile(const uint8_t* w, int64_t rowBytes, int64_t j0, int valid, int64_t nb, const uint8_t* zero,
              uint8_t* tile) {
  using L = Layout<F>;
  const uint8_t* rows[kRows];
  for (int64_t b = 0; b < nb; b++) {
    for (int r = 0; r < kRows; r++) rows[r] = r < valid ? w + (j0 + r) * rowBytes + b * L::kBytes : zero;
    uint8_t* t = tile + b * L::kStride;
    __m512i regs[8];
    transpose16(rows, 2, regs);
    if constexpr (F == QFormat::q8_0) transpose16(rows, 18, regs + 4);
    for (int c = 0; c < L::kCodeRegs; c++) _mm512_storeu_si512(t + 64 * c, regs[c]);
    float* dw = reinterpret_cast<float*>(t + L::kScales);
    for (int l = 0; l < kRows; l++) {
      uint16_t h;
      std::memcpy(&h, rows[rowOfLane(l)], 2);
      dw[l] = _cvtsh_ss(h);
    }
    if constexpr (F == QFormat::q8_0) {  // x is made unsigned (+128): remove 128 * sum(w) again
      __m512i sum = _mm512_setzero_si512();
      for (int c = 0; c < 8; c++) sum = _mm512_dpbusd_epi32(sum, _mm512_set1_epi8(1), regs[c]);
      _mm512_storeu_si512(t + L::kBias, _mm512_mullo_epi32(sum, _mm512_set1_epi32(-128)));
    }
  }
}

// x rows quantized to q8_0 in natural order (q8_0 weights: codes + 128, as u8), their block
// scales, and per block -8 * sum(codes) for q4_0 weights (stored unsigned, 0..15).
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
    if constexpr (F == QFormat::q8_0) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + b * kQBlock),
                          _mm256_xor_si256(codes, _mm256_set1_epi8(static_cast<char>(0x80))));
    } else {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(q + b * kQBlock), codes);
      const __m256i s = _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_set1_epi8(1), codes);
      __m128i h = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
      h = _mm_add_epi32(h, _mm_unpackhi_epi64(h, h));
      xr.corr[row * xr.nb + b] = -8 * _mm_cvtsi128_si32(_mm_add_epi32(h, _mm_shuffle_epi32(h, 1)));
    }
  }
}

// out[r * ldo + l] for R x rows from `row` and the tile's `valid` W rows: per block, each x
// row's int32 dot products (two chains: lower and upper codes) scaled by d_w per lane and d_x.
template <QFormat F, int R>
void tileRows(const uint8_t* tile, const TileX& xr, int64_t row, float* out, int64_t ldo, int valid) {
  using L = Layout<F>;
  const int64_t nb = xr.nb;
  __m512 acc[R];
  for (int r = 0; r < R; r++) acc[r] = _mm512_setzero_ps();
  for (int64_t b = 0; b < nb; b++) {
    const uint8_t* t = tile + b * L::kStride;
    const __m512 dw = _mm512_loadu_ps(t + L::kScales);
    __m512i codes[8];
    if constexpr (F == QFormat::q4_0) {
      const __m512i low = _mm512_set1_epi8(15);
      for (int c = 0; c < 4; c++) {
        const __m512i v = _mm512_loadu_si512(t + 64 * c);
        codes[c] = _mm512_and_si512(v, low);                           // elements 4c..4c+3
        codes[c + 4] = _mm512_and_si512(_mm512_srli_epi16(v, 4), low);  // elements 16+4c..
      }
    } else {
      for (int c = 0; c < 8; c++) codes[c] = _mm512_loadu_si512(t + 64 * c);
    }
#pragma GCC unroll 8
    for (int r = 0; r < R; r++) {
      const int8_t* x = xr.q + ((row + r) * nb + b) * kQBlock;
      __m512i lo, hi;
      if constexpr (F == QFormat::q4_0) {
        lo = _mm512_set1_epi32(xr.corr[(row + r) * nb + b]);
        hi = _mm512_setzero_si512();
        for (int c = 0; c < 4; c++) {
          lo = _mm512_dpbusd_epi32(lo, codes[c], broadcast32(x + 4 * c));
          hi = _mm512_dpbusd_epi32(hi, codes[c + 4], broadcast32(x + 16 + 4 * c));
        }
      } else {
        lo = _mm512_loadu_si512(t + L::kBias);
        hi = _mm512_setzero_si512();
        for (int c = 0; c < 4; c++) {
          lo = _mm512_dpbusd_epi32(lo, broadcast32(x + 4 * c), codes[c]);
          hi = _mm512_dpbusd_epi32(hi, broadcast32(x + 16 + 4 * c), codes[c + 4]);
        }
      }
      const __m512 s = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_add_epi32(lo, hi)), dw);
      acc[r] = _mm512_fmadd_ps(s, _mm512_set1_ps(xr.d[(row + r) * nb + b]), acc[r]);
    }
  }
  const __m512i order = _mm512_set_epi32(rowOfLane(15), rowOfLane(14), rowOfLane(13), rowOfLane(12), rowOfLane(11),
                                         rowOfLane(10), rowOfLane(9), rowOfLane(8), rowOfLane(7), rowOfLane(6),
                                         rowOfLane(5), rowOfLane(4), rowOfLane(3), rowOfLane(2), rowOfLane(1),
                                         rowOfLane(0));
  const __mmask16 keep = static_cast<__mmask16>((1u << valid) - 1);
  for (int r = 0; r < R; r++) _mm512_mask_storeu_ps(out + r * ldo, keep, _mm512_permutexvar_ps(order, acc[r]));
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

template <QFormat F>
void qmatmulTiled(const QMatmulArgs& g) {
  using L = Layout<F>;
  const int64_t nb = g.k / kQBlock, rowBytes = nb * L::kBytes;
  char* mem = static_cast<char*>(std::malloc(static_cast<size_t>(g.m * nb * (kQBlock + 8))));
  if (mem == nullptr) throw std::bad_alloc();
  TileX xr{reinterpret_cast<int8_t*>(mem), nullptr, nullptr, nb};
  xr.d = reinterpret_cast<float*>(mem + g.m * nb * kQBlock);
  xr.corr = reinterpret_cast<int32_t*>(xr.d + g.m * nb);
  parallel(g.m, 4, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) prepareTileRow<F>(g.x + i * g.k, xr, i);
  });
  alignas(64) static constexpr uint8_t zero[kQ8Bytes] = {};
  bool failed = false;  // a worker must not throw: it flags, the calling thread throws
  parallel((g.n + kRows - 1) / kRows, 1, [&](int64_t t0, int64_t t1) {
    uint8_t* tile = static_cast<uint8_t*>(std::aligned_alloc(64, static_cast<size_t>(nb * L::kStride)));
    if (tile == nullptr) return __atomic_store_n(&failed, true, __ATOMIC_RELAXED);
    for (int64_t t = t0; t < t1; t++) {
      const int64_t j0 = t * kRows;
      const int valid = static_cast<int>(g.n - j0 < kRows ? g.n - j0 : kRows);
      packTile<F>(g.w, rowBytes, j0, valid, nb, zero, tile);
      passRows<F>(tile, xr, g.m, g.out + j0, g.n, valid);
    }
    std::free(tile);
  });
  std::free(mem);
  if (failed) throw std::bad_alloc();
}

}  // namespace xt::avx512::tiles
