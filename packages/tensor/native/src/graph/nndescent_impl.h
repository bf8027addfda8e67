// NN-Descent (Dong, Charikar, Li 2011) and the diversified search graph built from its kNN lists
// (PyNNDescent style), written once per ISA. Single-threaded and driven by one splitmix64
// stream, so a seed gives the same graph on every machine.
#pragma once

#include "graph/beam.h"

namespace xt::XT_ISA {

struct SplitMix {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  uint32_t below(uint64_t n) { return uint32_t(next() % n); }
};

// Node v's bounded list: a max-heap on (dist, id) of at most K entries with "new" flags.
struct KnnLists {
  int64_t K;
  uint32_t* ids;
  float* dist;
  std::vector<uint8_t> isNew;
  std::vector<uint32_t> size;
  bool worse(int64_t a, int64_t b) const { return scoredLess({dist[b], ids[b]}, {dist[a], ids[a]}); }
  void siftDown(int64_t base, int64_t m, int64_t i) {
    for (;;) {
      int64_t l = 2 * i + 1, big = i;
      if (l < m && worse(base + l, base + big)) big = l;
      if (l + 1 < m && worse(base + l + 1, base + big)) big = l + 1;
      if (big == i) return;
      std::swap(ids[base + i], ids[base + big]);
      std::swap(dist[base + i], dist[base + big]);
      std::swap(isNew[size_t(base + i)], isNew[size_t(base + big)]);
      i = big;
    }
  }
  // Inserts u into v's list unless present or not closer than the worst; returns 1 on change.
  int push(uint32_t v, uint32_t u, float d) {
    const int64_t base = int64_t(v) * K;
    const uint32_t m = size[v];
    if (m == K && !scoredLess({d, u}, {dist[base], ids[base]})) return 0;
    for (uint32_t j = 0; j < m; j++) if (ids[base + j] == u) return 0;
    int64_t i;
    if (m < K) {  // sift up from the end
      i = m;
      size[v] = m + 1;
      ids[base + i] = u, dist[base + i] = d, isNew[size_t(base + i)] = 1;
      while (i > 0 && worse(base + i, base + (i - 1) / 2)) {
        const int64_t p = (i - 1) / 2;
        std::swap(ids[base + i], ids[base + p]);
        std::swap(dist[base + i], dist[base + p]);
        std::swap(isNew[size_t(base + i)], isNew[size_t(base + p)]);
        i = p;
      }
      return 1;
    }
    ids[base] = u, dist[base] = d, isNew[size_t(base)] = 1;
    siftDown(base, K, 0);
    return 1;
  }
};

// Keeps at most `cap` entries of `v` chosen uniformly (partial Fisher-Yates on the stream).
inline void sampleDown(std::vector<uint32_t>& v, int64_t cap, SplitMix& rng) {
  if (int64_t(v.size()) <= cap) return;
  for (int64_t i = 0; i < cap; i++) std::swap(v[size_t(i)], v[size_t(i + rng.below(v.size() - size_t(i)))]);
  v.resize(size_t(cap));
}

void nnDescent(const NNDescentArgs& a) {
  withSpace(a.set, [&](auto space) {
    const int64_t n = a.n, K = a.K;
    SplitMix rng{a.seed};
    KnnLists lists{K, a.ids, a.dist, std::vector<uint8_t>(size_t(n * K), 0), std::vector<uint32_t>(size_t(n), 0)};
    for (int64_t v = 0; v < n; v++) {  // random init: K distinct others (fewer when n is small)
      const int64_t want = std::min<int64_t>(K, n - 1);
      for (int64_t tries = 0; int64_t(lists.size[size_t(v)]) < want && tries < 8 * K + 64; tries++) {
        const uint32_t u = rng.below(uint64_t(n));
        if (u != uint32_t(v)) lists.push(uint32_t(v), u, space.between(uint32_t(v), u));
      }
    }
    const int64_t sampleCap = std::max<int64_t>(1, int64_t(a.rho * float(K)));
    const size_t nn = static_cast<size_t>(n);
    std::vector<std::vector<uint32_t>> oldL(nn), newL(nn), oldR(nn), newR(nn);
    for (int64_t it = 0; it < a.maxIters; it++) a.updates[it] = -1;
    for (int64_t it = 0; it < a.maxIters; it++) {
      for (int64_t v = 0; v < n; v++) {
        oldL[size_t(v)].clear(), newL[size_t(v)].clear(), oldR[size_t(v)].clear(), newR[size_t(v)].clear();
      }
      for (int64_t v = 0; v < n; v++) {
        const int64_t base = v * K;
        std::vector<int64_t> fresh;
        for (uint32_t j = 0; j < lists.size[size_t(v)]; j++) {
          if (lists.isNew[size_t(base + j)]) fresh.push_back(base + j);
          else oldL[size_t(v)].push_back(a.ids[base + j]);
        }
        for (int64_t i = 0; i < int64_t(fresh.size()) && i < sampleCap; i++)
          std::swap(fresh[size_t(i)], fresh[size_t(i + rng.below(fresh.size() - size_t(i)))]);
        if (int64_t(fresh.size()) > sampleCap) fresh.resize(size_t(sampleCap));
        for (int64_t slot : fresh) {
          newL[size_t(v)].push_back(a.ids[slot]);
          lists.isNew[size_t(slot)] = 0;
        }
      }
      for (int64_t v = 0; v < n; v++) {
        for (uint32_t u : oldL[size_t(v)]) oldR[u].push_back(uint32_t(v));
        for (uint32_t u : newL[size_t(v)]) newR[u].push_back(uint32_t(v));
      }
      int64_t c = 0;
      for (int64_t v = 0; v < n; v++) {
        auto& nw = newL[size_t(v)];
        auto& od = oldL[size_t(v)];
        sampleDown(oldR[size_t(v)], sampleCap, rng);
        sampleDown(newR[size_t(v)], sampleCap, rng);
        for (uint32_t u : oldR[size_t(v)]) if (std::find(od.begin(), od.end(), u) == od.end()) od.push_back(u);
        for (uint32_t u : newR[size_t(v)]) if (std::find(nw.begin(), nw.end(), u) == nw.end()) nw.push_back(u);
        for (size_t i = 0; i < nw.size(); i++) {
          const uint32_t u1 = nw[i];
          for (size_t j = i + 1; j < nw.size(); j++) {
            const uint32_t u2 = nw[j];
            if (u1 == u2) continue;
            const float d = space.between(u1, u2);
            c += lists.push(u1, u2, d) + lists.push(u2, u1, d);
          }
          for (uint32_t u2 : od) {
            if (u1 == u2) continue;
            const float d = space.between(u1, u2);
            c += lists.push(u1, u2, d) + lists.push(u2, u1, d);
          }
        }
      }
      a.updates[it] = c;
      if (double(c) < double(a.delta) * double(n) * double(K)) break;
    }
    // Each list ascending by (dist, id); missing slots of tiny sets = 0xFFFFFFFF / +inf.
    std::vector<Scored> row;
    for (int64_t v = 0; v < n; v++) {
      const int64_t base = v * K;
      row.clear();
      for (uint32_t j = 0; j < lists.size[size_t(v)]; j++) row.push_back({a.dist[base + j], a.ids[base + j]});
      std::sort(row.begin(), row.end(), ScoredLess{});
      for (int64_t j = 0; j < K; j++) {
        a.ids[base + j] = j < int64_t(row.size()) ? row[size_t(j)].id : 0xFFFFFFFFu;
        a.dist[base + j] = j < int64_t(row.size()) ? row[size_t(j)].d : __builtin_inff();
      }
    }
  });
}

// Search graph from kNN lists: prune each list, add reverse edges, prune again to maxDeg.
void graphDiversify(const DiversifyArgs& a) {
  withSpace(a.set, [&](auto space) {
    const int64_t n = a.n, K = a.K, cap = a.out.maxDeg;
    std::vector<std::vector<Scored>> lists(static_cast<size_t>(n));
    std::vector<Scored> cands, kept;
    for (int64_t v = 0; v < n; v++) {
      cands.clear();
      for (int64_t j = 0; j < K; j++)
        if (a.knnIds[v * K + j] != 0xFFFFFFFFu) cands.push_back({a.knnDist[v * K + j], a.knnIds[v * K + j]});
      prune(space, cands.data(), int64_t(cands.size()), K, a.alpha, false, kept);
      lists[size_t(v)] = kept;
    }
    std::vector<std::vector<Scored>> merged = lists;
    for (int64_t v = 0; v < n; v++)
      for (const Scored& s : lists[size_t(v)]) merged[s.id].push_back({s.d, uint32_t(v)});
    for (int64_t v = 0; v < n; v++) {
      auto& m = merged[size_t(v)];
      std::sort(m.begin(), m.end(), ScoredLess{});
      m.erase(std::unique(m.begin(), m.end(), [](const Scored& x, const Scored& y) { return x.id == y.id; }), m.end());
      prune(space, m.data(), int64_t(m.size()), cap, a.alpha, true, kept);
      uint32_t* row = a.out.adj + v * (1 + cap);
      row[0] = uint32_t(kept.size());
      for (size_t j = 0; j < kept.size(); j++) row[1 + j] = kept[j].id;
    }
  });
}

}  // namespace xt::XT_ISA
