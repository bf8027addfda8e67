// sgemm driver, written once and compiled per ISA (sgemm_<isa>.cc): blocked GotoBLAS/BLIS loop
// order (N by NC, K by KC, M by MC, then MR x NR register tiles) over packed panels; threads
// take independent (batch, M-range, N-range) tiles of C, each with its own packing buffers.
#pragma once

#include <cstdlib>

#include "gemm/sgemm.h"
#include "gemm/sgemm_gemv.h"
#include "gemm/sgemm_pack.h"

namespace xt::XT_ISA {

// KC x NR of B (16-32 KiB) stays in L1 across a row of tiles; MC x KC of A fits L2.
constexpr int64_t KC = 256;
constexpr int64_t MC = 16 * MR;
constexpr int64_t NC = 4096 / NR * NR;

struct PackBuffers {
  float* a;
  float* b;
  PackBuffers(int64_t n) {
    a = static_cast<float*>(std::aligned_alloc(64, sizeof(float) * MC * KC));
    const int64_t nc = imin(NC, (n + NR - 1) / NR * NR);
    b = static_cast<float*>(std::aligned_alloc(64, sizeof(float) * KC * nc));
  }
  ~PackBuffers() {
    std::free(a);
    std::free(b);
  }
};

// C[i0:i1, j0:j1] = op(A) op(B) restricted to those rows/columns (C row stride ldc = n).
inline void gemmTile(const Mat& a, const Mat& b, float* c, int64_t ldc, int64_t k, int64_t i0, int64_t i1,
                     int64_t j0, int64_t j1, PackBuffers& buf) {
  if (k == 0) {
    for (int64_t i = i0; i < i1; i++)
      for (int64_t j = j0; j < j1; j++) c[i * ldc + j] = 0.0f;
    return;
  }
  for (int64_t jc = j0; jc < j1; jc += NC) {
    const int64_t nc = imin(NC, j1 - jc);
    for (int64_t pc = 0; pc < k; pc += KC) {
      const int64_t kc = imin(KC, k - pc);
      packB(b, pc, kc, jc, nc, buf.b);
      for (int64_t ic = i0; ic < i1; ic += MC) {
        const int64_t mc = imin(MC, i1 - ic);
        packA(a, ic, mc, pc, kc, buf.a);
        for (int64_t jr = 0; jr < nc; jr += NR) {
          const float* bp = buf.b + jr * kc;
          for (int64_t ir = 0; ir < mc; ir += MR) {
            microKernel(kc, buf.a + ir * kc, bp, c + (ic + ir) * ldc + jc + jr, ldc, pc > 0,
                        static_cast<int>(imin(MR, mc - ir)), static_cast<int>(imin(NR, nc - jr)));
          }
        }
      }
    }
  }
}

void sgemm(const SgemmArgs& g) {
  if (g.m == 0 || g.n == 0 || g.batch == 0) return;
  auto viewA = [&](int64_t bi) {
    const float* x = g.a + bi * g.strideA;
    return g.transA ? Mat{x, 1, g.m} : Mat{x, g.k, 1};
  };
  if (g.m <= 2 && g.k > 0) {
    for (int64_t bi = 0; bi < g.batch; bi++)
      gemvBatch(viewA(bi), g.b + bi * g.strideB, g.transB, g.c + bi * g.strideC, g.m, g.n, g.k);
    return;
  }
  // Enough tiles for every thread: split the batch first, then the longer of M and N in whole
  // register tiles.
  const int64_t t = threads();
  int64_t tilesM = 1, tilesN = 1;
  if (g.batch < t) {
    const int64_t want = (t + g.batch - 1) / g.batch;
    const int64_t unitsM = (g.m + MR - 1) / MR, unitsN = (g.n + NR - 1) / NR;
    if (unitsN * NR >= unitsM * MR) tilesN = imin(want, unitsN);
    else tilesM = imin(want, unitsM);
  }
  const int64_t unitsPerM = ((g.m + MR - 1) / MR + tilesM - 1) / tilesM;
  const int64_t unitsPerN = ((g.n + NR - 1) / NR + tilesN - 1) / tilesN;
  const int64_t tasks = g.batch * tilesM * tilesN;
  parallel(tasks, 1, [&](int64_t t0, int64_t t1) {
    PackBuffers buf(imin(g.n, unitsPerN * NR));
    for (int64_t task = t0; task < t1; task++) {
      const int64_t bi = task / (tilesM * tilesN);
      const int64_t tm = (task / tilesN) % tilesM, tn = task % tilesN;
      const int64_t i0 = imin(g.m, tm * unitsPerM * MR), i1 = imin(g.m, i0 + unitsPerM * MR);
      const int64_t j0 = imin(g.n, tn * unitsPerN * NR), j1 = imin(g.n, j0 + unitsPerN * NR);
      if (i0 >= i1 || j0 >= j1) continue;
      const float* bx = g.b + bi * g.strideB;
      const Mat b = g.transB ? Mat{bx, 1, g.k} : Mat{bx, g.n, 1};
      gemmTile(viewA(bi), b, g.c + bi * g.strideC, g.n, g.k, i0, i1, j0, j1, buf);
    }
  });
}

}  // namespace xt::XT_ISA
