// Cross-entropy written once per ISA: per row the max, then sum exp(x - max) with f32 vector exp
// and f64 lane sums, loss = max + log(sum) - x[target]; the gradient writes exp(x - max) first
// and scales it by weight / sum in a second pass, then subtracts weight at the target.
#pragma once

#include <cmath>

#include "loss/loss.h"
#include "simd/vmath.h"

namespace xt::XT_ISA {

inline float rowMax(const float* x, int64_t n) {
  vf m = splat(-__builtin_inff());
  int64_t j = 0;
  for (; j + W <= n; j += W) m = vmax(m, load(x + j));
  float r = hmax(m);
  for (; j < n; j++) r = x[j] > r ? x[j] : r;
  return r;
}

// sum_j exp(x_j - max), storing the exponentials into `e` when it is not null.
inline double expSum(const float* x, int64_t n, float max, float* e) {
  const vf mv = splat(max);
  SumD acc;
  int64_t j = 0;
  for (; j + W <= n; j += W) {
    const vf v = vexp(load(x + j) - mv);
    if (e) store(e + j, v);
    acc.add(v);
  }
  if (j < n) {
    const vf v = vexp(loadPartial(x + j, n - j, -__builtin_inff()) - mv);
    if (e) storePartial(e + j, v, n - j);
    acc.add(v);
  }
  return acc.total();
}

void crossEntropyForward(const CrossEntropyArgs& g) {
  parallel(g.rows, imax(1, 8192 / imax(1, g.vocab)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const int64_t t = g.targets[r];
      if (t == g.ignoreIndex) {
        g.out[r] = 0.0f;
        continue;
      }
      const float* x = g.logits + r * g.vocab;
      const float max = rowMax(x, g.vocab);
      // A row holding +inf or NaN has a NaN loss (max - x[t] or the sum is NaN), as in js.
      const double lse = static_cast<double>(max) + std::log(expSum(x, g.vocab, max, nullptr));
      g.out[r] = static_cast<float>(lse - static_cast<double>(x[t]));
    }
  });
}

void crossEntropyBackward(const CrossEntropyArgs& g) {
  parallel(g.rows, imax(1, 8192 / imax(1, g.vocab)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      float* out = g.out + r * g.vocab;
      const int64_t t = g.targets[r];
      const float w = g.weights[r];
      if (t == g.ignoreIndex) {
        for (int64_t j = 0; j < g.vocab; j++) out[j] = 0.0f;
        continue;
      }
      const float* x = g.logits + r * g.vocab;
      const float max = rowMax(x, g.vocab);
      const vf scale = splat(static_cast<float>(static_cast<double>(w) / expSum(x, g.vocab, max, out)));
      int64_t j = 0;
      for (; j + W <= g.vocab; j += W) store(out + j, load(out + j) * scale);
      for (; j < g.vocab; j++) out[j] *= scale[0];
      out[t] -= w;
    }
  });
}

}  // namespace xt::XT_ISA
