// The quant kernels written once over simd/vec.h and compiled per ISA (quant_<isa>.cc, which
// first defines the integer-dot traits DotQ8 and DotQ4). Quantization follows ggml's reference
// quantize_row_q8_0 / quantize_row_q4_0 exactly, so every ISA and the js backend agree byte for
// byte; qmatmul quantizes x rows to q8_0 as ggml's vec_dot does and sums d_w * d_x * isum.
#pragma once

#include <cstdlib>
#include <new>
#include <type_traits>

#include "quant/quant.h"
#include "simd/f16.h"

namespace xt::XT_ISA {

typedef int8_t vb __attribute__((vector_size(W)));
typedef uint8_t vub __attribute__((vector_size(W)));

inline uint16_t loadU16(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return h;
}
inline vf vtrunc(vf x) { return __builtin_convertvector(__builtin_convertvector(x, vi), vf); }
// roundf (ties away from zero): x - trunc(x) is exact, so compare it with 0.5.
inline vf roundAway(vf x) {
  const vf t = vtrunc(x);
  const vf step = asFloat((asInt(x) & INT32_MIN) | asInt(splat(1.0f)));
  return vabs(x - t) >= splat(0.5f) ? t + step : t;
}
template <class V>
inline V loadBytes(const void* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline float blockAmax(const float* x) {
  vf m = splat(0.0f);
  for (int j = 0; j < kQBlock; j += W) m = vmax(m, vabs(load(x + j)));
  return hmax(m);
}

// d = amax / 127 stored as f16; q = roundf(x * (1/d)) with the unrounded f32 d.
inline void quantizeQ8Block(const float* x, uint8_t* y) {
  const float d = blockAmax(x) / 127.0f;
  const vf id = splat(d != 0.0f ? 1.0f / d : 0.0f);
  const uint16_t h = f2h(d);
  std::memcpy(y, &h, 2);
  for (int j = 0; j < kQBlock; j += W) {
    const vb q = __builtin_convertvector(__builtin_convertvector(roundAway(load(x + j) * id), vi), vb);
    std::memcpy(y + 2 + j, &q, W);
  }
}

// d = max / -8, max the first element of largest magnitude (sign kept); q = min(15, trunc(x/d + 8.5)),
// element j in the low nibble of byte j and element j + 16 in its high nibble.
inline void quantizeQ4Block(const float* x, uint8_t* y) {
  const float amax = blockAmax(x);
  float max = 0.0f;  // an all-zero block keeps +0 (so d = -0), as ggml's loop never assigns it
  if (amax != 0.0f) {
    int j = 0;
    while (__builtin_fabsf(x[j]) != amax) j++;
    max = x[j];
  }
  const float d = max / -8.0f;
  const vf id = splat(d != 0.0f ? 1.0f / d : 0.0f);
  const uint16_t h = f2h(d);
  std::memcpy(y, &h, 2);
  auto code = [&](const float* p) {
    const vf c = vtrunc(unfused(load(p) * id) + splat(8.5f))  /* ggml rounds x * id before adding 8.5 */;
    return __builtin_convertvector(vmax(splat(0.0f), vmin(splat(15.0f), c)), vi);
  };
  for (int j = 0; j < kQBlock / 2; j += W) {
    const vub q = __builtin_convertvector(code(x + j) | (code(x + j + 16) << 4), vub);
    std::memcpy(y + 2 + j, &q, W);
  }
}

void quantizeBlocks(QFormat f, const float* x, uint8_t* y, int64_t blocks) {
  const int bytes = qBlockBytes(f);
  for (int64_t b = 0; b < blocks; b++) {
    if (f == QFormat::q8_0) quantizeQ8Block(x + b * kQBlock, y + b * bytes);
    else quantizeQ4Block(x + b * kQBlock, y + b * bytes);
  }
}

void dequantizeBlocks(QFormat f, const uint8_t* y, float* x, int64_t blocks) {
  for (int64_t b = 0; b < blocks; b++, x += kQBlock) {
    const uint8_t* blk = y + b * qBlockBytes(f);
    const vf d = splat(h2f(loadU16(blk)));
    if (f == QFormat::q8_0) {
      for (int j = 0; j < kQBlock; j += W) store(x + j, __builtin_convertvector(loadBytes<vb>(blk + 2 + j), vf) * d);
      continue;
    }
    for (int j = 0; j < kQBlock / 2; j += W) {
      const vi q = __builtin_convertvector(loadBytes<vub>(blk + 2 + j), vi);
      store(x + j, __builtin_convertvector((q & 15) - 8, vf) * d);
      store(x + j + 16, __builtin_convertvector((q >> 4) - 8, vf) * d);
    }
  }
}

// x rows quantized to q8_0 in the layout the traits' dot product wants: codes (possibly
// rearranged), f32 scales, code sums, and 8 int32 a block for the traits' own per-block data
// (offset biases, or rearranged scales).
struct XRows {
  int8_t* q;
  float* d;
  int32_t* sum;
  int32_t* bias;
  int64_t nb;
};

template <class D>
void prepareRow(const float* x, const XRows& xr, int64_t row) {
  const int64_t nb = xr.nb;
  int8_t* q = xr.q + row * nb * kQBlock;
  uint8_t blk[kQ8Bytes];
  for (int64_t b = 0; b < nb; b++) {
    quantizeQ8Block(x + b * kQBlock, blk);
    xr.d[row * nb + b] = h2f(loadU16(blk));
    std::memcpy(q + b * kQBlock, blk + 2, kQBlock);
    int32_t s = 0;
    for (int j = 0; j < kQBlock; j++) s += static_cast<int8_t>(blk[2 + j]);
    xr.sum[row * nb + b] = s;
  }
  D::arrange(q, xr.d + row * nb, xr.sum + row * nb, xr.bias + row * nb * 8, nb);
}

// The f16 scales of one W row as f32 (traits with a vector gather override this).
template <int Bytes>
void rowScalesScalar(const uint8_t* w, int64_t nb, float* dw) {
  for (int64_t b = 0; b < nb; b++) dw[b] = h2f(loadU16(w + b * Bytes));
}

// Whether the traits fold the blocks after the last full group into the vector accumulator
// (tail(): pairs of blocks; at most one block is left for single()).
template <class D, class = void>
struct HasTail : std::false_type {};
template <class D>
struct HasTail<D, std::void_t<decltype(&D::tail)>> : std::true_type {};

template <class D>
typename D::Acc tailOf(typename D::Acc a, const uint8_t* w, const int8_t* q, const float* dw, const float* dx,
                       const int32_t* bias, int64_t* b, int64_t nb) {
  if constexpr (HasTail<D>::value) {
    a = D::tail(a, w, q, dw, dx, bias, *b, nb);
    *b += (nb - *b) / 2 * 2;
  }
  return a;
}

// Sum over blocks of dw * dx * isum; dw holds the W row's scales as f32, converted once per W
// row and reused by every x row. Two accumulators hide the FMA latency; a block left over when
// the traits take pairs goes through their single-block path.
template <class D>
float dotRow(const uint8_t* w, const float* dw, const XRows& xr, int64_t row) {
  constexpr int G = D::kBlocks;
  const int64_t nb = xr.nb;
  const int8_t* q = xr.q + row * nb * kQBlock;
  const float* dx = xr.d + row * nb;
  const int32_t* bias = xr.bias + row * nb * 8;
  typename D::Acc a0 = D::zero(), a1 = D::zero();
  int64_t b = 0;
  for (; b + 2 * G <= nb; b += 2 * G) {
    a0 = D::step(a0, w, q, dw, dx, bias, b);
    a1 = D::step(a1, w, q, dw, dx, bias, b + G);
  }
  for (; b + G <= nb; b += G) a0 = D::step(a0, w, q, dw, dx, bias, b);
  a1 = tailOf<D>(a1, w, q, dw, dx, bias, &b, nb);
  float s = D::reduce(a0, a1);
  for (; b < nb; b++) s += D::single(w, q, dw, dx, xr.sum + row * nb, b);
  return s;
}

// kRows of the traits: how many x rows their steps() takes at once (1: no steps()).
template <class D, class = void>
struct RowsPerPass {
  static constexpr int value = 1;
};
template <class D>
struct RowsPerPass<D, std::void_t<decltype(D::kRows)>> {
  static constexpr int value = D::kRows;
};

// dotRow for R = D::kRows consecutive x rows from `row` in one pass over the W row, so each W
// block is decoded once per R rows (prefill: m rows against each W row). Per row, the same
// operations in the same order as dotRow, so the results are bit-identical; out[r * stride].
template <class D>
void dotRows(const uint8_t* w, const float* dw, const XRows& xr, int64_t row, float* out, int64_t stride) {
  constexpr int G = D::kBlocks, R = RowsPerPass<D>::value;
  const int64_t nb = xr.nb;
  const int8_t* q = xr.q + row * nb * kQBlock;
  const float* dx = xr.d + row * nb;
  const int32_t* bias = xr.bias + row * nb * 8;
  typename D::Acc a0[R], a1[R];
  for (int r = 0; r < R; r++) a0[r] = a1[r] = D::zero();
  int64_t b = 0;
  for (; b + 2 * G <= nb; b += 2 * G) {
    D::steps(a0, w, q, dw, dx, bias, b, nb);
    D::steps(a1, w, q, dw, dx, bias, b + G, nb);
  }
  for (; b + G <= nb; b += G) D::steps(a0, w, q, dw, dx, bias, b, nb);
  for (int r = 0; r < R; r++) {
    int64_t t = b;
    a1[r] = tailOf<D>(a1[r], w, q + r * nb * kQBlock, dw, dx + r * nb, bias + r * nb * 8, &t, nb);
    float s = D::reduce(a0[r], a1[r]);
    for (; t < nb; t++)
      s += D::single(w, q + r * nb * kQBlock, dw, dx + r * nb, xr.sum + (row + r) * nb, t);
    out[r * stride] = s;
  }
}

// Traits with wide(): an ISA's own product for at least kWideRows x rows (prefill).
template <class D, class = void>
struct HasWide : std::false_type {};
template <class D>
struct HasWide<D, std::void_t<decltype(&D::wide)>> : std::true_type {};

template <class D>
void qmatmulAs(const QMatmulArgs& g) {
  if constexpr (HasWide<D>::value) {
    if (g.m >= D::kWideRows) return D::wide(g);
  }
  const int64_t nb = g.k / kQBlock, rowBytes = nb * D::kBytes;
  // One allocation: codes, then scales, sums and biases (4-byte aligned after the codes).
  char* mem = static_cast<char*>(std::malloc(static_cast<size_t>(g.m * nb * (kQBlock + 4 + 4 + 32))));
  if (mem == nullptr) throw std::bad_alloc();
  XRows xr{reinterpret_cast<int8_t*>(mem), nullptr, nullptr, nullptr, nb};
  xr.d = reinterpret_cast<float*>(mem + g.m * nb * kQBlock);
  xr.sum = reinterpret_cast<int32_t*>(xr.d + g.m * nb);
  xr.bias = xr.sum + g.m * nb;
  parallel(g.m, 4, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) prepareRow<D>(g.x + i * g.k, xr, i);
  });
  // W row outer, x rows inner: each W row is streamed from memory once, then reused from L1.
  bool failed = false;  // a worker must not throw: it flags, the calling thread throws
  parallel(g.n, 16, [&](int64_t j0, int64_t j1) {
    float* dw = static_cast<float*>(std::malloc(static_cast<size_t>(nb + 16) * sizeof(float)));
    if (dw == nullptr) return __atomic_store_n(&failed, true, __ATOMIC_RELAXED);
    for (int64_t j = j0; j < j1; j++) {
      const uint8_t* wr = g.w + j * rowBytes;
      D::rowScales(wr, nb, dw);
      int64_t i = 0;
      if constexpr (RowsPerPass<D>::value > 1) {
        constexpr int R = RowsPerPass<D>::value;
        for (; i + R <= g.m; i += R) dotRows<D>(wr, dw, xr, i, g.out + i * g.n + j, g.n);
      }
      for (; i < g.m; i++) g.out[i * g.n + j] = dotRow<D>(wr, dw, xr, i);
    }
    std::free(dw);
  });
  std::free(mem);
  if (failed) throw std::bad_alloc();
}

