// JS entry of copyStrided (contract: src/backend/kernels.ts CopyKernel): materializes a strided
// view row-major into a dense array of the same element type (1, 2 or 4 bytes). Pure data
// movement, so it lives in the core target: runs with unit inner stride go through memcpy,
// others through a loop templated on the element size; rows are split across threads.
#include <cstring>

#include "core/args.h"
#include "core/bindings.h"
#include "core/thread_pool.h"
#include "core/typed_any.h"

namespace {

using namespace xt::js;
constexpr int kMaxRank = 16;

struct Ctx {
  const uint8_t* src;
  uint8_t* dst;
  int rank, size;
  int64_t shape[kMaxRank], strides[kMaxRank];
};

template <class T>
void walkRow(const T* src, int64_t stride, T* dst, int64_t n) {
  for (int64_t i = 0; i < n; i++) dst[i] = src[i * stride];
}

void copyRows(void* p, int64_t r0, int64_t r1) {
  const Ctx& c = *static_cast<const Ctx*>(p);
  const int64_t inner = c.shape[c.rank - 1], step = c.strides[c.rank - 1];
  for (int64_t r = r0; r < r1; r++) {
    int64_t off = 0, rest = r;
    for (int d = c.rank - 2; d >= 0; d--) {
      off += (rest % c.shape[d]) * c.strides[d];
      rest /= c.shape[d];
    }
    const uint8_t* s = c.src + off * c.size;
    uint8_t* o = c.dst + r * inner * c.size;
    if (step == 1) std::memcpy(o, s, inner * c.size);
    else if (c.size == 4) walkRow(reinterpret_cast<const uint32_t*>(s), step, reinterpret_cast<uint32_t*>(o), inner);
    else if (c.size == 2) walkRow(reinterpret_cast<const uint16_t*>(s), step, reinterpret_cast<uint16_t*>(o), inner);
    else walkRow(s, step, o, inner);
  }
}

// copyStrided(src, strides, shape, dst): dst[i] = src[offset of row-major position i].
Napi::Value CopyStrided(const Napi::CallbackInfo& info) {
  constexpr const char* K = "copyStrided";
  Napi::Env env = info.Env();
  const std::initializer_list<napi_typedarray_type> types = {
      napi_float32_array, napi_int32_array, napi_uint32_array, napi_uint16_array, napi_int16_array,
      napi_uint8_array, napi_int8_array};
  const Raw src = raw(info, 0, K, "src", types, "TypedArray of 1, 2 or 4-byte elements");
  Ctx c{};
  const int rs = shapeArg(info, 1, K, "strides", c.strides, kMaxRank, 0);
  int64_t shape[kMaxRank];
  const int rank = shapeArg(info, 2, K, "shape", shape, kMaxRank, 0);
  const Raw dst = raw(info, 3, K, "dst", types, "TypedArray of 1, 2 or 4-byte elements");
  if (rs != rank) throwRange(env, "copyStrided: strides and shape differ in rank");
  if (src.size != dst.size) throwType(env, "copyStrided: arguments src and dst differ in element size");
  int64_t n = 1, last = 0;
  for (int d = 0; d < rank; d++) {
    n = mul(env, K, n, shape[d]);
    last += (shape[d] - 1) * c.strides[d];
  }
  needLength(env, K, "dst", dst.length, n);
  if (n == 0) return env.Undefined();
  needLength(env, K, "src", src.length, last + 1);
  // Drop unit axes and merge axes that are contiguous with the next one.
  int64_t strides[kMaxRank];
  std::memcpy(strides, c.strides, sizeof strides);
  for (int d = 0; d < rank; d++) {
    if (shape[d] == 1) continue;
    if (c.rank > 0 && c.strides[c.rank - 1] == strides[d] * shape[d]) {
      c.shape[c.rank - 1] *= shape[d];
      c.strides[c.rank - 1] = strides[d];
      continue;
    }
    c.shape[c.rank] = shape[d];
    c.strides[c.rank] = strides[d];
    c.rank++;
  }
  if (c.rank == 0) c.rank = 1, c.shape[0] = 1, c.strides[0] = 1;
  c.src = static_cast<const uint8_t*>(src.data);
  c.dst = static_cast<uint8_t*>(dst.data);
  c.size = src.size;
  const int64_t inner = c.shape[c.rank - 1];
  xt::parallelFor(n / inner, inner >= 16384 ? 1 : 16384 / inner, copyRows, &c);
  return env.Undefined();
}

}  // namespace

XT_BINDING(copy) { exports.Set("copyStrided", Napi::Function::New(env, CopyStrided, "copyStrided")); }
