// JS entries of indexSelect, gather and scatterAdd (contract: src/backend/kernels.ts). These move
// 4-byte elements (f32 or i32 bits) to addresses taken from an index array, so there is nothing
// for SIMD to win (rows go through memcpy); they live in the core target and check every index
// before touching the output, throwing a RangeError that names the first bad one.
#include <cstring>
#include <string>
#include <vector>

#include "core/args.h"
#include "core/bindings.h"
#include "core/thread_pool.h"
#include "core/typed_any.h"

namespace {

using namespace xt::js;
constexpr int64_t kMax = int64_t{1} << 40;
constexpr int kMaxRank = 8;

void checkIndices(Napi::Env env, const char* kernel, const int32_t* idx, int64_t n, int64_t size) {
  for (int64_t i = 0; i < n; i++) {
    if (idx[i] < 0 || idx[i] >= size) {
      throwRange(env, std::string(kernel) + ": index " + std::to_string(idx[i]) + " at position " + std::to_string(i) +
                          " is out of range for a dimension of size " + std::to_string(size));
    }
  }
}

Raw words(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name) {
  return raw(info, index, kernel, name, {napi_float32_array, napi_int32_array}, "Float32Array or Int32Array");
}

// indexSelect(src, idx, out, outer, n, inner): out[o, j, :] = src[o, idx[j], :].
Napi::Value IndexSelect(const Napi::CallbackInfo& info) {
  constexpr const char* K = "indexSelect";
  Napi::Env env = info.Env();
  const Raw src = words(info, 0, K, "src");
  const auto idx = i32(info, 1, K, "idx");
  const Raw out = words(info, 2, K, "out");
  const int64_t outer = integer(info, 3, K, "outer", 0, kMax);
  const int64_t n = integer(info, 4, K, "n", 0, kMax);
  const int64_t inner = integer(info, 5, K, "inner", 0, kMax);
  if (src.type != out.type) throwType(env, "indexSelect: arguments src and out must have one element type");
  needLength(env, K, "src", src.length, mul(env, K, mul(env, K, outer, n), inner));
  needLength(env, K, "out", out.length, mul(env, K, mul(env, K, outer, idx.length), inner));
  checkIndices(env, K, idx.data, idx.length, n);
  struct Ctx {
    const uint32_t* src;
    const int32_t* idx;
    uint32_t* out;
    int64_t m, n, inner;
  } c{static_cast<const uint32_t*>(src.data), idx.data, static_cast<uint32_t*>(out.data), idx.length, n, inner};
  auto body = [](void* p, int64_t r0, int64_t r1) {
    const Ctx& c = *static_cast<const Ctx*>(p);
    for (int64_t r = r0; r < r1; r++) {  // r = o * m + j
      const int64_t o = r / c.m, j = r % c.m;
      std::memcpy(c.out + r * c.inner, c.src + (o * c.n + c.idx[j]) * c.inner, c.inner * 4);
    }
  };
  const int64_t rows = outer * idx.length;
  if (rows > 0 && inner > 0) xt::parallelFor(rows, inner >= 4096 ? 1 : 4096 / inner, body, &c);
  return env.Undefined();
}

// Addressing shared by gather and scatterAdd: positions of a contiguous index array of rank
// `rank` map to base(position without axis) + idx * strides[axis].
struct Walk {
  int rank, axis;
  int64_t shape[kMaxRank], strides[kMaxRank];
  const int32_t* idx;
  // Storage offset of index position `flat`.
  int64_t offset(int64_t flat) const {
    int64_t off = 0;
    for (int d = rank - 1; d >= 0; d--) {
      const int64_t i = flat % shape[d];
      flat /= shape[d];
      if (d != axis) off += i * strides[d];
    }
    return off;
  }
};

// Reads (index shape, strides of the addressed array, axis, axis size) and checks that every
// addressed element lies inside an array of `length` elements.
Walk walk(const Napi::CallbackInfo& info, const char* K, size_t at, const Span<int32_t>& idx, int64_t length,
          const char* arrayName) {
  Napi::Env env = info.Env();
  Walk w{};
  w.rank = shapeArg(info, at, K, "indexShape", w.shape, kMaxRank, 0);
  const int strideRank = shapeArg(info, at + 1, K, "strides", w.strides, kMaxRank, 0);
  w.axis = static_cast<int>(integer(info, at + 2, K, "axis", 0, kMaxRank - 1));
  const int64_t axisSize = integer(info, at + 3, K, "axisSize", 0, kMax);
  if (strideRank != w.rank || w.axis >= w.rank) throwRange(env, std::string(K) + ": strides, indexShape and axis disagree on the rank");
  int64_t count = 1, last = axisSize > 0 ? (axisSize - 1) * w.strides[w.axis] : 0;
  for (int d = 0; d < w.rank; d++) {
    count = mul(env, K, count, w.shape[d]);
    if (d != w.axis && w.shape[d] > 0) last += (w.shape[d] - 1) * w.strides[d];
  }
  needLength(env, K, "idx", idx.length, count);
  if (count > 0) needLength(env, K, arrayName, length, last + 1);
  checkIndices(env, K, idx.data, count, axisSize);
  w.idx = idx.data;
  return w;
}

// gather(src, idx, out, indexShape, strides, axis, axisSize): out[p] = src[offset(p) + idx[p] * strides[axis]].
Napi::Value Gather(const Napi::CallbackInfo& info) {
  constexpr const char* K = "gather";
  Napi::Env env = info.Env();
  const Raw src = words(info, 0, K, "src");
  const auto idx = i32(info, 1, K, "idx");
  const Raw out = words(info, 2, K, "out");
  if (src.type != out.type) throwType(env, "gather: arguments src and out must have one element type");
  const Walk w = walk(info, K, 3, idx, src.length, "src");
  int64_t count = 1;
  for (int d = 0; d < w.rank; d++) count *= w.shape[d];
  needLength(env, K, "out", out.length, count);
  struct Ctx {
    const Walk* w;
    const uint32_t* src;
    uint32_t* out;
  } c{&w, static_cast<const uint32_t*>(src.data), static_cast<uint32_t*>(out.data)};
  auto body = [](void* p, int64_t b, int64_t e) {
    const Ctx& c = *static_cast<const Ctx*>(p);
    const int64_t sa = c.w->strides[c.w->axis];
    for (int64_t i = b; i < e; i++) c.out[i] = c.src[c.w->offset(i) + int64_t{c.w->idx[i]} * sa];
  };
  if (count > 0) xt::parallelFor(count, 16384, body, &c);
  return env.Undefined();
}

// scatterAdd(dst, idx, src, indexShape, strides, axis, axisSize): dst[offset(p) + idx[p] * strides[axis]] += src[p],
// in index order with f64 sums rounded once per element, exactly as the js backend does (so
// repeated indices give identical results; single-threaded for that reason).
Napi::Value ScatterAdd(const Napi::CallbackInfo& info) {
  constexpr const char* K = "scatterAdd";
  Napi::Env env = info.Env();
  const auto dst = f32(info, 0, K, "dst");
  const auto idx = i32(info, 1, K, "idx");
  const auto src = f32(info, 2, K, "src");
  const Walk w = walk(info, K, 3, idx, dst.length, "dst");
  int64_t count = 1;
  for (int d = 0; d < w.rank; d++) count *= w.shape[d];
  needLength(env, K, "src", src.length, count);
  std::vector<double> acc(dst.data, dst.data + dst.length);
  const int64_t sa = w.strides[w.axis];
  for (int64_t i = 0; i < count; i++) acc[w.offset(i) + int64_t{idx.data[i]} * sa] += src.data[i];
  for (int64_t i = 0; i < dst.length; i++) dst.data[i] = static_cast<float>(acc[i]);
  return env.Undefined();
}

}  // namespace

XT_BINDING(index) {
  exports.Set("indexSelect", Napi::Function::New(env, IndexSelect, "indexSelect"));
  exports.Set("gather", Napi::Function::New(env, Gather, "gather"));
  exports.Set("scatterAdd", Napi::Function::New(env, ScatterAdd, "scatterAdd"));
}
