// distanceRows and knnScan written once per ISA over dist_simd.h.
#pragma once

#include <vector>

#include "distance/dist_simd.h"
#include "distance/topk.h"

namespace xt::XT_ISA {

void distanceRows(const DistanceRowsArgs& g) {
  withSpace(g.set, [&](auto space) {
    using Q = typename decltype(space)::Query;
    std::vector<Q> q(size_t(g.set.dimPad));
    space.prepare(g.q, g.dim, q.data());
    for (int64_t j = 0; j < g.count; j++) {
      const uint32_t id = g.ids ? g.ids[j] : uint32_t(j);
      if (g.ids && j + 1 < g.count) space.prefetch(g.ids[j + 1]);
      g.out[j] = space.to(q.data(), id);
    }
  });
}

// Ground-truth distance in double for f32/f16 rows (order-independent to ~1e-16).
template <class Space>
double exactDistance(const Space& space, const float* q, uint32_t id, bool l2) {
  const auto* x = space.row(id);
  double s = 0.0;
  for (int64_t i = 0; i < space.dimPad; i++) {
    double xv;
    if constexpr (std::is_same_v<typename Space::Row, uint16_t>) xv = h2f(x[i]);
    else xv = double(x[i]);
    s += l2 ? (double(q[i]) - xv) * (double(q[i]) - xv) : double(q[i]) * xv;
  }
  return l2 ? s : 1.0 - s;
}

void knnScan(const KnnScanArgs& g) {
  withSpace(g.set, [&](auto space) {
    using S = decltype(space);
    using Q = typename S::Query;
    const int64_t dimPad = g.set.dimPad;
    // Queries are processed in chunks (bounded padded copies); rows in blocks of ~256 KiB, so a
    // block stays in cache while every query of the chunk scans it.
    const int64_t chunk = imax(1, imin(32, (int64_t{1} << 22) / dimPad));
    const int64_t block = imax(1, (int64_t{1} << 18) / g.set.stride);
    const bool useF64 = g.f64 && g.set.type != RowType::I8;
    const bool l2 = g.set.metric == DistMetric::L2;
    parallel((g.nq + chunk - 1) / chunk, 1, [&](int64_t c0, int64_t c1) {
      std::vector<Q> qs(size_t(chunk * dimPad));
      std::vector<float> qf(useF64 ? size_t(chunk * dimPad) : 0);
      std::vector<TopK> heaps(size_t(chunk), TopK(g.k));
      for (int64_t c = c0; c < c1; c++) {
        const int64_t q0 = c * chunk, m = imin(chunk, g.nq - q0);
        for (int64_t t = 0; t < m; t++) {
          const float* src = g.queries + (q0 + t) * g.dim;
          space.prepare(src, g.dim, qs.data() + t * dimPad);
          if (useF64) for (int64_t i = 0; i < dimPad; i++) qf[size_t(t * dimPad + i)] = i < g.dim ? src[i] : 0.0f;
          heaps[size_t(t)].reset(g.k);
        }
        for (int64_t r0 = 0; r0 < g.n; r0 += block) {
          const int64_t r1 = imin(g.n, r0 + block);
          for (int64_t t = 0; t < m; t++) {
            TopK& heap = heaps[size_t(t)];
            const Q* q = qs.data() + t * dimPad;
            for (int64_t r = r0; r < r1; r++) {
              if (g.allow && !((g.allow[r >> 3] >> (r & 7)) & 1)) continue;
              const uint32_t id = uint32_t(r);
              const float d = useF64 ? float(exactDistance(space, qf.data() + t * dimPad, id, l2)) : space.to(q, id);
              heap.push(d, id);
            }
          }
        }
        for (int64_t t = 0; t < m; t++) heaps[size_t(t)].drain(g.outIds + (q0 + t) * g.k, g.outDist + (q0 + t) * g.k, g.k);
      }
    });
  });
}

}  // namespace xt::XT_ISA
