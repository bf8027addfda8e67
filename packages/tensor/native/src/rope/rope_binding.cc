// JS entry of rope (contract: src/backend/kernels.ts RopeKernel).
#include "core/args.h"
#include "core/bindings.h"
#include "rope/rope.h"

namespace {

Napi::Value Rope(const Napi::CallbackInfo& info) {
  using namespace xt::js;
  constexpr const char* K = "rope";
  constexpr int64_t kMax = int64_t{1} << 40;
  Napi::Env env = info.Env();
  const auto x = f32(info, 0, K, "x");
  const auto cos = f32(info, 1, K, "cos");
  const auto sin = f32(info, 2, K, "sin");
  const auto out = f32(info, 3, K, "out");
  xt::RopeArgs g{};
  g.rows = integer(info, 4, K, "rows", 0, kMax);
  g.heads = integer(info, 5, K, "heads", 0, kMax);
  g.dim = integer(info, 6, K, "dim", 0, kMax);
  g.rotateHalf = boolean(info, 7, K, "rotateHalf");
  if (g.dim % 2 != 0) throwRange(env, "rope: argument dim must be even");
  const int64_t n = mul(env, K, mul(env, K, g.rows, g.heads), g.dim);
  const int64_t angles = mul(env, K, g.rows, g.dim / 2);
  needLength(env, K, "x", x.length, n);
  needLength(env, K, "out", out.length, n);
  needLength(env, K, "cos", cos.length, angles);
  needLength(env, K, "sin", sin.length, angles);
  g.x = x.data;
  g.cos = cos.data;
  g.sin = sin.data;
  g.out = out.data;
  if (n > 0) XT_SELECT(rope)(g);
  return env.Undefined();
}

}  // namespace

XT_BINDING(rope) { exports.Set("rope", Napi::Function::New(env, Rope, "rope")); }
