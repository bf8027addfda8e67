// Row softmax / log-softmax written once per ISA: max, vector exp of the shifted row (kept in
// `out`) with an f64 sum, then one scaling pass. Rows split across threads.
#pragma once

#include <cmath>

#include "norm/norm.h"
#include "simd/vmath.h"

namespace xt::XT_ISA {

// Four accumulators: vmax latency, not the loads, would bound a single chain.
inline float rowMax(const float* x, int64_t n) {
  vf m0 = splat(-__builtin_inff()), m1 = m0, m2 = m0, m3 = m0;
  int64_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W) {
    m0 = vmax(m0, load(x + i));
    m1 = vmax(m1, load(x + i + W));
    m2 = vmax(m2, load(x + i + 2 * W));
    m3 = vmax(m3, load(x + i + 3 * W));
  }
  for (; i + W <= n; i += W) m0 = vmax(m0, load(x + i));
  float m = hmax(vmax(vmax(m0, m1), vmax(m2, m3)));
  for (; i < n; i++) m = x[i] > m ? x[i] : m;
  return m;
}

// `next` (the following row, or null) is prefetched during the exp pass, so a row streamed from
// DRAM arrives while this one computes.
inline void softmaxRow(const float* x, float* out, int64_t n, bool logOut, const float* next) {
  const float m = rowMax(x, n);
  const vf mv = splat(m);
  SumD acc;
  int64_t i = 0;
  // Two vectors per step, added in f32 (one rounding) before the f64 widening.
  for (; i + 2 * W <= n; i += 2 * W) {
    if (next)
      for (int k = 0; k < 2 * W; k += 16) __builtin_prefetch(next + i + k);
    const vf e0 = vexp(load(x + i) - mv), e1 = vexp(load(x + i + W) - mv);
    if (!logOut) store(out + i, e0), store(out + i + W, e1);
    acc.add(e0 + e1);
  }
  for (; i + W <= n; i += W) {
    const vf e = vexp(load(x + i) - mv);
    if (!logOut) store(out + i, e);
    acc.add(e);
  }
  if (i < n) {
    const vf e = vexp(loadPartial(x + i, n - i, -__builtin_inff()) - mv);
    acc.add(e);
    if (!logOut) storePartial(out + i, e, n - i);
  }
  const double sum = acc.total();
  if (logOut) {
    const vf shift = splat(static_cast<float>(m + std::log(sum)));
    for (i = 0; i + W <= n; i += W) store(out + i, load(x + i) - shift);
    for (; i < n; i++) out[i] = x[i] - shift[0];
  } else {
    const vf inv = splat(static_cast<float>(1.0 / sum));
    for (i = 0; i + W <= n; i += W) store(out + i, load(out + i) * inv);
    for (; i < n; i++) out[i] *= inv[0];
  }
}

void softmax(const float* x, float* out, int64_t rows, int64_t cols, bool logOut) {
  parallel(rows, imax(1, 4096 / imax(1, cols)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++)
      softmaxRow(x + r * cols, out + r * cols, cols, logOut, r + 1 < r1 ? x + (r + 1) * cols : nullptr);
  });
}

}  // namespace xt::XT_ISA
