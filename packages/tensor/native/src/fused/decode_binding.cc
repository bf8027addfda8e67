// decodeLayer: one token through a Llama-family decoder layer as one call (contract:
// src/backend/kernels.ts DecodeLayerKernel). Projections are ggml weights in the tile layout or
// dense f32 matrices, each given whole or as parts stacked by rows (q, k, v; gate, up). It runs
// the same kernels in the same order as the op-by-op path (rmsnorm, qmatmulTiles or the sgemm of
// `linear`, rope, attention over the cache's per-head buffers, silu, products and sums one
// element at a time), so results are identical; what it saves is the JS dispatch and the tensors
// of a dozen ops per layer and token.
#include <algorithm>
#include <string>
#include <vector>

#include "attention/attention.h"
#include "core/args.h"
#include "core/bindings.h"
#include "elementwise/ops.h"
#include "gemm/sgemm.h"
#include "norm/norm.h"
#include "quant/quant.h"
#include "rope/rope.h"

namespace {

constexpr const char* K = "decodeLayer";
constexpr int64_t kMaxDim = int64_t{1} << 31;

// One weight [rows, cols]: ggml tiles (Uint8Array) or a dense row-major f32 matrix.
struct Part {
  const void* data;
  bool dense;
  int64_t rows;
};

// A projection: its parts, stacked by rows, all reading the same input of `cols` values.
struct Projection {
  std::vector<Part> parts;
  int64_t cols;
};

Part partArg(Napi::Env env, Napi::Value v, const std::string& name, xt::QFormat f, int64_t rows, int64_t cols) {
  if (v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == napi_float32_array) {
    auto a = v.As<Napi::Float32Array>();
    xt::js::needLength(env, K, name.c_str(), static_cast<int64_t>(a.ElementLength()), xt::js::mul(env, K, rows, cols));
    return {a.Data(), true, rows};
  }
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array)
    xt::js::throwType(env, std::string(K) + ": argument " + name + " must be a Uint8Array (tiles) or a Float32Array");
  auto a = v.As<Napi::Uint8Array>();
  const int64_t padded = (rows + xt::kTileRows - 1) / xt::kTileRows * xt::kTileRows;
  xt::js::needLength(env, K, name.c_str(), static_cast<int64_t>(a.ElementLength()),
                     padded * (cols / xt::kQBlock) * xt::qBlockBytes(f));
  return {a.Data(), false, rows};
}

// Argument `index`: one weight of sum(rows) rows, or a JS array of rows.size() parts.
Projection projectionArg(const Napi::CallbackInfo& info, size_t index, const char* name, xt::QFormat f,
                         const std::vector<int64_t>& rows, int64_t cols) {
  Napi::Env env = info.Env();
  Projection p{{}, cols};
  if (!info[index].IsArray()) {
    int64_t total = 0;
    for (int64_t r : rows) total += r;
    p.parts.push_back(partArg(env, info[index], name, f, total, cols));
    return p;
  }
  const auto list = info[index].As<Napi::Array>();
  if (list.Length() != rows.size())
    xt::js::throwRange(env, std::string(K) + ": argument " + name + " has " + std::to_string(list.Length()) +
                                " parts, needs 1 weight or " + std::to_string(rows.size()));
  for (uint32_t i = 0; i < list.Length(); i++)
    p.parts.push_back(partArg(env, list.Get(i), std::string(name) + "[" + std::to_string(i) + "]", f, rows[i], cols));
  return p;
}

