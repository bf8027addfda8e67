// JS entries of softmax, rmsnorm, layernorm (contract: src/backend/kernels.ts).
#include "core/args.h"
#include "core/bindings.h"
#include "norm/norm.h"

namespace {

constexpr int64_t kMax = int64_t{1} << 40;

Napi::Value Softmax(const Napi::CallbackInfo& info) {
  using namespace xt::js;
  constexpr const char* K = "softmax";
  Napi::Env env = info.Env();
  const auto x = f32(info, 0, K, "x");
  const auto out = f32(info, 1, K, "out");
  const int64_t rows = integer(info, 2, K, "rows", 0, kMax);
  const int64_t cols = integer(info, 3, K, "cols", 0, kMax);
  const bool log = boolean(info, 4, K, "log");
  const int64_t n = mul(env, K, rows, cols);
  needLength(env, K, "x", x.length, n);
  needLength(env, K, "out", out.length, n);
  if (n > 0) XT_SELECT(softmax)(x.data, out.data, rows, cols, log);
  return env.Undefined();
}

// Shared argument layout of rmsnorm (no bias) and layernorm.
xt::NormArgs normArgs(const Napi::CallbackInfo& info, const char* K, bool hasBias) {
  using namespace xt::js;
  Napi::Env env = info.Env();
  const size_t o = hasBias ? 1 : 0;
  const auto x = f32(info, 0, K, "x");
  const auto weight = f32(info, 1, K, "weight");
  const auto out = f32(info, 2 + o, K, "out");
  xt::NormArgs g{};
  g.rows = integer(info, 3 + o, K, "rows", 0, kMax);
  g.cols = integer(info, 4 + o, K, "cols", 0, kMax);
  g.eps = static_cast<float>(number(info, 5 + o, K, "eps"));
  const int64_t n = mul(env, K, g.rows, g.cols);
  needLength(env, K, "x", x.length, n);
  needLength(env, K, "out", out.length, n);
  if (weight.length > 0) needLength(env, K, "weight", weight.length, g.cols);
  g.x = x.data;
  g.out = out.data;
  g.weight = weight.length > 0 ? weight.data : nullptr;
  if (hasBias) {
    const auto bias = f32(info, 2, K, "bias");
    if (bias.length > 0) needLength(env, K, "bias", bias.length, g.cols);
    g.bias = bias.length > 0 ? bias.data : nullptr;
  }
  return g;
}

Napi::Value RmsNorm(const Napi::CallbackInfo& info) {
  const xt::NormArgs g = normArgs(info, "rmsnorm", false);
  if (g.rows * g.cols > 0) XT_SELECT(rmsnorm)(g);
  return info.Env().Undefined();
}

Napi::Value LayerNorm(const Napi::CallbackInfo& info) {
  const xt::NormArgs g = normArgs(info, "layernorm", true);
  if (g.rows * g.cols > 0) XT_SELECT(layernorm)(g);
  return info.Env().Undefined();
}

}  // namespace

XT_BINDING(norm) {
  exports.Set("softmax", Napi::Function::New(env, Softmax, "softmax"));
  exports.Set("rmsnorm", Napi::Function::New(env, RmsNorm, "rmsnorm"));
  exports.Set("layernorm", Napi::Function::New(env, LayerNorm, "layernorm"));
}
