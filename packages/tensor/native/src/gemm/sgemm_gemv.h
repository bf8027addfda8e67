// Few-row sgemm (m <= 2, e.g. one decoding step). Packing B would cost as much memory traffic
// as the product itself, so B is streamed once, straight from its row-major layout.
#pragma once

#include "gemm/sgemm_pack.h"

namespace xt::XT_ISA {

// c[0:n] = sum_p x[p*xs] * B[p, 0:n] for plain B (row stride ldb), columns [j0, j1).
inline void gemvRows(const float* x, int64_t xs, const float* b, int64_t ldb, float* c, int64_t k,
                     int64_t j0, int64_t j1) {
  for (int64_t j = j0; j < j1; j++) c[j] = 0.0f;
  int64_t p = 0;
  // Four rows of B per pass: one load and one store of c per four fused multiply-adds.
  for (; p + 4 <= k; p += 4) {
    const vf x0 = splat(x[p * xs]), x1 = splat(x[(p + 1) * xs]);
    const vf x2 = splat(x[(p + 2) * xs]), x3 = splat(x[(p + 3) * xs]);
    const float* b0 = b + p * ldb;
    const float* b1 = b0 + ldb;
    const float* b2 = b1 + ldb;
    const float* b3 = b2 + ldb;
    int64_t j = j0;
    for (; j + W <= j1; j += W) {
      vf acc = load(c + j);
      acc += x0 * load(b0 + j) + x1 * load(b1 + j);
      acc += x2 * load(b2 + j) + x3 * load(b3 + j);
      store(c + j, acc);
    }
    for (; j < j1; j++) c[j] += x[p * xs] * b0[j] + x[(p + 1) * xs] * b1[j] + x[(p + 2) * xs] * b2[j] + x[(p + 3) * xs] * b3[j];
  }
  for (; p < k; p++) {
    const float xp = x[p * xs];
    const float* bp = b + p * ldb;
    for (int64_t j = j0; j < j1; j++) c[j] += xp * bp[j];
  }
}

// c[j] = dot(x, B[j, 0:k]) for transposed B (row stride ldb), columns [j0, j1).
inline void gemvDots(const float* x, int64_t xs, const float* b, int64_t ldb, float* c, int64_t k,
                     int64_t j0, int64_t j1) {
  for (int64_t j = j0; j < j1; j++) {
    const float* row = b + j * ldb;
    vf acc0{}, acc1{};
    int64_t p = 0;
    if (xs == 1) {
      for (; p + 2 * W <= k; p += 2 * W) {
        acc0 += load(x + p) * load(row + p);
        acc1 += load(x + p + W) * load(row + p + W);
      }
    }
    float s = hsum(acc0 + acc1);
    for (; p < k; p++) s += x[p * xs] * row[p];
    c[j] = s;
  }
}

// One batch entry of a few-row product, columns split across threads.
inline void gemvBatch(const Mat& a, const float* b, bool transB, float* c, int64_t m, int64_t n, int64_t k) {
  const int64_t grain = transB ? 64 : 256;
  parallel(n, grain, [&](int64_t j0, int64_t j1) {
    for (int64_t i = 0; i < m; i++) {
      const float* x = a.at(i, 0);
      if (transB) gemvDots(x, a.cs, b, k, c + i * n, k, j0, j1);
      else gemvRows(x, a.cs, b, n, c + i * n, k, j0, j1);
    }
  });
}

}  // namespace xt::XT_ISA
