// Reductions written once per ISA. Sums (sum, sumsq, logsumexp) accumulate in f64 so long rows
// stay accurate to the f32 result; max/min propagate NaN; argmax/argmin return the first index
// of the extreme value, a NaN counting as the extreme (like torch).
#pragma once

#include <cmath>

#include "reduce/reduce.h"
#include "simd/vmath.h"

namespace xt::XT_ISA {

// Contiguous row (inner == 1): explicit vectors.
inline double rowSum(const float* x, int64_t n, bool squares) {
  SumD acc;
  int64_t i = 0;
  for (; i + W <= n; i += W) {
    const vf v = load(x + i);
    squares ? acc.addSquares(v) : acc.add(v);
  }
  double s = acc.total();
  for (; i < n; i++) s += squares ? double(x[i]) * x[i] : double(x[i]);
  return s;
}

inline float rowExtreme(const float* x, int64_t n, bool isMax) {
  const float init = isMax ? -__builtin_inff() : __builtin_inff();
  vf acc = splat(init);
  vi nan{};
  int64_t i = 0;
  for (; i + W <= n; i += W) {
    const vf v = load(x + i);
    nan |= nanMask(v);
    acc = isMax ? vmax(acc, v) : vmin(acc, v);
  }
  float m = init;
  for (int l = 0; l < W; l++) {
    if (nan[l]) return __builtin_nanf("");
    m = isMax ? (acc[l] > m ? acc[l] : m) : (acc[l] < m ? acc[l] : m);
  }
  for (; i < n; i++) {
    if (x[i] != x[i]) return x[i];
    m = isMax ? (x[i] > m ? x[i] : m) : (x[i] < m ? x[i] : m);
  }
  return m;
}

inline float rowLogSumExp(const float* x, int64_t n) {
  const float m = rowExtreme(x, n, true);
  if (m != m || std::isinf(m)) return m;  // NaN, all -inf, or +inf present
  const vf mv = splat(m);
  SumD acc;
  int64_t i = 0;
  for (; i + W <= n; i += W) acc.add(vexp(load(x + i) - mv));
  if (i < n) acc.add(vexp(loadPartial(x + i, n - i, -__builtin_inff()) - mv));
  return static_cast<float>(m + std::log(acc.total()));
}

// Strided column (inner > 1): element p of column j at x[p * inner + j]; GCC vectorizes the
// j-loops, which run over contiguous memory.
constexpr int64_t kCols = 64;

inline void colBlock(int op, const float* x, int64_t len, int64_t inner, int64_t ncols, float* out, int32_t* index) {
  double acc[kCols];
  float best[kCols];
  int32_t arg[kCols];
  const bool wantMax = op == kRMax || op == kArgmax || op == kLogSumExp;
  for (int64_t j = 0; j < ncols; j++) {
    acc[j] = 0.0;
    best[j] = wantMax ? -__builtin_inff() : __builtin_inff();
    arg[j] = 0;
  }
  if (op == kSum || op == kSumSq) {
    for (int64_t p = 0; p < len; p++) {
      const float* row = x + p * inner;
      if (op == kSum) for (int64_t j = 0; j < ncols; j++) acc[j] += row[j];
      else for (int64_t j = 0; j < ncols; j++) acc[j] += double(row[j]) * row[j];
    }
    for (int64_t j = 0; j < ncols; j++) out[j] = static_cast<float>(acc[j]);
    return;
  }
  for (int64_t p = 0; p < len; p++) {
    const float* row = x + p * inner;
    for (int64_t j = 0; j < ncols; j++) {
      const float v = row[j], b = best[j];
      const bool take = b == b && (v != v || (wantMax ? v > b : v < b));
      best[j] = take ? v : b;
      arg[j] = take ? static_cast<int32_t>(p) : arg[j];
    }
  }
  if (op == kArgmax || op == kArgmin) {
    for (int64_t j = 0; j < ncols; j++) index[j] = arg[j];
  } else if (op == kRMax || op == kRMin) {
    for (int64_t j = 0; j < ncols; j++) out[j] = best[j];
  } else {  // logsumexp
    for (int64_t p = 0; p < len; p++) {
      const float* row = x + p * inner;
      for (int64_t j = 0; j < ncols; j++) {
        if (best[j] == best[j] && !std::isinf(best[j])) acc[j] += std::exp(double(row[j]) - best[j]);
      }
    }
    for (int64_t j = 0; j < ncols; j++) {
      const float m = best[j];
      out[j] = (m != m || std::isinf(m)) ? m : static_cast<float>(m + std::log(acc[j]));
    }
  }
}

inline int32_t rowArg(const float* x, int64_t n, bool isMax) {
  float b = x[0];
  int32_t arg = 0;
  for (int64_t i = 1; i < n && b == b; i++) {
    const float v = x[i];
    if (v != v || (isMax ? v > b : v < b)) {
      b = v;
      arg = static_cast<int32_t>(i);
    }
  }
  return arg;
}

void reduce(const ReduceArgs& g) {
  const int op = g.op;
  if (g.inner == 1) {
    parallel(g.outer, imax(1, 8192 / imax(1, g.len)), [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; r++) {
        const float* x = g.x + r * g.len;
        switch (op) {
          case kSum: g.out[r] = static_cast<float>(rowSum(x, g.len, false)); break;
          case kSumSq: g.out[r] = static_cast<float>(rowSum(x, g.len, true)); break;
          case kRMax: g.out[r] = rowExtreme(x, g.len, true); break;
          case kRMin: g.out[r] = rowExtreme(x, g.len, false); break;
          case kArgmax: g.index[r] = rowArg(x, g.len, true); break;
          case kArgmin: g.index[r] = rowArg(x, g.len, false); break;
          default: g.out[r] = rowLogSumExp(x, g.len); break;
        }
      }
    });
    return;
  }
  const int64_t blocks = (g.inner + kCols - 1) / kCols;
  parallel(g.outer * blocks, imax(1, 8192 / imax(1, g.len * kCols)), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; t++) {
      const int64_t o = t / blocks, j0 = (t % blocks) * kCols;
      const int64_t ncols = imin(kCols, g.inner - j0);
      const int64_t at = o * g.inner + j0;
      colBlock(op, g.x + o * g.len * g.inner + j0, g.len, g.inner, ncols, g.out ? g.out + at : nullptr,
               g.index ? g.index + at : nullptr);
    }
  });
}

}  // namespace xt::XT_ISA
