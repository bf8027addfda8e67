// JS entry of cast (contract: src/backend/kernels.ts CastKernel). Converts src.length elements.
#include <cstring>
#include <string>

#include "cast/cast.h"
#include "core/args.h"
#include "core/bindings.h"

namespace {

constexpr const char* K = "cast";

struct Buffer {
  float* f32 = nullptr;
  uint16_t* u16 = nullptr;
  int64_t length = 0;
};

Buffer typedFor(const Napi::CallbackInfo& info, size_t index, const std::string& dtype, const char* name) {
  using namespace xt::js;
  Buffer b;
  if (dtype == "f32") {
    const auto s = f32(info, index, K, name);
    b.f32 = s.data;
    b.length = s.length;
  } else if (dtype == "f16" || dtype == "bf16") {
    const auto s = u16(info, index, K, name);
    b.u16 = s.data;
    b.length = s.length;
  } else {
    throwType(info.Env(), std::string("cast: dtype ") + dtype + " is not one of f32, f16, bf16");
  }
  return b;
}

// One 16-bit format to f32 and back (f16 <-> bf16 goes through f32 in cache-sized chunks).
void toF32(const std::string& dt, const uint16_t* s, float* d, int64_t n) {
  if (dt == "f16") XT_SELECT(f16ToF32)(s, d, n);
  else XT_SELECT(bf16ToF32)(s, d, n);
}
void fromF32(const std::string& dt, const float* s, uint16_t* d, int64_t n) {
  if (dt == "f16") XT_SELECT(f32ToF16)(s, d, n);
  else XT_SELECT(f32ToBf16)(s, d, n);
}

Napi::Value Cast(const Napi::CallbackInfo& info) {
  using namespace xt::js;
  Napi::Env env = info.Env();
  const std::string srcType = string(info, 1, K, "srcDtype");
  const std::string dstType = string(info, 3, K, "dstDtype");
  const Buffer src = typedFor(info, 0, srcType, "src");
  const Buffer dst = typedFor(info, 2, dstType, "dst");
  const int64_t n = src.length;
  needLength(env, K, "dst", dst.length, n);
  if (srcType == dstType) {
    if (src.f32) std::memmove(dst.f32, src.f32, n * sizeof(float));
    else std::memmove(dst.u16, src.u16, n * sizeof(uint16_t));
  } else if (srcType == "f32") {
    fromF32(dstType, src.f32, dst.u16, n);
  } else if (dstType == "f32") {
    toF32(srcType, src.u16, dst.f32, n);
  } else {
    float chunk[1024];
    for (int64_t i = 0; i < n; i += 1024) {
      const int64_t len = n - i < 1024 ? n - i : 1024;
      toF32(srcType, src.u16 + i, chunk, len);
      fromF32(dstType, chunk, dst.u16 + i, len);
    }
  }
  return env.Undefined();
}

}  // namespace

XT_BINDING(cast) { exports.Set("cast", Napi::Function::New(env, Cast, "cast")); }
