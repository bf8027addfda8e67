// JS entry of attention (contract: src/backend/kernels.ts AttentionKernel).
#include <cmath>
#include <new>
#include <string>

#include "attention/attention.h"
#include "core/args.h"
#include "core/bindings.h"

namespace {

constexpr const char* K = "attention";
constexpr int64_t kMaxDim = int64_t{1} << 40;

// attention(q, k, v, out, b, hq, hkv, sq, skv, d, scale, causal, kvHalf)
Napi::Value Attention(const Napi::CallbackInfo& info) {
  using namespace xt::js;
  Napi::Env env = info.Env();
  xt::AttentionArgs a{};
  a.b = integer(info, 4, K, "b", 0, kMaxDim);
  a.hq = integer(info, 5, K, "hq", 0, kMaxDim);
  a.hkv = integer(info, 6, K, "hkv", 1, kMaxDim);
  a.sq = integer(info, 7, K, "sq", 0, kMaxDim);
  a.skv = integer(info, 8, K, "skv", 0, kMaxDim);
  a.d = integer(info, 9, K, "d", 0, kMaxDim);
  const double scale = number(info, 10, K, "scale");
  if (!std::isfinite(scale)) throwRange(env, "attention: argument scale must be finite");
  a.scale = static_cast<float>(scale);
  a.causal = boolean(info, 11, K, "causal");
  a.kvHalf = boolean(info, 12, K, "kvHalf");
  if (a.hq % a.hkv != 0) {
    throwRange(env, "attention: argument hq (" + std::to_string(a.hq) + ") must be a multiple of hkv (" +
                        std::to_string(a.hkv) + ")");
  }
  const auto q = f32(info, 0, K, "q");
  const auto out = f32(info, 3, K, "out");
  const int64_t qLen = mul(env, K, mul(env, K, mul(env, K, a.b, a.hq), a.sq), a.d);
  const int64_t kvLen = mul(env, K, mul(env, K, mul(env, K, a.b, a.hkv), a.skv), a.d);
  needLength(env, K, "q", q.length, qLen);
  needLength(env, K, "out", out.length, qLen);
  if (a.kvHalf) {
    const auto k = u16(info, 1, K, "k");
    const auto v = u16(info, 2, K, "v");
    needLength(env, K, "k", k.length, kvLen);
    needLength(env, K, "v", v.length, kvLen);
    a.k = k.data, a.v = v.data;
  } else {
    const auto k = f32(info, 1, K, "k");
    const auto v = f32(info, 2, K, "v");
    needLength(env, K, "k", k.length, kvLen);
    needLength(env, K, "v", v.length, kvLen);
    a.k = k.data, a.v = v.data;
  }
  a.q = q.data;
  a.out = out.data;
  try {
    XT_SELECT(attention)(a);
  } catch (const std::bad_alloc&) {
    throwRange(env, "attention: out of memory for the per-thread scratch");
  }
  return env.Undefined();
}

}  // namespace

XT_BINDING(attention) { exports.Set("attention", Napi::Function::New(env, Attention, "attention")); }
