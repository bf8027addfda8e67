// JS entry of reduce (contract: src/backend/kernels.ts ReduceKernel).
#include "core/args.h"
#include "core/bindings.h"
#include "reduce/reduce.h"

namespace {

Napi::Value Reduce(const Napi::CallbackInfo& info) {
  using namespace xt::js;
  constexpr const char* K = "reduce";
  Napi::Env env = info.Env();
  xt::ReduceArgs g{};
  g.op = static_cast<int>(integer(info, 0, K, "op", 0, xt::kReduceOpCount - 1));
  const auto x = f32(info, 1, K, "x");
  const bool isArg = g.op == xt::kArgmax || g.op == xt::kArgmin;
  g.outer = integer(info, 3, K, "outer", 0, int64_t{1} << 40);
  g.len = integer(info, 4, K, "len", 0, int64_t{1} << 31);
  g.inner = integer(info, 5, K, "inner", 0, int64_t{1} << 40);
  const int64_t outCount = mul(env, K, g.outer, g.inner);
  if (isArg) {
    const auto out = i32(info, 2, K, "out");
    needLength(env, K, "out", out.length, outCount);
    g.index = out.data;
  } else {
    const auto out = f32(info, 2, K, "out");
    needLength(env, K, "out", out.length, outCount);
    g.out = out.data;
  }
  if (outCount == 0) return env.Undefined();
  if (g.len == 0 && g.op != xt::kSum && g.op != xt::kSumSq && g.op != xt::kLogSumExp) {
    throwRange(env, "reduce: argument len must be > 0 for max, min, argmax and argmin");
  }
  needLength(env, K, "x", x.length, mul(env, K, outCount, g.len));
  g.x = x.data;
  if (g.len == 0) {  // empty sums: 0, and logsumexp of nothing is -inf
    for (int64_t i = 0; i < outCount; i++) g.out[i] = g.op == xt::kLogSumExp ? -__builtin_inff() : 0.0f;
    return env.Undefined();
  }
  XT_SELECT(reduce)(g);
  return env.Undefined();
}

}  // namespace

XT_BINDING(reduce) { exports.Set("reduce", Napi::Function::New(env, Reduce, "reduce")); }
