// decodeLayer: one token through a Llama-family decoder layer as one call (contract:
// src/backend/kernels.ts DecodeLayerKernel). Projections are ggml weights in the tile layout or
// dense f32 matrices, each given whole or as parts stacked by rows (q, k, v; gate, up). It runs
// the same kernels in the same order as the op-by-op path (rmsnorm, qmatmulTiles or the sgemm of
// `linear`, rope, attention over the cache's per-head buffers, silu, products and sums one
// element at a time), so results are identical; what it saves is the JS dispatch and the tensors
// of a dozen ops per layer and token.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "attention/attention.h"
#include "core/args.h"
#include "core/bindings.h"
#include "elementwise/ops.h"
#include "gemm/sgemm.h"
#include "norm/norm.h"
#include "quant/format_arg.h"
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
  if (cols % xt::kQBlock != 0)
    xt::js::throwRange(env, std::string(K) + ": argument " + name + " is quantized, but its input size " +
                                std::to_string(cols) + " is not a multiple of 32");
  const int64_t padded = (rows + xt::kTileRows - 1) / xt::kTileRows * xt::kTileRows;
  xt::js::needLength(env, K, name.c_str(), static_cast<int64_t>(a.ElementLength()),
                     xt::js::mul(env, K, padded, cols / xt::kQBlock * xt::qBlockBytes(f)));
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

// Everything one layer step reads and writes (validated by DecodeLayer).
struct Layer {
  xt::QFormat format;
  const float* h;
  float* out;
  const float* normIn;
  const float* normPost;
  float eps;
  const Projection &qkv, &o, &gateUp, &down;
  const float* cos;
  const float* sin;
  const std::vector<const void*>& kHeads;
  const std::vector<const void*>& vHeads;
  const std::vector<float*>& kWrite;
  const std::vector<float*>& vWrite;
  int64_t count, hq, hkv, d, inter;
  float scale;
  int64_t hidden;
};

// The layer for one token; false when a quantized projection's input left the q8_0 range.
bool runLayer(const Layer& L) {
  const int64_t hidden = L.hidden, d = L.d, hq = L.hq, hkv = L.hkv, inter = L.inter;
  std::vector<float> x(hidden), proj((hq + 2 * hkv) * d), att(hq * d), gu(2 * inter);
  // Attention: norm, q/k/v, RoPE on the q and k heads, the new key and value into the cache.
  rmsnorm(L.h, L.normIn, x.data(), hidden, L.eps);
  if (!project(L.format, L.qkv, x.data(), proj.data())) return false;
  const xt::RopeArgs r{proj.data(), L.cos, L.sin, proj.data(), 1, hq + hkv, d, true};
  XT_SELECT(rope)(r);
  for (int64_t j = 0; j < hkv; j++) {
    std::copy_n(proj.data() + (hq + j) * d, d, L.kWrite[j] + L.count * d);
    std::copy_n(proj.data() + (hq + hkv + j) * d, d, L.vWrite[j] + L.count * d);
  }
  xt::AttentionArgs a{};
  a.q = proj.data();
  a.kHeads = L.kHeads.data();
  a.vHeads = L.vHeads.data();
  a.out = att.data();
  a.b = 1, a.hq = hq, a.hkv = hkv, a.sq = 1, a.skv = L.count + 1, a.d = d;
  a.scale = L.scale, a.causal = true, a.kvHalf = false;
  XT_SELECT(attention)(a);
  // Residual, then the SwiGLU MLP and its residual.
  if (!project(L.format, L.o, att.data(), x.data())) return false;
  for (int64_t i = 0; i < hidden; i++) L.out[i] = L.h[i] + x[i];
  rmsnorm(L.out, L.normPost, x.data(), hidden, L.eps);
  if (!project(L.format, L.gateUp, x.data(), gu.data())) return false;
  XT_SELECT(unary)(xt::kSilu, gu.data(), gu.data(), inter);
  for (int64_t i = 0; i < inter; i++) gu[i] = gu[i] * gu[inter + i];
  if (!project(L.format, L.down, gu.data(), x.data())) return false;
  for (int64_t i = 0; i < hidden; i++) L.out[i] = L.out[i] + x[i];
  return true;
}

