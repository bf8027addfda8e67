// A graph search bound once: the graph arrays, entry set and label map are parsed and kept
// alive (napi references) by a handle, so a single query passes only its vector, k, ef and the
// output arrays. Per-call argument parsing was ~2 us of a ~10 us query at d = 8.
#include <vector>

#include "core/args.h"
#include "core/bindings.h"
#include "graph/graph_args.h"

namespace {

using namespace xt::js;

struct Searcher {
  xt::GraphSearchArgs a{};
  const uint32_t* labels = nullptr;  // internal id -> label, may be null (ids are returned)
  std::vector<napi_ref> refs;        // keep the arrays alive while the handle lives
};

void keep(Napi::Env env, Searcher* s, const Napi::CallbackInfo& info, size_t i) {
  if (absent(info, i)) return;
  napi_ref ref;
  if (napi_create_reference(env, info[i], 1, &ref) == napi_ok) s->refs.push_back(ref);
}

// graphSearcher(graph (13), entries, maxLevel, dim, labels?) -> handle
Napi::Value GraphSearcher(const Napi::CallbackInfo& info) {
  constexpr const char* K = "graphSearcher";
  Napi::Env env = info.Env();
  auto* s = new Searcher();
  try {
    xt::GraphSearchArgs& a = s->a;
    a.g = graphView(info, K);
    const auto entries = u32(info, 13, K, "entries");
    for (int64_t i = 0; i < entries.length; i++)
      if (int64_t(entries.data[i]) >= a.g.n) throwRange(env, "graphSearcher: entries[" + std::to_string(i) + "] is out of range");
    a.entries = entries.data;
    a.nEntries = entries.length;
    a.maxLevel = int32_t(integer(info, 14, K, "maxLevel", 0, 255));
    if (a.maxLevel > 0 && !a.g.levels) throwRange(env, "graphSearcher: maxLevel > 0 needs levels");
    a.dim = integer(info, 15, K, "dim", 1, a.g.set.dimPad);
    s->labels = optional<uint32_t>(info, 16, K, "labels", a.g.n, &u32);
  } catch (...) {
    delete s;
    throw;
  }
  for (size_t i : {size_t(0), size_t(6), size_t(8), size_t(9), size_t(10), size_t(12), size_t(13), size_t(16)}) keep(env, s, info, i);
  return Napi::External<Searcher>::New(env, s, [](Napi::Env env, Searcher* p) {
    for (napi_ref r : p->refs) napi_delete_reference(env, r);
    delete p;
  });
}

// graphSearchOne(handle, query, k, ef, epsilon, outLabels, outDist) -> found (<= k)
Napi::Value GraphSearchOne(const Napi::CallbackInfo& info) {
  constexpr const char* K = "graphSearchOne";
  Napi::Env env = info.Env();
  void* raw = nullptr;
  if (info.Length() < 7 || napi_get_value_external(env, info[0], &raw) != napi_ok || !raw)
    throwType(env, "graphSearchOne: argument handle must come from graphSearcher");
  Searcher& s = *static_cast<Searcher*>(raw);
  xt::GraphSearchArgs a = s.a;
  const auto q = f32a(info, 1, K, "query");
  needLength(env, K, "query", q.length, a.dim);
  a.queries = q.data;
  a.nq = 1;
  a.k = integer(info, 2, K, "k", 1, 1 << 24);
  a.ef = std::max(a.k, integer(info, 3, K, "ef", 1, 1 << 24));
  a.epsilon = float(number(info, 4, K, "epsilon"));
  const auto ids = u32(info, 5, K, "outLabels");
  const auto dist = f32a(info, 6, K, "outDist");
  needLength(env, K, "outLabels", ids.length, a.k);
  needLength(env, K, "outDist", dist.length, a.k);
  a.outIds = ids.data;
  a.outDist = dist.data;
  XT_SELECT(graphSearch)(a);
  int64_t found = 0;
  while (found < a.k && ids.data[found] != 0xFFFFFFFFu) found++;
  if (s.labels)
    for (int64_t i = 0; i < found; i++) ids.data[i] = s.labels[ids.data[i]];
  return Napi::Number::New(env, double(found));
}

}  // namespace

XT_BINDING(graphSearcher) {
  exports.Set("graphSearcher", Napi::Function::New(env, GraphSearcher, "graphSearcher"));
  exports.Set("graphSearchOne", Napi::Function::New(env, GraphSearchOne, "graphSearchOne"));
}
