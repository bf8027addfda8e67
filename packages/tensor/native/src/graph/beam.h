// The per-ISA search core shared by search, HNSW insertion and Vamana-style builds: an
// epoch-tagged visited set, greedy descent through HNSW upper levels, and the beam search of
// one layer. Header-only inside namespace xt::<isa> (see simd/vec.h for why).
#pragma once

#include <algorithm>
#include <vector>

#include "distance/dist_simd.h"
#include "distance/topk.h"
#include "graph/graph.h"

namespace xt::XT_ISA {

// Node i is visited when tag[i] == epoch; a new query bumps the epoch (clearing on wrap), so
// nothing is zeroed per query. One per thread.
struct Visited {
  std::vector<uint16_t> tag;
  uint16_t epoch = 0;
  int64_t count = 0;
  void next(int64_t n) {
    if (int64_t(tag.size()) < n) tag.resize(size_t(n), 0);
    if (++epoch == 0) {
      std::fill(tag.begin(), tag.end(), uint16_t{0});
      epoch = 1;
    }
    count = 0;
  }
  // Marks i; returns true when it was already visited.
  bool mark(uint32_t i) {
    if (tag[i] == epoch) return true;
    tag[i] = epoch;
    count++;
    return false;
  }
};

inline Visited& threadVisited() {
  static thread_local Visited v;
  return v;
}

inline std::vector<Scored>& threadCandidates() {
  static thread_local std::vector<Scored> c;
  return c;
}

inline bool bit(const uint8_t* set, uint32_t i) { return (set[i >> 3] >> (i & 7)) & 1; }
struct MinFirst {  // heap order of a min-heap, as a function object so it inlines
  bool operator()(const Scored& a, const Scored& b) const { return scoredLess(b, a); }
};
inline float slack(float bound, float eps) { return eps == 0.0f ? bound : bound + eps * std::fabs(bound); }

template <class S>
struct Walker {
  const S& space;
  const GraphView& g;
  Visited& vis;
  int64_t hops = 0, evals = 0;
  std::vector<Scored>& cand;  // per-thread, reused across calls

  Walker(const S& s, const GraphView& view) : space(s), g(view), vis(threadVisited()), cand(threadCandidates()) {}

  const uint32_t* list(uint32_t i, int level) const {
    if (level == 0) return g.adj + int64_t(i) * (1 + g.maxDeg);
    return g.upperAdj + (int64_t(g.upperOff[i]) + level - 1) * (1 + g.upperDeg);
  }
  void prefetchList(uint32_t i, int level) const {
    const char* p = reinterpret_cast<const char*>(list(i, level));
    const int64_t bytes = 4 * (1 + (level == 0 ? g.maxDeg : g.upperDeg));
    for (int64_t o = 0; o < bytes && o < 192; o += 64) __builtin_prefetch(p + o);
  }
  uint32_t* mutableList(uint32_t i, int level) const { return const_cast<uint32_t*>(list(i, level)); }

  template <class Q>
  float dist(const Q* q, uint32_t i) {
    evals++;
    return space.to(q, i);
  }

  // Greedy descent (ef = 1) through levels top..bottom (both >= 1).
  template <class Q>
  void descend(const Q* q, Scored& cur, int top, int bottom) {
    for (int level = top; level >= bottom; level--) {
      for (bool moved = true; moved;) {
        moved = false;
        const uint32_t* l = list(cur.id, level);
        hops++;
        for (uint32_t j = 0; j < l[0]; j++) {
          const uint32_t u = l[1 + j];
          const float d = dist(q, u);
          if (d < cur.d) {
            cur = {d, u};
            moved = true;
          }
        }
      }
    }
  }

  // Beam search of one layer from `entries` (distances known). W keeps the ef best admissible
  // nodes (not deleted, allowed by the filter); every node is traversed.
  template <class Q>
  void layer(const Q* q, const Scored* entries, int64_t nEntries, int64_t ef, int level, float eps,
             const uint8_t* allow, TopK& W) {
    vis.next(g.n);
    cand.clear();
    W.reset(ef);
    auto admissible = [&](uint32_t i) {
      return (!allow || bit(allow, i)) && (!g.deleted || !bit(g.deleted, i));
    };
    for (int64_t e = 0; e < nEntries; e++) {
      if (vis.mark(entries[e].id)) continue;
      cand.push_back(entries[e]);
      std::push_heap(cand.begin(), cand.end(), MinFirst{});
      if (admissible(entries[e].id)) W.push(entries[e].d, entries[e].id);
    }
    while (!cand.empty()) {
      std::pop_heap(cand.begin(), cand.end(), MinFirst{});
      const Scored c = cand.back();
      cand.pop_back();
      if (W.full() && c.d > slack(W.worst().d, eps)) break;
      hops++;
      // The next candidate's list is likely read next: start loading it now (hnswlib does too).
      if (!cand.empty()) prefetchList(cand.front().id, level);
      const uint32_t* l = list(c.id, level);
      const uint32_t count = l[0];
      // Fetch every unvisited neighbour's row before computing any distance: the loads overlap
      // instead of each distance waiting for its own cache miss.
      for (uint32_t j = 0; j < count; j++)
        if (vis.tag[l[1 + j]] != vis.epoch) space.prefetch(l[1 + j]);
      for (uint32_t j = 0; j < count; j++) {
        const uint32_t u = l[1 + j];
        if (vis.mark(u)) continue;
        const float d = dist(q, u);
        if (!W.full() || d < slack(W.worst().d, eps)) {
          cand.push_back({d, u});
          std::push_heap(cand.begin(), cand.end(), MinFirst{});
          if (admissible(u)) W.push(d, u);
        }
      }
    }
  }

  // Plain greedy routing on level 0: move to the best neighbour while it improves.
  template <class Q>
  Scored greedy(const Q* q, Scored cur) {
    vis.next(g.n);
    vis.mark(cur.id);
    for (bool moved = true; moved;) {
      moved = false;
      hops++;
      const uint32_t* l = list(cur.id, 0);
      Scored best = cur;
      for (uint32_t j = 0; j < l[0]; j++) {
        const uint32_t u = l[1 + j];
        if (vis.mark(u)) continue;
        const float d = dist(q, u);
        if (scoredLess({d, u}, best)) best = {d, u};
      }
      if (best.id != cur.id) {
        cur = best;
        moved = true;
      }
    }
    return cur;
  }
};

// Keeps, in order, candidates not dominated by an already kept one: c is dropped when
// alpha^2 * d(c, r) < d(centre, c) for a kept r (alpha on true distances, ours are squared or
// half-squared). alpha = 1 is hnswlib's getNeighborsByHeuristic2. `cands` is sorted ascending.
template <class S>
inline void prune(const S& space, const Scored* cands, int64_t count, int64_t maxDeg, float alpha,
                  bool keepAllBelow, std::vector<Scored>& kept) {
  kept.clear();
  if (keepAllBelow && count < maxDeg) {
    kept.assign(cands, cands + count);
    return;
  }
  const float a2 = alpha * alpha;
  for (int64_t i = 0; i < count && int64_t(kept.size()) < maxDeg; i++) {
    const Scored c = cands[i];
    bool good = true;
    for (const Scored& r : kept) {
      if (r.id == c.id || a2 * space.between(c.id, r.id) < c.d) {
        good = false;
        break;
      }
    }
    if (good) kept.push_back(c);
  }
}

}  // namespace xt::XT_ISA
