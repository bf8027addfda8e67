// where written once per ISA, shaped like the binary kernel: axes contiguous for all three
// operands merge first; the innermost run is vectorized when cond is dense there and a, b are
// dense or broadcast (a mask of W bytes widened to a lane mask picks a or b), else walked.
#pragma once

#include "select/where.h"
#include "simd/vec.h"

namespace xt::XT_ISA {

typedef uint8_t vmask8 __attribute__((vector_size(W)));

inline vf selectLanes(const uint8_t* c, vf a, vf b) {
  vmask8 m;
  std::memcpy(&m, c, W);
  return __builtin_convertvector(m, vi) != 0 ? a : b;
}

inline void whereRun(const uint8_t* c, int64_t cs, const float* a, int64_t as, const float* b, int64_t bs,
                     float* out, int64_t n) {
  int64_t i = 0;
  if (cs == 1 && (as == 0 || as == 1) && (bs == 0 || bs == 1)) {
    const vf av = splat(*a), bv = splat(*b);
    for (; i + W <= n; i += W) store(out + i, selectLanes(c + i, as ? load(a + i) : av, bs ? load(b + i) : bv));
  }
  for (; i < n; i++) out[i] = c[i * cs] ? a[i * as] : b[i * bs];
}

void where(const WhereArgs& g) {
  int64_t shape[kWhereMaxRank], cs[kWhereMaxRank], as[kWhereMaxRank], bs[kWhereMaxRank];
  int rank = 0;
  for (int d = 0; d < g.rank; d++) {
    if (g.shape[d] == 1) continue;
    const int64_t n = g.shape[d];
    if (rank > 0 && cs[rank - 1] == g.cs[d] * n && as[rank - 1] == g.as[d] * n && bs[rank - 1] == g.bs[d] * n) {
      shape[rank - 1] *= n;
      cs[rank - 1] = g.cs[d], as[rank - 1] = g.as[d], bs[rank - 1] = g.bs[d];
      continue;
    }
    shape[rank] = n, cs[rank] = g.cs[d], as[rank] = g.as[d], bs[rank] = g.bs[d];
    rank++;
  }
  if (rank == 0) {
    g.out[0] = g.cond[0] ? g.a[0] : g.b[0];
    return;
  }
  const int64_t inner = shape[rank - 1];
  int64_t rows = 1;
  for (int d = 0; d < rank - 1; d++) rows *= shape[d];
  parallel(rows, imax(1, 16384 / inner), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      int64_t oc = 0, oa = 0, ob = 0, rest = r;
      for (int d = rank - 2; d >= 0; d--) {
        const int64_t i = rest % shape[d];
        rest /= shape[d];
        oc += i * cs[d], oa += i * as[d], ob += i * bs[d];
      }
      whereRun(g.cond + oc, cs[rank - 1], g.a + oa, as[rank - 1], g.b + ob, bs[rank - 1], g.out + r * inner, inner);
    }
  });
}

}  // namespace xt::XT_ISA
