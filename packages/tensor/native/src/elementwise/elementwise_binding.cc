// JS entries of binary and unary (contract: src/backend/kernels.ts BinaryKernel, UnaryKernel).
#include <string>

#include "core/args.h"
#include "core/bindings.h"
#include "elementwise/ops.h"

namespace {

Napi::Value Binary(const Napi::CallbackInfo& info) {
  using namespace xt::js;
  constexpr const char* K = "binary";
  Napi::Env env = info.Env();
  xt::BinaryArgs g{};
  g.op = static_cast<int>(integer(info, 0, K, "op", 0, xt::kBinaryOpCount - 1));
  const auto a = f32(info, 1, K, "a");
  const auto aStrides = i32(info, 2, K, "aStrides");
  const auto b = f32(info, 3, K, "b");
  const auto bStrides = i32(info, 4, K, "bStrides");
  const auto out = f32(info, 5, K, "out");
  const auto shape = i32(info, 6, K, "shape");
  if (shape.length > xt::kMaxRank) throwRange(env, "binary: argument shape has rank > 8");
  g.rank = static_cast<int>(shape.length);
  needLength(env, K, "aStrides", aStrides.length, g.rank);
  needLength(env, K, "bStrides", bStrides.length, g.rank);
  int64_t total = 1, lastA = 0, lastB = 0;
  for (int d = 0; d < g.rank; d++) {
    if (shape.data[d] < 0) throwRange(env, "binary: argument shape has a negative extent");
    if (aStrides.data[d] < 0 || bStrides.data[d] < 0) throwRange(env, "binary: strides must be >= 0");
    g.shape[d] = shape.data[d];
    g.aStrides[d] = aStrides.data[d];
    g.bStrides[d] = bStrides.data[d];
    total = mul(env, K, total, g.shape[d]);
    if (g.shape[d] > 0) {
      lastA += (g.shape[d] - 1) * g.aStrides[d];
      lastB += (g.shape[d] - 1) * g.bStrides[d];
    }
  }
  if (total == 0) return env.Undefined();
  needLength(env, K, "a", a.length, lastA + 1);
  needLength(env, K, "b", b.length, lastB + 1);
  needLength(env, K, "out", out.length, total);
  g.a = a.data;
  g.b = b.data;
  g.out = out.data;
  XT_SELECT(binary)(g);
  return env.Undefined();
}

Napi::Value Unary(const Napi::CallbackInfo& info) {
  using namespace xt::js;
  constexpr const char* K = "unary";
  Napi::Env env = info.Env();
  const int op = static_cast<int>(integer(info, 0, K, "op", 0, xt::kUnaryOpCount - 1));
  const auto x = f32(info, 1, K, "x");
  const auto out = f32(info, 2, K, "out");
  needLength(env, K, "out", out.length, x.length);
  XT_SELECT(unary)(op, x.data, out.data, x.length);
  return env.Undefined();
}

}  // namespace

XT_BINDING(elementwise) {
  exports.Set("binary", Napi::Function::New(env, Binary, "binary"));
  exports.Set("unary", Napi::Function::New(env, Unary, "unary"));
}