// Per-KV-head buffers at argument `index`: hkv Float32Arrays of at least `need` values.
std::vector<const void*> headsArg(const Napi::CallbackInfo& info, size_t index, const char* name, int64_t hkv,
                                  int64_t need, std::vector<float*>* writable) {
  Napi::Env env = info.Env();
  if (!info[index].IsArray()) xt::js::throwType(env, std::string(K) + ": argument " + name + " must be an array");
  const auto list = info[index].As<Napi::Array>();
  if (static_cast<int64_t>(list.Length()) != hkv)
    xt::js::throwRange(env, std::string(K) + ": argument " + name + " has " + std::to_string(list.Length()) +
                                " heads, needs " + std::to_string(hkv));
  std::vector<const void*> heads;
  for (uint32_t i = 0; i < list.Length(); i++) {
    const Napi::Value v = list.Get(i);
    const std::string at = std::string(name) + "[" + std::to_string(i) + "]";
    if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      xt::js::throwType(env, std::string(K) + ": argument " + at + " must be a Float32Array");
    auto a = v.As<Napi::Float32Array>();
    xt::js::needLength(env, K, at.c_str(), static_cast<int64_t>(a.ElementLength()), need);
    heads.push_back(a.Data());
    writable->push_back(a.Data());
  }
  return heads;
}

// out = x Wᵀ for one row x, part after part; false (not finished) when a quantized part's x is
// beyond the q8_0 range. Dense parts take `linear`'s sgemm call (m = 1, W transposed).
bool project(xt::QFormat f, const Projection& w, const float* x, float* out) {
  for (const Part& part : w.parts) {
    if (part.dense) {
      const xt::SgemmArgs g{x, static_cast<const float*>(part.data), out, 1, part.rows, w.cols, false, true, 1, 0, 0,
                            part.rows};
      XT_SELECT(sgemm)(g);
    } else {
      if (!XT_SELECT(withinRange)(x, w.cols, xt::kQ8Limit)) return false;
      const xt::QMatmulArgs g{f, static_cast<const uint8_t*>(part.data), x, out, 1, part.rows, w.cols};
      XT_SELECT(qmatmulTiles)(g);
    }
    out += part.rows;
  }
  return true;
}

void rmsnorm(const float* x, const float* weight, float* out, int64_t n, float eps) {
  xt::NormArgs a{x, weight, nullptr, out, 1, n, eps};
  XT_SELECT(rmsnorm)(a);
}

