// Graph routines for approximate nearest-neighbour indexes, over adjacency arrays the caller
// owns: beam search (HNSW SEARCH-LAYER / Vamana GreedySearch) with an epoch-tagged visited set,
// HNSW insertion, neighbour pruning (HNSW heuristic = RobustPrune), NN-Descent and its
// diversified search graph. Distances come from the distance family (distance/dist_simd.h).
#pragma once

#include <cstdint>

#include "core/dispatch.h"
#include "distance/distance.h"

namespace xt {

// Adjacency lists are `count, ids...` rows of fixed capacity. Level 0: n rows of 1 + maxDeg
// u32. Upper levels (HNSW only): node i at level l >= 1 uses the list at
// upperAdj + (upperOff[i] + l - 1) * (1 + upperDeg).
struct GraphView {
  RowSet set;
  int64_t n;
  uint32_t* adj;
  int64_t maxDeg;
  const uint8_t* levels;  // null for single-layer graphs
  const uint32_t* upperOff;
  uint32_t* upperAdj;
  int64_t upperLen;  // elements of upperAdj (the caller keeps offsets within it)
  int64_t upperDeg;
  const uint8_t* deleted;  // bitset, may be null: traversed, never returned
};

struct GraphSearchArgs {
  GraphView g;
  const uint32_t* entries;  // HNSW: entries[0] is the top entry point; others: the entry set
  int64_t nEntries;
  int32_t maxLevel;  // > 0: greedy descent through upper levels first
  const float* queries;
  int64_t nq, dim, k, ef;
  float epsilon;  // keep expanding while d(c) < bound + epsilon * |bound|
  bool greedy;    // plain greedy walk (theory experiments) instead of the beam
  const uint8_t* allow;  // bitset, may be null
  uint32_t* outIds;  // nq x k internal ids, 0xFFFFFFFF when missing
  float* outDist;
  double* trace;  // nq x 3 (hops, distance evaluations, visited), may be null
};

struct HnswInsertArgs {
  GraphView g;
  int64_t from, to;  // rows [from, to) are written and get linked, in order
  int64_t efConstruction, M;
  float alpha;  // pruning slack; 1 = HNSW heuristic
  int32_t* state;  // in/out: [entry (-1 when empty), maxLevel]
};

struct PruneArgs {
  RowSet set;
  const uint32_t* ids;  // candidates sorted by (dist, id) ascending, distances to the centre
  const float* dist;
  int64_t count, maxDeg;
  float alpha;
  bool keepAllBelow;  // hnswlib: fewer than maxDeg candidates are kept without pruning
  uint32_t* out;
  int64_t* kept;
};

struct NNDescentArgs {
  RowSet set;
  int64_t n, K;
  float rho, delta;
  int64_t maxIters;
  uint64_t seed;
  uint32_t* ids;  // out: n x K, ascending by distance
  float* dist;
  int64_t* updates;  // out: maxIters slots, updates per iteration (-1 after the last)
};

struct DiversifyArgs {
  RowSet set;
  int64_t n, K;
  const uint32_t* knnIds;
  const float* knnDist;
  float alpha;
  GraphView out;  // adj n x (1 + maxDeg) is written
};

}  // namespace xt

XT_DECLARE_KERNEL(void, graphSearch, (const ::xt::GraphSearchArgs& args))
XT_DECLARE_KERNEL(void, hnswInsert, (const ::xt::HnswInsertArgs& args))
XT_DECLARE_KERNEL(void, pruneNeighbors, (const ::xt::PruneArgs& args))
XT_DECLARE_KERNEL(void, nnDescent, (const ::xt::NNDescentArgs& args))
XT_DECLARE_KERNEL(void, graphDiversify, (const ::xt::DiversifyArgs& args))