// decodeLayer(format, h, out, normIn, normPost, eps, qkv, o, gateUp, down, cos, sin, kHeads,
// vHeads, count, hq, hkv, d, inter, scale) -> boolean; qkv is one weight or [q, k, v], gateUp one
// weight or [gate, up]. h [hidden] is the layer input, out
// [hidden] its output; the token's rotated key and value are written at slot `count` of every
// head buffer (each needs (count + 1) * d values) and attention covers slots 0..count. False when
// an activation fell outside the q8_0 range: `out` may then be partly written and slot `count` of
// the head buffers too, which the caller has not committed (it reruns the layer op by op).
Napi::Value DecodeLayer(const Napi::CallbackInfo& info) {
  using namespace xt::js;
  Napi::Env env = info.Env();
  const xt::QFormat f = qformat(info, 0, K);  // of the tiled parts (any when all are dense)
  const auto h = f32(info, 1, K, "h");
  const auto out = f32(info, 2, K, "out");
  const int64_t hidden = h.length;
  const auto normIn = f32(info, 3, K, "normIn");
  const auto normPost = f32(info, 4, K, "normPost");
  const double eps = number(info, 5, K, "eps");
  const int64_t count = integer(info, 14, K, "count", 0, kMaxDim);
  const int64_t hq = integer(info, 15, K, "hq", 1, kMaxDim);
  const int64_t hkv = integer(info, 16, K, "hkv", 1, kMaxDim);
  const int64_t d = integer(info, 17, K, "d", 2, kMaxDim);
  const int64_t inter = integer(info, 18, K, "inter", 1, kMaxDim);
  const double scale = number(info, 19, K, "scale");
  if (!std::isfinite(eps) || !std::isfinite(scale)) throwRange(env, std::string(K) + ": eps and scale must be finite");
  if (hq % hkv != 0 || d % 2 != 0) throwRange(env, std::string(K) + ": hq must be a multiple of hkv and d even");
  needLength(env, K, "out", out.length, hidden);
  needLength(env, K, "normIn", normIn.length, hidden);
  needLength(env, K, "normPost", normPost.length, hidden);
  mul(env, K, hq + 2 * hkv, d);  // (hq + 2 hkv) * d fits, and with it every product of these below
  const Projection qkv = projectionArg(info, 6, "qkv", f, {hq * d, hkv * d, hkv * d}, hidden);
  const Projection o = projectionArg(info, 7, "o", f, {hidden}, mul(env, K, hq, d));
  const Projection gateUp = projectionArg(info, 8, "gateUp", f, {inter, inter}, hidden);
  const Projection down = projectionArg(info, 9, "down", f, {hidden}, inter);
  const auto cos = f32(info, 10, K, "cos");
  const auto sin = f32(info, 11, K, "sin");
  needLength(env, K, "cos", cos.length, d / 2);
  needLength(env, K, "sin", sin.length, d / 2);
  std::vector<float*> kw, vw;
  const auto kHeads = headsArg(info, 12, "kHeads", hkv, mul(env, K, count + 1, d), &kw);
  const auto vHeads = headsArg(info, 13, "vHeads", hkv, mul(env, K, count + 1, d), &vw);
  const Layer layer{f,     h.data,   out.data, normIn.data, normPost.data, static_cast<float>(eps),
                    qkv,   o,        gateUp,   down,        cos.data,      sin.data,
                    kHeads, vHeads,  kw,       vw,          count,         hq,
                    hkv,   d,        inter,    static_cast<float>(scale), hidden};
  try {
    return Napi::Boolean::New(env, runLayer(layer));
  } catch (const std::bad_alloc&) {
    throwRange(env, std::string(K) + ": out of memory for the layer's scratch buffers");
  }
}

}  // namespace

XT_BINDING(fused) { exports.Set("decodeLayer", Napi::Function::New(env, DecodeLayer, "decodeLayer")); }
