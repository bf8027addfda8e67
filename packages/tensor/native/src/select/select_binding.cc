// JS entry of where (contract: src/backend/kernels.ts WhereKernel).
#include <string>

#include "core/args.h"
#include "core/bindings.h"
#include "core/typed_any.h"
#include "select/where.h"

namespace {

using namespace xt::js;

// Highest element index an operand of `strides` is read at over `shape` (strides are >= 0).
int64_t lastRead(const xt::WhereArgs& g, const int64_t* strides) {
  int64_t last = 0;
  for (int d = 0; d < g.rank; d++) last += (g.shape[d] - 1) * strides[d];
  return last;
}

// where(cond: Uint8Array, cStrides, a, aStrides, b, bStrides, out, shape).
Napi::Value Where(const Napi::CallbackInfo& info) {
  constexpr const char* K = "where";
  Napi::Env env = info.Env();
  xt::WhereArgs g{};
  const auto cond = u8(info, 0, K, "cond");
  const int rc = shapeArg(info, 1, K, "cStrides", g.cs, xt::kWhereMaxRank, 0);
  const auto a = f32(info, 2, K, "a");
  const int ra = shapeArg(info, 3, K, "aStrides", g.as, xt::kWhereMaxRank, 0);
  const auto b = f32(info, 4, K, "b");
  const int rb = shapeArg(info, 5, K, "bStrides", g.bs, xt::kWhereMaxRank, 0);
  const auto out = f32(info, 6, K, "out");
  g.rank = shapeArg(info, 7, K, "shape", g.shape, xt::kWhereMaxRank, 0);
  if (rc != g.rank || ra != g.rank || rb != g.rank) throwRange(env, "where: strides and shape differ in rank");
  int64_t n = 1;
  for (int d = 0; d < g.rank; d++) n = mul(env, K, n, g.shape[d]);
  needLength(env, K, "out", out.length, n);
  if (n == 0) return env.Undefined();
  needLength(env, K, "cond", cond.length, lastRead(g, g.cs) + 1);
  needLength(env, K, "a", a.length, lastRead(g, g.as) + 1);
  needLength(env, K, "b", b.length, lastRead(g, g.bs) + 1);
  g.cond = cond.data;
  g.a = a.data;
  g.b = b.data;
  g.out = out.data;
  XT_SELECT(where)(g);
  return env.Undefined();
}

}  // namespace

XT_BINDING(select) { exports.Set("where", Napi::Function::New(env, Where, "where")); }
