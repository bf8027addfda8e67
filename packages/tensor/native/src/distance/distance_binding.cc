// JS entries of the distance family (contract: src/backend/kernels.ts DistanceRowsKernel, KnnScanKernel).
#include "core/args.h"
#include "core/bindings.h"
#include "distance/distance.h"
#include "distance/js_rows.h"

namespace {

using namespace xt::js;
constexpr int64_t kMax = int64_t{1} << 40;

// distanceRows(rows, stride, dimPad, rowType, metric, n, q, dim, ids | null, out)
Napi::Value DistanceRows(const Napi::CallbackInfo& info) {
  constexpr const char* K = "distanceRows";
  Napi::Env env = info.Env();
  int64_t n = 0;
  xt::DistanceRowsArgs g{};
  g.set = rowSet(info, 0, K, &n);
  const auto q = f32a(info, 6, K, "q");
  g.dim = integer(info, 7, K, "dim", 1, g.set.dimPad);
  needLength(env, K, "q", q.length, g.dim);
  g.q = q.data;
  const auto out = f32a(info, 9, K, "out");
  if (absent(info, 8)) {
    g.count = n;
  } else {
    const auto ids = u32(info, 8, K, "ids");
    for (int64_t j = 0; j < ids.length; j++)
      if (int64_t(ids.data[j]) >= n) throwRange(env, "distanceRows: ids[" + std::to_string(j) + "] is out of range");
    g.ids = ids.data;
    g.count = ids.length;
  }
  needLength(env, K, "out", out.length, g.count);
  g.out = out.data;
  if (g.count > 0) XT_SELECT(distanceRows)(g);
  return env.Undefined();
}

// knnScan(rows, stride, dimPad, rowType, metric, n, queries, nq, dim, k, allow | null, f64, outIds, outDist)
Napi::Value KnnScan(const Napi::CallbackInfo& info) {
  constexpr const char* K = "knnScan";
  Napi::Env env = info.Env();
  xt::KnnScanArgs g{};
  g.set = rowSet(info, 0, K, &g.n);
  const auto queries = f32a(info, 6, K, "queries");
  g.nq = integer(info, 7, K, "nq", 0, kMax);
  g.dim = integer(info, 8, K, "dim", 1, g.set.dimPad);
  g.k = integer(info, 9, K, "k", 1, 1 << 24);
  needLength(env, K, "queries", queries.length, mul(env, K, g.nq, g.dim));
  g.queries = queries.data;
  if (!absent(info, 10)) {
    const auto allow = u8a(info, 10, K, "allow");
    needLength(env, K, "allow", allow.length, (g.n + 7) / 8);
    g.allow = allow.data;
  }
  g.f64 = boolean(info, 11, K, "f64");
  const auto ids = u32(info, 12, K, "outIds");
  const auto dist = f32a(info, 13, K, "outDist");
  needLength(env, K, "outIds", ids.length, mul(env, K, g.nq, g.k));
  needLength(env, K, "outDist", dist.length, mul(env, K, g.nq, g.k));
  g.outIds = ids.data;
  g.outDist = dist.data;
  if (g.nq > 0) XT_SELECT(knnScan)(g);
  return env.Undefined();
}

}  // namespace

XT_BINDING(distance) {
  exports.Set("distanceRows", Napi::Function::New(env, DistanceRows, "distanceRows"));
  exports.Set("knnScan", Napi::Function::New(env, KnnScan, "knnScan"));
}
