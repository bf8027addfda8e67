// Row softmax / log-softmax written once per ISA: max, vector exp of the shifted row (kept in
// `out`), an f64 sum, then one scaling pass. Rows split across threads.
#pragma once

#include <cmath>

#include "norm/norm.h"
#include "simd/vmath.h"

namespace xt::XT_ISA {

inline float rowMax(const float* x, int64_t n) {
  vf acc = splat(-__builtin_inff());
  int64_t i = 0;
  for (; i + W <= n; i += W) acc = vmax(acc, load(x + i));
  float m = hmax(acc);
  for (; i < n; i++) m = x[i] > m ? x[i] : m;
  return m;
}

inline void softmaxRow(const float* x, float* out, int64_t n, bool logOut) {
  const float m = rowMax(x, n);
  const vf mv = splat(m);
  vd acc{};
  int64_t i = 0;
  for (; i + W <= n; i += W) {
    const vf e = vexp(load(x + i) - mv);
    acc += widen(e);
    if (!logOut) store(out + i, e);
  }
  if (i < n) {
    const vf e = vexp(loadPartial(x + i, n - i, -__builtin_inff()) - mv);
    acc += widen(e);
    if (!logOut) storePartial(out + i, e, n - i);
  }
  const double sum = hsumd(acc);
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
    for (int64_t r = r0; r < r1; r++) softmaxRow(x + r * cols, out + r * cols, cols, logOut);
  });
}

}  // namespace xt::XT_ISA