// True when every |x| <= limit (NaN is not): a branch-free scan the compiler vectorizes.
bool withinRange(const float* x, int64_t n, float limit) {
  int bad = 0;
  for (int64_t i = 0; i < n; i++) bad |= !(__builtin_fabsf(x[i]) <= limit);
  return bad == 0;
}

// Shapes every product handles alike: nothing to compute, or k = 0 (zeros). True when done.
inline bool trivialProduct(const QMatmulArgs& g) {
  if (g.m != 0 && g.n != 0 && g.k == 0)
    for (int64_t i = 0; i < g.m * g.n; i++) g.out[i] = 0.0f;
  return g.m == 0 || g.n == 0 || g.k == 0;
}

void qmatmul(const QMatmulArgs& g) {
  if (trivialProduct(g)) return;
  if (g.format == QFormat::q8_0) qmatmulAs<DotQ8>(g);
  else qmatmulAs<DotQ4>(g);
}

// Unsigned code of element e of tile row r in the block at t (the tile layout of quant.h).
template <QFormat F>
inline int tileCode(const uint8_t* t, int r, int e) {
  if constexpr (F == QFormat::q8_0) return t[64 * (e / 4) + 4 * r + e % 4];
  const int byte = t[64 * ((e % 16) / 4) + 4 * r + e % 4];
  return e < 16 ? byte & 15 : byte >> 4;
}

