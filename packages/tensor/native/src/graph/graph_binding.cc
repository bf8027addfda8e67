// JS entries of the graph family (contract: src/backend/kernels.ts, Graph*Kernel types).
// Graph arrays are owned by the caller (an index); lengths are checked here on every call,
// list contents are trusted (indexes validate them once when a file is opened).
#include <deque>

#include "core/args.h"
#include "core/bindings.h"
#include "distance/js_rows.h"
#include "graph/graph.h"
#include "graph/graph_args.h"

namespace {

using namespace xt::js;
constexpr int64_t kMax = int64_t{1} << 40;

// graphSearch(graph (13), entries, maxLevel, queries, nq, dim, k, ef, epsilon, greedy, allow?, outIds, outDist, trace?)
Napi::Value GraphSearch(const Napi::CallbackInfo& info) {
  constexpr const char* K = "graphSearch";
  Napi::Env env = info.Env();
  xt::GraphSearchArgs a{};
  a.g = graphView(info, K);
  const auto entries = u32(info, 13, K, "entries");
  for (int64_t i = 0; i < entries.length; i++)
    if (int64_t(entries.data[i]) >= a.g.n) throwRange(env, "graphSearch: entries[" + std::to_string(i) + "] is out of range");
  a.entries = entries.data;
  a.nEntries = entries.length;
  a.maxLevel = int32_t(integer(info, 14, K, "maxLevel", 0, 255));
  if (a.maxLevel > 0 && !a.g.levels) throwRange(env, "graphSearch: maxLevel > 0 needs levels");
  const auto queries = f32a(info, 15, K, "queries");
  a.nq = integer(info, 16, K, "nq", 0, kMax);
  a.dim = integer(info, 17, K, "dim", 1, a.g.set.dimPad);
  needLength(env, K, "queries", queries.length, mul(env, K, a.nq, a.dim));
  a.queries = queries.data;
  a.k = integer(info, 18, K, "k", 1, 1 << 24);
  a.ef = std::max(a.k, integer(info, 19, K, "ef", 1, 1 << 24));
  a.epsilon = float(number(info, 20, K, "epsilon"));
  a.greedy = boolean(info, 21, K, "greedy");
  a.allow = optional<uint8_t>(info, 22, K, "allow", (a.g.n + 7) / 8, &u8a);
  const auto ids = u32(info, 23, K, "outIds");
  const auto dist = f32a(info, 24, K, "outDist");
  needLength(env, K, "outIds", ids.length, mul(env, K, a.nq, a.k));
  needLength(env, K, "outDist", dist.length, mul(env, K, a.nq, a.k));
  a.outIds = ids.data;
  a.outDist = dist.data;
  a.trace = optional<double>(info, 25, K, "trace", a.nq * 3, &f64);
  if (a.nq > 0) XT_SELECT(graphSearch)(a);
  return env.Undefined();
}

// hnswInsert(graph (13), from, to, efConstruction, M, alpha, state)
Napi::Value HnswInsert(const Napi::CallbackInfo& info) {
  constexpr const char* K = "hnswInsert";
  Napi::Env env = info.Env();
  xt::HnswInsertArgs a{};
  a.g = graphView(info, K);
  a.from = integer(info, 13, K, "from", 0, a.g.n);
  a.to = integer(info, 14, K, "to", a.from, a.g.n);
  a.efConstruction = integer(info, 15, K, "efConstruction", 1, 1 << 20);
  a.M = integer(info, 16, K, "M", 1, a.g.maxDeg);
  a.alpha = float(number(info, 17, K, "alpha"));
  const auto state = i32(info, 18, K, "state");
  needLength(env, K, "state", state.length, 2);
  if (state.data[0] >= a.g.n || (state.data[0] >= 0 && state.data[1] > 0 && !a.g.levels)) throwRange(env, "hnswInsert: bad state");
  for (int64_t i = a.from; i < a.to && a.g.levels; i++) {
    if (a.g.levels[i] > 0 && a.g.upperDeg < 1) throwRange(env, "hnswInsert: upper levels need upperDeg >= 1");
    if (a.g.levels[i] > 0 && (int64_t(a.g.upperOff[i]) + a.g.levels[i]) * (1 + a.g.upperDeg) > a.g.upperLen)
      throwRange(env, "hnswInsert: upper lists of row " + std::to_string(i) + " exceed upperAdj");
  }
  a.state = state.data;
  if (a.to > a.from) XT_SELECT(hnswInsert)(a);
  return env.Undefined();
}

// pruneNeighbors(rows (6), ids, dist, maxDeg, alpha, keepAllBelow, out) -> kept
Napi::Value PruneNeighbors(const Napi::CallbackInfo& info) {
  constexpr const char* K = "pruneNeighbors";
  Napi::Env env = info.Env();
  xt::PruneArgs a{};
  int64_t n = 0;
  a.set = rowSet(info, 0, K, &n);
  const auto ids = u32(info, 6, K, "ids");
  const auto dist = f32a(info, 7, K, "dist");
  needLength(env, K, "dist", dist.length, ids.length);
  for (int64_t i = 0; i < ids.length; i++)
    if (int64_t(ids.data[i]) >= n) throwRange(env, "pruneNeighbors: ids[" + std::to_string(i) + "] is out of range");
  a.ids = ids.data;
  a.dist = dist.data;
  a.count = ids.length;
  a.maxDeg = integer(info, 8, K, "maxDeg", 0, 1 << 20);
  a.alpha = float(number(info, 9, K, "alpha"));
  a.keepAllBelow = boolean(info, 10, K, "keepAllBelow");
  const auto out = u32(info, 11, K, "out");
  needLength(env, K, "out", out.length, std::min(a.count, a.maxDeg));
  a.out = out.data;
  int64_t kept = 0;
  a.kept = &kept;
  XT_SELECT(pruneNeighbors)(a);
  return Napi::Number::New(env, double(kept));
}

// nnDescent(rows (6), K, rho, delta, maxIters, seed, outIds, outDist, updates: Float64Array)
Napi::Value NNDescent(const Napi::CallbackInfo& info) {
  constexpr const char* K = "nnDescent";
  Napi::Env env = info.Env();
  xt::NNDescentArgs a{};
  a.set = rowSet(info, 0, K, &a.n);
  a.K = integer(info, 6, K, "K", 1, 1024);
  a.rho = float(number(info, 7, K, "rho"));
  a.delta = float(number(info, 8, K, "delta"));
  a.maxIters = integer(info, 9, K, "maxIters", 0, 1000);
  a.seed = uint64_t(integer(info, 10, K, "seed", 0, (int64_t{1} << 53)));
  if (!(a.rho > 0.0f && a.rho <= 1.0f)) throwRange(env, "nnDescent: rho must be in (0, 1]");
  const auto ids = u32(info, 11, K, "outIds");
  const auto dist = f32a(info, 12, K, "outDist");
  needLength(env, K, "outIds", ids.length, mul(env, K, a.n, a.K));
  needLength(env, K, "outDist", dist.length, mul(env, K, a.n, a.K));
  const auto updates = f64(info, 13, K, "updates");
  needLength(env, K, "updates", updates.length, a.maxIters);
  std::vector<int64_t> counts(size_t(a.maxIters) + 1);
  a.ids = ids.data;
  a.dist = dist.data;
  a.updates = counts.data();
  if (a.n > 0) XT_SELECT(nnDescent)(a);
  for (int64_t i = 0; i < a.maxIters; i++) updates.data[i] = a.n > 0 ? double(counts[size_t(i)]) : -1.0;
  return env.Undefined();
}

// graphDiversify(rows (6), K, knnIds, knnDist, alpha, adj, maxDeg)
Napi::Value GraphDiversify(const Napi::CallbackInfo& info) {
  constexpr const char* K = "graphDiversify";
  Napi::Env env = info.Env();
  xt::DiversifyArgs a{};
  a.set = rowSet(info, 0, K, &a.n);
  a.K = integer(info, 6, K, "K", 1, 1024);
  const auto ids = u32(info, 7, K, "knnIds");
  const auto dist = f32a(info, 8, K, "knnDist");
  needLength(env, K, "knnIds", ids.length, mul(env, K, a.n, a.K));
  needLength(env, K, "knnDist", dist.length, mul(env, K, a.n, a.K));
  for (int64_t i = 0; i < a.n * a.K; i++)
    if (ids.data[i] != 0xFFFFFFFFu && int64_t(ids.data[i]) >= a.n) throwRange(env, "graphDiversify: knnIds has an out-of-range id");
  a.knnIds = ids.data;
  a.knnDist = dist.data;
  a.alpha = float(number(info, 9, K, "alpha"));
  const auto adj = u32(info, 10, K, "adj");
  a.out.maxDeg = integer(info, 11, K, "maxDeg", 1, 1 << 16);
  needLength(env, K, "adj", adj.length, mul(env, K, a.n, 1 + a.out.maxDeg));
  a.out.adj = adj.data;
  if (a.n > 0) XT_SELECT(graphDiversify)(a);
  return env.Undefined();
}

// graphReach(adj, maxDeg, n, entries, outMask: Uint8Array n) -> nodes reached by BFS on level 0.
Napi::Value GraphReach(const Napi::CallbackInfo& info) {
  constexpr const char* K = "graphReach";
  Napi::Env env = info.Env();
  const auto adj = u32(info, 0, K, "adj");
  const int64_t maxDeg = integer(info, 1, K, "maxDeg", 1, 1 << 16);
  const int64_t n = integer(info, 2, K, "n", 0, 0xFFFFFFFELL);
  needLength(env, K, "adj", adj.length, mul(env, K, n, 1 + maxDeg));
  const auto entries = u32(info, 3, K, "entries");
  const auto mask = u8a(info, 4, K, "outMask");
  needLength(env, K, "outMask", mask.length, n);
  std::fill(mask.data, mask.data + n, uint8_t{0});
  std::deque<uint32_t> queue;
  int64_t reached = 0;
  for (int64_t i = 0; i < entries.length; i++) {
    const uint32_t e = entries.data[i];
    if (int64_t(e) < n && !mask.data[e]) mask.data[e] = 1, reached++, queue.push_back(e);
  }
  while (!queue.empty()) {
    const uint32_t v = queue.front();
    queue.pop_front();
    const uint32_t* l = adj.data + int64_t(v) * (1 + maxDeg);
    const uint32_t count = std::min<uint32_t>(l[0], uint32_t(maxDeg));
    for (uint32_t j = 0; j < count; j++) {
      const uint32_t u = l[1 + j];
      if (int64_t(u) < n && !mask.data[u]) mask.data[u] = 1, reached++, queue.push_back(u);
    }
  }
  return Napi::Number::New(env, double(reached));
}

}  // namespace

XT_BINDING(graph) {
  exports.Set("graphSearch", Napi::Function::New(env, GraphSearch, "graphSearch"));
  exports.Set("hnswInsert", Napi::Function::New(env, HnswInsert, "hnswInsert"));
  exports.Set("pruneNeighbors", Napi::Function::New(env, PruneNeighbors, "pruneNeighbors"));
  exports.Set("nnDescent", Napi::Function::New(env, NNDescent, "nnDescent"));
  exports.Set("graphDiversify", Napi::Function::New(env, GraphDiversify, "graphDiversify"));
  exports.Set("graphReach", Napi::Function::New(env, GraphReach, "graphReach"));
}
