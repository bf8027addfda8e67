// HNSW insertion (Malkov & Yashunin, Alg. 1 with the Alg. 4 heuristic) and the standalone
// pruning primitive, written once per ISA. Single-threaded and in row order, so a fixed seed
// and insertion order give byte-identical graphs.
#pragma once

#include "graph/beam.h"

namespace xt::XT_ISA {

// Adds `x` to `node`'s list at `level`; a full list is re-pruned over itself plus x.
template <class S>
void link(Walker<S>& w, uint32_t node, uint32_t x, float d, int level, int64_t cap, float alpha,
          std::vector<Scored>& tmp, std::vector<Scored>& kept) {
  uint32_t* l = w.mutableList(node, level);
  const uint32_t count = l[0];
  for (uint32_t j = 0; j < count; j++) if (l[1 + j] == x) return;
  if (int64_t(count) < cap) {
    l[1 + count] = x;
    l[0] = count + 1;
    return;
  }
  tmp.clear();
  tmp.push_back({d, x});
  for (uint32_t j = 0; j < count; j++) tmp.push_back({w.space.between(node, l[1 + j]), l[1 + j]});
  std::sort(tmp.begin(), tmp.end(), ScoredLess{});
  prune(w.space, tmp.data(), int64_t(tmp.size()), cap, alpha, true, kept);
  l[0] = uint32_t(kept.size());
  for (size_t j = 0; j < kept.size(); j++) l[1 + j] = kept[j].id;
}

void hnswInsert(const HnswInsertArgs& a) {
  withSpace(a.g.set, [&](auto space) {
    using S = decltype(space);
    Walker<S> w(space, a.g);
    TopK W(a.efConstruction);
    std::vector<Scored> ent, sorted, kept, tmp;
    for (int64_t xi = a.from; xi < a.to; xi++) {
      const uint32_t x = uint32_t(xi);
      const int lx = a.g.levels ? a.g.levels[x] : 0;
      for (int l = 0; l <= lx; l++) w.mutableList(x, l)[0] = 0;
      int32_t& entry = a.state[0];
      int32_t& maxLevel = a.state[1];
      if (entry < 0) {
        entry = int32_t(x);
        maxLevel = lx;
        continue;
      }
      const auto* q = space.row(x);
      Scored cur{w.dist(q, uint32_t(entry)), uint32_t(entry)};
      if (maxLevel > lx) w.descend(q, cur, maxLevel, lx + 1);
      ent.assign(1, cur);
      for (int level = std::min(lx, maxLevel); level >= 0; level--) {
        w.layer(q, ent.data(), int64_t(ent.size()), a.efConstruction, level, 0.0f, nullptr, W);
        W.take(sorted);
        prune(space, sorted.data(), int64_t(sorted.size()), a.M, a.alpha, true, kept);
        uint32_t* own = w.mutableList(x, level);
        own[0] = uint32_t(kept.size());
        for (size_t j = 0; j < kept.size(); j++) own[1 + j] = kept[j].id;
        const int64_t cap = level == 0 ? a.g.maxDeg : a.g.upperDeg;
        const std::vector<Scored> picked = kept;
        for (const Scored& nb : picked) link(w, nb.id, x, nb.d, level, cap, a.alpha, tmp, kept);
        ent = sorted;
      }
      if (lx > maxLevel) {
        entry = int32_t(x);
        maxLevel = lx;
      }
    }
  });
}

void pruneNeighbors(const PruneArgs& a) {
  withSpace(a.set, [&](auto space) {
    std::vector<Scored> cands(size_t(a.count)), kept;
    for (int64_t i = 0; i < a.count; i++) cands[size_t(i)] = {a.dist[i], a.ids[i]};
    prune(space, cands.data(), a.count, a.maxDeg, a.alpha, a.keepAllBelow, kept);
    for (size_t i = 0; i < kept.size(); i++) a.out[i] = kept[i].id;
    *a.kept = int64_t(kept.size());
  });
}

}  // namespace xt::XT_ISA
