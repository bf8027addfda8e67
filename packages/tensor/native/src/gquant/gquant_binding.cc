// JS entries of groupQuantize and groupDequantize (contract: src/backend/kernels.ts). A value
// the metadata cannot hold is not thrown here: groupQuantize returns {kind, group, element} of
// the first failing group so the TS side raises the same ValueError as the js backend.
#include <string>

#include "core/args.h"
#include "core/bindings.h"
#include "core/typed_any.h"
#include "gquant/gquant.h"

namespace {

using namespace xt::js;
constexpr int64_t kMax = int64_t{1} << 40;

// Shared arguments from position `at`: outer, len, inner, groupSize, bits; then the element
// count, checked against every array (x of n floats, words, scales and zeros per group).
int64_t dims(const Napi::CallbackInfo& info, const char* K, size_t at, xt::GroupQuantArgs& g) {
  Napi::Env env = info.Env();
  g.outer = integer(info, at, K, "outer", 0, kMax);
  g.len = integer(info, at + 1, K, "len", 0, kMax);
  g.inner = integer(info, at + 2, K, "inner", 1, kMax);
  g.g = integer(info, at + 3, K, "groupSize", 1, kMax);
  g.bits = static_cast<int>(integer(info, at + 4, K, "bits", 2, 8));
  if (g.bits != 2 && g.bits != 4 && g.bits != 8) throwRange(env, std::string(K) + ": argument bits must be 2, 4 or 8, got " + std::to_string(g.bits));
  if (g.len % g.g != 0) throwRange(env, std::string(K) + ": argument groupSize " + std::to_string(g.g) + " does not divide len " + std::to_string(g.len));
  return mul(env, K, mul(env, K, g.outer, g.len), g.inner);
}

void metaAndWords(const Napi::CallbackInfo& info, const char* K, size_t at, xt::GroupQuantArgs& g, int64_t n) {
  Napi::Env env = info.Env();
  const auto words = u32(info, at, K, "words");
  const Raw scales = raw(info, at + 1, K, "scales", {napi_uint16_array, napi_float32_array}, "Uint16Array or Float32Array");
  const Raw zeros = raw(info, at + 2, K, "zeros", {napi_uint16_array, napi_float32_array}, "Uint16Array or Float32Array");
  if (scales.type != zeros.type) throwType(env, std::string(K) + ": arguments scales and zeros must have one element type");
  const int64_t groups = n / g.g;
  needLength(env, K, "words", words.length, mul(env, K, groups, (g.g * g.bits + 31) / 32));
  needLength(env, K, "scales", scales.length, groups);
  needLength(env, K, "zeros", zeros.length, groups);
  g.words = words.data;
  g.scales = scales.data;
  g.zeros = zeros.data;
  g.metaHalf = scales.type == napi_uint16_array;
}

// groupQuantize(x, outer, len, inner, groupSize, bits, words, scales, zeros) -> undefined | failure.
Napi::Value GroupQuantize(const Napi::CallbackInfo& info) {
  constexpr const char* K = "groupQuantize";
  Napi::Env env = info.Env();
  const auto x = f32(info, 0, K, "x");
  xt::GroupQuantArgs g{};
  const int64_t n = dims(info, K, 1, g);
  needLength(env, K, "x", x.length, n);
  metaAndWords(info, K, 6, g, n);
  g.x = x.data;
  xt::GroupQuantError error;
  if (n > 0) XT_SELECT(groupQuantize)(g, &error);
  if (error.kind == xt::GroupQuantError::None) return env.Undefined();
  Napi::Object failure = Napi::Object::New(env);
  failure.Set("kind", error.kind == xt::GroupQuantError::BadValue ? "value" : "range");
  failure.Set("group", static_cast<double>(error.group));
  failure.Set("element", static_cast<double>(error.element));
  return failure;
}

// groupDequantize(words, scales, zeros, outer, len, inner, groupSize, bits, out).
Napi::Value GroupDequantize(const Napi::CallbackInfo& info) {
  constexpr const char* K = "groupDequantize";
  Napi::Env env = info.Env();
  xt::GroupQuantArgs g{};
  const int64_t n = dims(info, K, 3, g);
  metaAndWords(info, K, 0, g, n);
  const auto out = f32(info, 8, K, "out");
  needLength(env, K, "out", out.length, n);
  g.x = out.data;
  if (n > 0) XT_SELECT(groupDequantize)(g);
  return env.Undefined();
}

}  // namespace

XT_BINDING(gquant) {
  exports.Set("groupQuantize", Napi::Function::New(env, GroupQuantize, "groupQuantize"));
  exports.Set("groupDequantize", Napi::Function::New(env, GroupDequantize, "groupDequantize"));
}
