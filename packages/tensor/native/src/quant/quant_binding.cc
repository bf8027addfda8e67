// JS entries of quantize, dequantize, qmatmul and the tile layout (contract: src/backend/kernels.ts).
#include <new>
#include <string>

#include "core/args.h"
#include "core/bindings.h"
#include "quant/format_arg.h"
#include "quant/quant.h"

namespace {

constexpr int64_t kMaxDim = int64_t{1} << 40;

void needMultiple(Napi::Env env, const char* kernel, const char* name, int64_t have, int64_t unit) {
  if (have % unit != 0) {
    xt::js::throwRange(env, std::string(kernel) + ": argument " + name + " has " + std::to_string(have) +
                                " elements, not a multiple of " + std::to_string(unit));
  }
}

// quantize(format, src: Float32Array, dst: Uint8Array): src.length / 32 blocks.
Napi::Value Quantize(const Napi::CallbackInfo& info) {
  constexpr const char* K = "quantize";
  Napi::Env env = info.Env();
  const xt::QFormat f = xt::js::qformat(info, 0, K);
  const auto src = xt::js::f32(info, 1, K, "src");
  const auto dst = xt::js::u8(info, 2, K, "dst");
  needMultiple(env, K, "src", src.length, xt::kQBlock);
  const int64_t blocks = src.length / xt::kQBlock;
  xt::js::needLength(env, K, "dst", dst.length, blocks * xt::qBlockBytes(f));
  XT_SELECT(quantizeBlocks)(f, src.data, dst.data, blocks);
  return env.Undefined();
}

// dequantize(format, src: Uint8Array, dst: Float32Array): src.length / blockBytes blocks.
Napi::Value Dequantize(const Napi::CallbackInfo& info) {
  constexpr const char* K = "dequantize";
  Napi::Env env = info.Env();
  const xt::QFormat f = xt::js::qformat(info, 0, K);
  const auto src = xt::js::u8(info, 1, K, "src");
  const auto dst = xt::js::f32(info, 2, K, "dst");
  needMultiple(env, K, "src", src.length, xt::qBlockBytes(f));
  const int64_t blocks = src.length / xt::qBlockBytes(f);
  xt::js::needLength(env, K, "dst", dst.length, blocks * xt::kQBlock);
  XT_SELECT(dequantizeBlocks)(f, src.data, dst.data, blocks);
  return env.Undefined();
}

// qmatmul(format, w: Uint8Array, x: Float32Array, out: Float32Array, m, n, k) -> boolean;
// qmatmulTiles takes W in the tile layout of quant.h instead of row-major blocks. False (and out
// untouched) when some |x| is beyond the q8_0 range (or NaN): the caller names the element.
template <bool Tiles>
Napi::Value Qmatmul(const Napi::CallbackInfo& info) {
  const char* K = Tiles ? "qmatmulTiles" : "qmatmul";
  using namespace xt::js;
  Napi::Env env = info.Env();
  xt::QMatmulArgs g{};
  g.format = xt::js::qformat(info, 0, K);
  const auto w = u8(info, 1, K, Tiles ? "tiles" : "w");
  const auto x = f32(info, 2, K, "x");
  const auto out = f32(info, 3, K, "out");
  g.m = integer(info, 4, K, "m", 0, kMaxDim);
  g.n = integer(info, 5, K, "n", 0, kMaxDim);
  g.k = integer(info, 6, K, "k", 0, kMaxDim);
  needMultiple(env, K, "k", g.k, xt::kQBlock);
  const int64_t rows = Tiles ? (g.n + xt::kTileRows - 1) / xt::kTileRows * xt::kTileRows : g.n;
  needLength(env, K, Tiles ? "tiles" : "w", w.length,
             mul(env, K, rows, g.k / xt::kQBlock * xt::qBlockBytes(g.format)));
  needLength(env, K, "x", x.length, mul(env, K, g.m, g.k));
  needLength(env, K, "out", out.length, mul(env, K, g.m, g.n));
  g.w = w.data;
  g.x = x.data;
  g.out = out.data;
  if (!XT_SELECT(withinRange)(g.x, g.m * g.k, xt::kQ8Limit)) return Napi::Boolean::New(env, false);
  try {
    if (Tiles) XT_SELECT(qmatmulTiles)(g);
    else XT_SELECT(qmatmul)(g);
  } catch (const std::bad_alloc&) {
    throwRange(env, std::string(K) + ": out of memory for the quantized x rows");
  }
  return Napi::Boolean::New(env, true);
}

// packTiles(format, rows: Uint8Array, tiles: Uint8Array, n, k) and unpackTiles(format, tiles,
// rows, n, k): the layout change of quant.h in either direction.
template <bool Pack>
Napi::Value MoveTiles(const Napi::CallbackInfo& info) {
  const char* K = Pack ? "packTiles" : "unpackTiles";
  using namespace xt::js;
  Napi::Env env = info.Env();
  const xt::QFormat f = xt::js::qformat(info, 0, K);
  const auto rows = u8(info, Pack ? 1 : 2, K, "rows");
  const auto tiles = u8(info, Pack ? 2 : 1, K, "tiles");
  const int64_t n = integer(info, 3, K, "n", 0, kMaxDim);
  const int64_t k = integer(info, 4, K, "k", 0, kMaxDim);
  needMultiple(env, K, "k", k, xt::kQBlock);
  const int64_t rowBytes = k / xt::kQBlock * xt::qBlockBytes(f);
  needLength(env, K, "rows", rows.length, mul(env, K, n, rowBytes));
  needLength(env, K, "tiles", tiles.length, mul(env, K, (n + xt::kTileRows - 1) / xt::kTileRows * xt::kTileRows, rowBytes));
  xt::moveTiles(f, rows.data, tiles.data, n, k, Pack);
  return env.Undefined();
}

}  // namespace

XT_BINDING(quant) {
  exports.Set("quantize", Napi::Function::New(env, Quantize, "quantize"));
  exports.Set("dequantize", Napi::Function::New(env, Dequantize, "dequantize"));
  exports.Set("qmatmul", Napi::Function::New(env, Qmatmul<false>, "qmatmul"));
  exports.Set("qmatmulTiles", Napi::Function::New(env, Qmatmul<true>, "qmatmulTiles"));
  exports.Set("packTiles", Napi::Function::New(env, MoveTiles<true>, "packTiles"));
  exports.Set("unpackTiles", Napi::Function::New(env, MoveTiles<false>, "unpackTiles"));
}
