// RMSNorm and LayerNorm written once per ISA. Statistics accumulate in f64 (two passes for the
// variance) so long rows keep full f32 accuracy; the scaling pass is f32 vectors.
#pragma once

#include <cmath>

#include "norm/norm.h"
#include "simd/vec.h"

namespace xt::XT_ISA {

inline double sumOf(const float* x, int64_t n, float shift, bool squares) {
  SumD acc;
  const vf s = splat(shift);
  int64_t i = 0;
  for (; i + W <= n; i += W) {
    const vf v = load(x + i) - s;
    squares ? acc.addSquares(v) : acc.add(v);
  }
  double total = acc.total();
  for (; i < n; i++) {
    const double v = double(x[i] - shift);
    total += squares ? v * v : v;
  }
  return total;
}

// out = (x - mean) * scale * w + b, with w/b optional. Prefetches `next` (the following row, or
// null), so a row streamed from DRAM arrives while this one is written.
inline void scaleRow(const float* x, const float* w, const float* b, float* out, int64_t n, float mean, float scale,
                     const float* next) {
  const vf mv = splat(mean), sv = splat(scale);
  int64_t i = 0;
  for (; i + W <= n; i += W) {
    if (next && i % 16 == 0) __builtin_prefetch(next + i);
    vf y = (load(x + i) - mv) * sv;
    if (w) y *= load(w + i);
    if (b) y += load(b + i);
    store(out + i, y);
  }
  for (; i < n; i++) {
    float y = (x[i] - mean) * scale;
    if (w) y *= w[i];
    if (b) y += b[i];
    out[i] = y;
  }
}

void rmsnorm(const NormArgs& g) {
  parallel(g.rows, imax(1, 4096 / imax(1, g.cols)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const float* x = g.x + r * g.cols;
      const float* next = r + 1 < r1 ? x + g.cols : nullptr;
      const double ms = sumOf(x, g.cols, 0.0f, true) / double(g.cols);
      scaleRow(x, g.weight, nullptr, g.out + r * g.cols, g.cols, 0.0f, float(1.0 / std::sqrt(ms + g.eps)),
               next);
    }
  });
}

void layernorm(const NormArgs& g) {
  parallel(g.rows, imax(1, 4096 / imax(1, g.cols)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const float* x = g.x + r * g.cols;
      const float* next = r + 1 < r1 ? x + g.cols : nullptr;
      const float mean = float(sumOf(x, g.cols, 0.0f, false) / double(g.cols));
      const double var = sumOf(x, g.cols, mean, true) / double(g.cols);
      scaleRow(x, g.weight, g.bias, g.out + r * g.cols, g.cols, mean, float(1.0 / std::sqrt(var + g.eps)),
               next);
    }
  });
}

}  // namespace xt::XT_ISA
