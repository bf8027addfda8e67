// JS entry of adamw (contract: src/backend/kernels.ts AdamWKernel). ISA-independent by design:
// every element is computed in double with each product, sum, quotient and square root rounded
// once, as the js loop in src/ops/optim.ts does, so it lives in the core target (ISO C++, no
// contraction into fused multiply-adds) and is threaded over elements.
#include <cmath>

#include "core/args.h"
#include "core/bindings.h"
#include "core/thread_pool.h"

namespace {

struct Step {
  float* p;
  const float* g;
  float* m;
  float* v;
  double b1, b2, k1, k2, eps, shrink, stepSize, sqrtBias2;
};

void update(void* ctx, int64_t i0, int64_t i1) {
  const Step& s = *static_cast<const Step*>(ctx);
  for (int64_t i = i0; i < i1; i++) {
    const double gi = s.g[i];
    const float mi = static_cast<float>(s.b1 * s.m[i] + s.k1 * gi);
    const float vi = static_cast<float>(s.b2 * s.v[i] + s.k2 * gi * gi);
    s.m[i] = mi;
    s.v[i] = vi;
    const double denom = std::sqrt(static_cast<double>(vi)) / s.sqrtBias2 + s.eps;
    s.p[i] = static_cast<float>(s.p[i] * s.shrink - s.stepSize * (mi / denom));
  }
}

// adamw(param, grad, expAvg, expAvgSq: Float32Array of one length, beta1, beta2, eps, shrink,
// stepSize, sqrtBias2).
Napi::Value AdamW(const Napi::CallbackInfo& info) {
  using namespace xt::js;
  constexpr const char* K = "adamw";
  Napi::Env env = info.Env();
  const auto p = f32(info, 0, K, "param");
  const auto g = f32(info, 1, K, "grad");
  const auto m = f32(info, 2, K, "expAvg");
  const auto v = f32(info, 3, K, "expAvgSq");
  needLength(env, K, "grad", g.length, p.length);
  needLength(env, K, "expAvg", m.length, p.length);
  needLength(env, K, "expAvgSq", v.length, p.length);
  Step s{p.data, g.data, m.data, v.data, number(info, 4, K, "beta1"), number(info, 5, K, "beta2"), 0, 0,
         number(info, 6, K, "eps"), number(info, 7, K, "shrink"), number(info, 8, K, "stepSize"),
         number(info, 9, K, "sqrtBias2")};
  s.k1 = 1 - s.b1;
  s.k2 = 1 - s.b2;
  if (p.length > 0) xt::parallelFor(p.length, 1 << 15, update, &s);
  return env.Undefined();
}

}  // namespace

XT_BINDING(optim) { exports.Set("adamw", Napi::Function::New(env, AdamW, "adamw")); }
