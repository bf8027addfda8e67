// Packing of op(A) and op(B) blocks into the panel layouts the micro-kernel streams through:
// contiguous, zero-padded to whole panels, transposes resolved here once per block.
#pragma once

#include "gemm/sgemm_micro.h"

namespace xt::XT_ISA {

// Logical view of op(X) for a row-major X: element (r, c) sits at x[r*rs + c*cs].
struct Mat {
  const float* x;
  int64_t rs, cs;
  const float* at(int64_t r, int64_t c) const { return x + r * rs + c * cs; }
};

// op(A)[i0:i0+mc, p0:p0+kc] -> ceil(mc/MR) panels of kc x MR.
inline void packA(const Mat& a, int64_t i0, int64_t mc, int64_t p0, int64_t kc, float* __restrict out) {
  for (int64_t ir = 0; ir < mc; ir += MR) {
    const int64_t rows = imin(MR, mc - ir);
    if (a.cs == 1) {  // rows of A contiguous in k: walk each row, scatter with stride MR
      for (int64_t i = 0; i < rows; i++) {
        const float* src = a.at(i0 + ir + i, p0);
        for (int64_t p = 0; p < kc; p++) out[p * MR + i] = src[p];
      }
    } else {  // transposed A: the MR values of one k are (nearly) contiguous
      for (int64_t p = 0; p < kc; p++) {
        const float* src = a.at(i0 + ir, p0 + p);
        for (int64_t i = 0; i < rows; i++) out[p * MR + i] = src[i * a.rs];
      }
    }
    for (int64_t i = rows; i < MR; i++)
      for (int64_t p = 0; p < kc; p++) out[p * MR + i] = 0.0f;
    out += kc * MR;
  }
}

// op(B)[p0:p0+kc, j0:j0+nc] -> ceil(nc/NR) panels of kc x NR.
inline void packB(const Mat& b, int64_t p0, int64_t kc, int64_t j0, int64_t nc, float* __restrict out) {
  for (int64_t jr = 0; jr < nc; jr += NR) {
    const int64_t cols = imin(NR, nc - jr);
    if (b.cs == 1 && cols == NR) {  // plain B: each k row of the panel is NR contiguous floats
      for (int64_t p = 0; p < kc; p++) {
        const float* src = b.at(p0 + p, j0 + jr);
        store(out + p * NR, load(src));
        store(out + p * NR + W, load(src + W));
      }
    } else if (b.cs == 1) {
      for (int64_t p = 0; p < kc; p++) {
        const float* src = b.at(p0 + p, j0 + jr);
        for (int64_t j = 0; j < NR; j++) out[p * NR + j] = j < cols ? src[j] : 0.0f;
      }
    } else {  // transposed B: each column of the panel is contiguous in k
      for (int64_t j = 0; j < cols; j++) {
        const float* src = b.at(p0, j0 + jr + j);
        for (int64_t p = 0; p < kc; p++) out[p * NR + j] = src[p * b.rs];
      }
      for (int64_t j = cols; j < NR; j++)
        for (int64_t p = 0; p < kc; p++) out[p * NR + j] = 0.0f;
    }
    out += kc * NR;
  }
}

}  // namespace xt::XT_ISA
