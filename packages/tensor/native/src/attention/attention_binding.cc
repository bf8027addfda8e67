// JS entry of attention (contract: src/backend/kernels.ts AttentionKernel).
#include <cmath>
#include <new>
#include <string>
#include <vector>

#include "attention/attention.h"
#include "core/args.h"
#include "core/bindings.h"

namespace {

constexpr const char* K = "attention";
constexpr int64_t kMaxDim = int64_t{1} << 40;

// A Float32Array (Uint16Array of f16 bits when half) of at least `need` elements.
const void* kvArray(Napi::Env env, Napi::Value value, bool half, const std::string& name, int64_t need) {
  const napi_typedarray_type type = half ? napi_uint16_array : napi_float32_array;
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != type)
    xt::js::throwType(env, std::string(K) + ": argument " + name + " must be a " + (half ? "Uint16Array" : "Float32Array"));
  const auto t = value.As<Napi::TypedArray>();
  xt::js::needLength(env, K, name.c_str(), static_cast<int64_t>(t.ElementLength()), need);
  return static_cast<const uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset();
}

// Argument `index` as one [b, hkv, skv, d] array (into *flat) or a JS array of b * hkv heads.
void kvSide(const Napi::CallbackInfo& info, size_t index, const char* name, const xt::AttentionArgs& a,
            const void** flat, std::vector<const void*>* heads) {
  Napi::Env env = info.Env();
  const Napi::Value value = info[index];
  if (!value.IsArray()) {
    const int64_t len = xt::js::mul(env, K, xt::js::mul(env, K, xt::js::mul(env, K, a.b, a.hkv), a.skv), a.d);
    *flat = kvArray(env, value, a.kvHalf, name, len);
    return;
  }
  const auto list = value.As<Napi::Array>();
  const int64_t count = xt::js::mul(env, K, a.b, a.hkv);
  if (static_cast<int64_t>(list.Length()) != count)
    xt::js::throwRange(env, std::string(K) + ": argument " + name + " has " + std::to_string(list.Length()) +
                                " heads, needs b * hkv = " + std::to_string(count));
  heads->resize(static_cast<size_t>(count));
  const int64_t need = xt::js::mul(env, K, a.skv, a.d);
  for (uint32_t i = 0; i < list.Length(); i++)
    (*heads)[i] = kvArray(env, list.Get(i), a.kvHalf, std::string(name) + "[" + std::to_string(i) + "]", need);
}

// attention(q, k, v, out, b, hq, hkv, sq, skv, d, scale, causal, kvHalf); k and v are each one
// array [b, hkv, skv, d], or a JS array of b * hkv per-head arrays of at least skv * d values.
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
  needLength(env, K, "q", q.length, qLen);
  needLength(env, K, "out", out.length, qLen);
  std::vector<const void*> kHeads, vHeads;
  kvSide(info, 1, "k", a, &a.k, &kHeads);
  kvSide(info, 2, "v", a, &a.v, &vHeads);
  a.kHeads = kHeads.empty() ? nullptr : kHeads.data();
  a.vHeads = vHeads.empty() ? nullptr : vHeads.data();
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