// The tile layout read element by element, for ISAs without their own: exact integer dots of
// the unsigned codes, minus offset * sum(x codes), scaled by d_w * d_x and summed over blocks.
template <QFormat F>
void qmatmulTilesPlain(const QMatmulArgs& g) {
  const int64_t nb = g.k / kQBlock, tileBytes = nb * qTileBlockBytes(F);
  int8_t* xq = static_cast<int8_t*>(std::malloc(static_cast<size_t>(g.m * nb * kQ8Bytes)));
  if (xq == nullptr) throw std::bad_alloc();
  quantizeBlocks(QFormat::q8_0, g.x, reinterpret_cast<uint8_t*>(xq), g.m * nb);
  parallel((g.n + kTileRows - 1) / kTileRows, 1, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; t++)
      for (int r = 0; r < kTileRows && t * kTileRows + r < g.n; r++)
        for (int64_t i = 0; i < g.m; i++) {
          float acc = 0.0f;
          for (int64_t b = 0; b < nb; b++) {
            const uint8_t* tb = g.w + t * tileBytes + b * qTileBlockBytes(F);
            const int8_t* xb = xq + (i * nb + b) * kQ8Bytes;
            int32_t isum = 0;
            for (int e = 0; e < kQBlock; e++) isum += (tileCode<F>(tb, r, e) - qTileOffset(F)) * xb[2 + e];
            const float dw = h2f(loadU16(tb + qTileCodeBytes(F) + 2 * r));
            acc += dw * h2f(loadU16(reinterpret_cast<const uint8_t*>(xb))) * static_cast<float>(isum);
          }
          g.out[i * g.n + t * kTileRows + r] = acc;
        }
  });
  std::free(xq);
}

// Traits with tiles(): an ISA's own product over the tile layout.
template <class D, class = void>
struct HasTiles : std::false_type {};
template <class D>
struct HasTiles<D, std::void_t<decltype(&D::tiles)>> : std::true_type {};

template <class D, QFormat F>
void qmatmulTilesAs(const QMatmulArgs& g) {
  if constexpr (HasTiles<D>::value) D::tiles(g);
  else qmatmulTilesPlain<F>(g);
}

void qmatmulTiles(const QMatmulArgs& g) {
  if (trivialProduct(g)) return;
  if (g.format == QFormat::q8_0) qmatmulTilesAs<DotQ8, QFormat::q8_0>(g);
  else qmatmulTilesAs<DotQ4, QFormat::q4_0>(g);
}

}  // namespace xt::XT_ISA
