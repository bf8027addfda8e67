// graphSearch written once per ISA: optional HNSW descent, then the level-0 beam (or a plain
// greedy walk), for a batch of queries spread over the thread pool.
#pragma once

#include "graph/beam.h"

namespace xt::XT_ISA {

void graphSearch(const GraphSearchArgs& a) {
  withSpace(a.g.set, [&](auto space) {
    using S = decltype(space);
    using Q = typename S::Query;
    parallel(a.nq, 1, [&](int64_t q0, int64_t q1) {
      Walker<S> w(space, a.g);
      // Per-thread scratch, reused across calls: a single query allocates nothing.
      static thread_local std::vector<Q> qbuf;
      static thread_local std::vector<Scored> ent;
      static thread_local TopK W;
      qbuf.resize(size_t(a.g.set.dimPad));
      for (int64_t qi = q0; qi < q1; qi++) {
        const Q* q = qbuf.data();
        space.prepare(a.queries + qi * a.dim, a.dim, qbuf.data());
        w.hops = w.evals = 0;
        w.vis.count = 0;
        ent.clear();
        W.reset(a.ef);
        if (a.g.n > 0 && a.nEntries > 0) {
          if (a.maxLevel > 0) {
            Scored cur{w.dist(q, a.entries[0]), a.entries[0]};
            w.descend(q, cur, a.maxLevel, 1);
            ent.push_back(cur);
          } else {
            for (int64_t e = 0; e < a.nEntries; e++) ent.push_back({w.dist(q, a.entries[e]), a.entries[e]});
          }
          if (a.greedy) {
            Scored start = ent[0];
            for (const Scored& e : ent) if (scoredLess(e, start)) start = e;
            const Scored end = w.greedy(q, start);
            W.push(end.d, end.id);
          } else {
            w.layer(q, ent.data(), int64_t(ent.size()), a.ef, 0, a.epsilon, a.allow, W);
          }
        }
        W.drain(a.outIds + qi * a.k, a.outDist + qi * a.k, a.k);
        if (a.trace) {
          a.trace[qi * 3] = double(w.hops);
          a.trace[qi * 3 + 1] = double(w.evals);
          a.trace[qi * 3 + 2] = double(w.vis.count);
        }
      }
    });
  });
}

}  // namespace xt::XT_ISA