// decodeLayer(format, h, out, normIn, normPost, eps, qkv, o, gateUp, down, cos, sin, kHeads,
// vHeads, count, hq, hkv, d, inter, scale) -> boolean; qkv is one weight or [q, k, v], gateUp one
// weight or [gate, up]. h [hidden] is the layer input, out
// [hidden] its output; the token's rotated key and value are written at slot `count` of every
// head buffer (each needs (count + 1) * d values) and attention covers slots 0..count. False when
// an activation fell outside the q8_0 range (the caller reruns the layer op by op for the error).
Napi::Value DecodeLayer(const Napi::CallbackInfo& info) {
  using namespace xt::js;
  Napi::Env env = info.Env();
  const std::string fmt = string(info, 0, K, "format");  // of the tiled parts (any when all are dense)
  if (fmt != "q8_0" && fmt != "q4_0") throwRange(env, std::string(K) + ": argument format must be \"q8_0\" or \"q4_0\"");
  const xt::QFormat f = fmt == "q8_0" ? xt::QFormat::q8_0 : xt::QFormat::q4_0;
  const auto h = f32(info, 1, K, "h");
  const auto out = f32(info, 2, K, "out");
  const int64_t hidden = h.length;
  const auto normIn = f32(info, 3, K, "normIn");
  const auto normPost = f32(info, 4, K, "normPost");
  const float eps = static_cast<float>(number(info, 5, K, "eps"));
  const int64_t count = integer(info, 14, K, "count", 0, kMaxDim);
  const int64_t hq = integer(info, 15, K, "hq", 1, kMaxDim);
  const int64_t hkv = integer(info, 16, K, "hkv", 1, kMaxDim);
  const int64_t d = integer(info, 17, K, "d", 2, kMaxDim);
  const int64_t inter = integer(info, 18, K, "inter", 1, kMaxDim);
  const float scale = static_cast<float>(number(info, 19, K, "scale"));
  if (hq % hkv != 0 || d % 2 != 0 || hidden % xt::kQBlock != 0 || hq * d % xt::kQBlock != 0 ||
      inter % xt::kQBlock != 0)
    throwRange(env, std::string(K) + ": hq must be a multiple of hkv, d even, and hidden, hq * d and inter multiples of 32");
  needLength(env, K, "out", out.length, hidden);
  needLength(env, K, "normIn", normIn.length, hidden);
  needLength(env, K, "normPost", normPost.length, hidden);
  const int64_t qkvRows = (hq + 2 * hkv) * d;
  const Projection qkv = projectionArg(info, 6, "qkv", f, {hq * d, hkv * d, hkv * d}, hidden);
  const Projection o = projectionArg(info, 7, "o", f, {hidden}, hq * d);
  const Projection gateUp = projectionArg(info, 8, "gateUp", f, {inter, inter}, hidden);
  const Projection down = projectionArg(info, 9, "down", f, {hidden}, inter);
  const auto cos = f32(info, 10, K, "cos");
  const auto sin = f32(info, 11, K, "sin");
  needLength(env, K, "cos", cos.length, d / 2);
  needLength(env, K, "sin", sin.length, d / 2);
  std::vector<float*> kw, vw;
  const auto kHeads = headsArg(info, 12, "kHeads", hkv, (count + 1) * d, &kw);
  const auto vHeads = headsArg(info, 13, "vHeads", hkv, (count + 1) * d, &vw);

  std::vector<float> x(hidden), proj(qkvRows), att(hq * d), gu(2 * inter);
  // Attention: norm, q/k/v, RoPE on the q and k heads, the new key and value into the cache.
  rmsnorm(h.data, normIn.data, x.data(), hidden, eps);
  if (!project(f, qkv, x.data(), proj.data())) return Napi::Boolean::New(env, false);
  const xt::RopeArgs r{proj.data(), cos.data, sin.data, proj.data(), 1, hq + hkv, d, true};
  XT_SELECT(rope)(r);
  for (int64_t j = 0; j < hkv; j++) {
    std::copy_n(proj.data() + (hq + j) * d, d, kw[j] + count * d);
    std::copy_n(proj.data() + (hq + hkv + j) * d, d, vw[j] + count * d);
  }
  xt::AttentionArgs a{};
  a.q = proj.data();
  a.kHeads = kHeads.data();
  a.vHeads = vHeads.data();
  a.out = att.data();
  a.b = 1, a.hq = hq, a.hkv = hkv, a.sq = 1, a.skv = count + 1, a.d = d;
  a.scale = scale, a.causal = true, a.kvHalf = false;
  try {
    XT_SELECT(attention)(a);
  } catch (const std::bad_alloc&) {
    throwRange(env, std::string(K) + ": out of memory for the attention scratch");
  }
  // Residual, then the SwiGLU MLP and its residual.
  if (!project(f, o, att.data(), x.data())) return Napi::Boolean::New(env, false);
  for (int64_t i = 0; i < hidden; i++) out.data[i] = h.data[i] + x[i];
  rmsnorm(out.data, normPost.data, x.data(), hidden, eps);
  if (!project(f, gateUp, x.data(), gu.data())) return Napi::Boolean::New(env, false);
  XT_SELECT(unary)(xt::kSilu, gu.data(), gu.data(), inter);
  for (int64_t i = 0; i < inter; i++) gu[i] = gu[i] * gu[inter + i];
  if (!project(f, down, gu.data(), x.data())) return Napi::Boolean::New(env, false);
  for (int64_t i = 0; i < hidden; i++) out.data[i] = out.data[i] + x[i];
  return Napi::Boolean::New(env, true);
}

}  // namespace

XT_BINDING(fused) { exports.Set("decodeLayer", Napi::Function::New(env, DecodeLayer, "decodeLayer")); }
