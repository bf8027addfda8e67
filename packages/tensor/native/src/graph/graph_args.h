// Argument parsing shared by the graph bindings: optional typed arrays and the 13 positional
// graph arguments (rows, adjacency, HNSW upper levels, deleted bitset).
#pragma once

#include "core/args.h"
#include "distance/js_rows.h"
#include "graph/graph.h"

namespace xt::js {

template <class T>
inline T* optional(const Napi::CallbackInfo& info, size_t i, const char* k, const char* name, int64_t need, Span<T> (*get)(const Napi::CallbackInfo&, size_t, const char*, const char*)) {
  if (absent(info, i)) return nullptr;
  const auto s = get(info, i, k, name);
  needLength(info.Env(), k, name, s.length, need);
  return s.data;
}

// Parses rows (6 args) then adj, maxDeg, levels?, upperOff?, upperAdj?, upperDeg, deleted? (7 args).
inline GraphView graphView(const Napi::CallbackInfo& info, const char* k) {
  Napi::Env env = info.Env();
  GraphView g{};
  g.set = rowSet(info, 0, k, &g.n);
  const auto adj = u32(info, 6, k, "adj");
  g.maxDeg = integer(info, 7, k, "maxDeg", 1, 1 << 16);
  needLength(env, k, "adj", adj.length, mul(env, k, g.n, 1 + g.maxDeg));
  g.adj = adj.data;
  g.levels = optional<uint8_t>(info, 8, k, "levels", g.n, &u8a);
  g.upperDeg = integer(info, 11, k, "upperDeg", 0, 1 << 16);
  if (g.levels) {
    g.upperOff = optional<uint32_t>(info, 9, k, "upperOff", g.n, &u32);
    const auto up = u32(info, 10, k, "upperAdj");
    g.upperAdj = up.data;
    g.upperLen = up.length;
  }
  g.deleted = optional<uint8_t>(info, 12, k, "deleted", (g.n + 7) / 8, &u8a);
  return g;
}

}  // namespace xt::js
