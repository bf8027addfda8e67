// Register-blocked sgemm micro-kernel: an MR x NR tile of C (NR = 2 vectors) kept in registers
// while walking packed panels of A (MR values per k) and B (NR values per k). Written with GCC
// vector types; each ISA library compiles it to its own width (SSE 6x8, AVX2 6x16, AVX-512 6x32).
#pragma once

#include "simd/vec.h"

namespace xt::XT_ISA {

constexpr int MR = 6;
constexpr int NR = 2 * W;

// C[0:mr, 0:nr] (row stride ldc) = (accumulate ? C : 0) + Ap^T Bp over kc steps.
inline void microKernel(int64_t kc, const float* __restrict ap, const float* __restrict bp,
                        float* __restrict c, int64_t ldc, bool accumulate, int mr, int nr) {
  vf c00{}, c01{}, c10{}, c11{}, c20{}, c21{}, c30{}, c31{}, c40{}, c41{}, c50{}, c51{};
  for (int64_t p = 0; p < kc; p++) {
    const vf b0 = load(bp);
    const vf b1 = load(bp + W);
    vf a;
    a = splat(ap[0]); c00 += a * b0; c01 += a * b1;
    a = splat(ap[1]); c10 += a * b0; c11 += a * b1;
    a = splat(ap[2]); c20 += a * b0; c21 += a * b1;
    a = splat(ap[3]); c30 += a * b0; c31 += a * b1;
    a = splat(ap[4]); c40 += a * b0; c41 += a * b1;
    a = splat(ap[5]); c50 += a * b0; c51 += a * b1;
    ap += MR;
    bp += NR;
  }
  const vf tile[MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
  if (mr == MR && nr == NR) {
    for (int i = 0; i < MR; i++) {
      float* row = c + i * ldc;
      vf lo = tile[i][0], hi = tile[i][1];
      if (accumulate) {
        lo += load(row);
        hi += load(row + W);
      }
      store(row, lo);
      store(row + W, hi);
    }
    return;
  }
  for (int i = 0; i < mr; i++) {
    alignas(64) float tmp[NR];
    store(tmp, tile[i][0]);
    store(tmp + W, tile[i][1]);
    float* row = c + i * ldc;
    for (int j = 0; j < nr; j++) row[j] = accumulate ? row[j] + tmp[j] : tmp[j];
  }
}

}  // namespace xt::XT_ISA
