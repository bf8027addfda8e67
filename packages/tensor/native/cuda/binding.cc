// Node-API surface of the CUDA addon. Device pointers cross as byte addresses in JS numbers
// (user-space addresses stay below 2^53); element offsets are added on the JS side. Every entry
// point turns a CUDA failure into a JS Error whose message starts with the call's name.
#include <napi.h>

#include <cstdint>

#include "blas.h"
#include "kernels.h"
#include "runtime.h"

#define XTC_STR2(x) #x
#define XTC_STR(x) XTC_STR2(x)

namespace {

using Info = Napi::CallbackInfo;

double num(const Info& info, size_t i) {
  if (i >= info.Length() || !info[i].IsNumber())
    throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + " must be a number");
  return info[i].As<Napi::Number>().DoubleValue();
}
int64_t i64(const Info& info, size_t i) { return static_cast<int64_t>(num(info, i)); }
bool flag(const Info& info, size_t i) { return i < info.Length() && info[i].ToBoolean().Value(); }
template <typename T = void>
T* ptr(const Info& info, size_t i) {
  return reinterpret_cast<T*>(static_cast<uintptr_t>(num(info, i)));
}
Napi::Value addr(Napi::Env env, const void* p) {
  return Napi::Number::New(env, static_cast<double>(reinterpret_cast<uintptr_t>(p)));
}

// Reads shape and up to three stride arrays (Int32Array, or undefined for zeros) into a Strided.
xtc::Strided strided(const Info& info, size_t shapeAt, size_t stridesAt, int count, int64_t* n) {
  xtc::Strided s{};
  auto shape = info[shapeAt].As<Napi::Int32Array>();
  s.nd = static_cast<int>(shape.ElementLength());
  if (s.nd > xtc::kMaxDims) throw Napi::RangeError::New(info.Env(), "more than 8 dimensions");
  *n = 1;
  for (int d = 0; d < s.nd; d++) *n *= (s.shape[d] = shape[d]);
  int64_t* dst[3] = {s.a, s.b, s.c};
  for (int k = 0; k < count; k++) {
    if (!info[stridesAt + k].IsTypedArray()) continue;
    auto st = info[stridesAt + k].As<Napi::Int32Array>();
    for (int d = 0; d < s.nd; d++) dst[k][d] = st[d];
  }
  return s;
}

std::pair<void*, size_t> hostBytes(const Info& info, size_t i) {
  auto v = info[i].As<Napi::TypedArray>();
  auto* base = static_cast<uint8_t*>(v.ArrayBuffer().Data()) + v.ByteOffset();
  return {base, v.ByteLength()};
}

using Body = Napi::Value (*)(const Info&);

template <Body F>
Napi::Value guarded(const Info& info) {
  try {
    return F(info);
  } catch (const xtc::CudaError& e) {
    throw Napi::Error::New(info.Env(), std::string("CUDA: ") + e.what());
  }
}

Napi::Value Probe(const Info& info) {
  const xtc::ProbeResult r = xtc::probe();
  auto o = Napi::Object::New(info.Env());
  o.Set("devices", r.devices);
  o.Set("driverVersion", r.driverVersion);
  o.Set("runtimeVersion", r.runtimeVersion);
  o.Set("name", r.name);
  o.Set("computeCapability", std::to_string(r.major) + "." + std::to_string(r.minor));
  o.Set("totalBytes", static_cast<double>(r.totalBytes));
  if (!r.error.empty()) o.Set("error", r.error);
  return o;
}

Napi::Value Init(const Info& info) {
  xtc::init(static_cast<int>(i64(info, 0)));
  const std::string blas = xtc::loadBlas();
  auto o = Napi::Object::New(info.Env());
  o.Set("blas", blas.empty() ? xtc::blasLibrary() : "");
  if (!blas.empty()) o.Set("blasError", blas);
  return o;
}

Napi::Value Alloc(const Info& info) { return addr(info.Env(), xtc::allocate(static_cast<size_t>(i64(info, 0)))); }
Napi::Value Free(const Info& info) { xtc::release(ptr(info, 0)); return info.Env().Undefined(); }
Napi::Value EmptyCache(const Info& info) { xtc::emptyCache(); return info.Env().Undefined(); }
Napi::Value Pool(const Info& info) {
  const auto s = xtc::poolStats();
  size_t freeB = 0, total = 0;
  cudaMemGetInfo(&freeB, &total);
  auto o = Napi::Object::New(info.Env());
  o.Set("inUse", static_cast<double>(s.inUse));
  o.Set("cached", static_cast<double>(s.cached));
  o.Set("blocks", static_cast<double>(s.blocks));
  o.Set("deviceFree", static_cast<double>(freeB));
  o.Set("deviceTotal", static_cast<double>(total));
  return o;
}
Napi::Value Upload(const Info& info) {
  auto [p, n] = hostBytes(info, 1);
  xtc::upload(ptr(info, 0), p, n);
  return info.Env().Undefined();
}
Napi::Value Download(const Info& info) {
  auto [p, n] = hostBytes(info, 1);
  xtc::download(p, ptr(info, 0), n);
  return info.Env().Undefined();
}
Napi::Value Copy(const Info& info) { xtc::copyDevice(ptr(info, 0), ptr(info, 1), i64(info, 2)); return info.Env().Undefined(); }
Napi::Value Sync(const Info& info) { xtc::synchronize(); return info.Env().Undefined(); }
Napi::Value Fill(const Info& info) {
  xtc::fillF32(ptr<float>(info, 0), static_cast<float>(num(info, 1)), i64(info, 2));
  return info.Env().Undefined();
}
Napi::Value Binary(const Info& info) {
  int64_t n;
  const auto s = strided(info, 4, 5, 2, &n);
  if (n) xtc::binaryF32(static_cast<int>(i64(info, 0)), ptr<float>(info, 1), ptr<float>(info, 2), ptr<float>(info, 3), s, n);
  return info.Env().Undefined();
}
Napi::Value Where(const Info& info) {
  int64_t n;
  auto s = strided(info, 4, 5, 3, &n);  // strides: a, b, cond
  if (n) xtc::whereF32(ptr<uint8_t>(info, 0), ptr<float>(info, 1), ptr<float>(info, 2), ptr<float>(info, 3), s, n);
  return info.Env().Undefined();
}
Napi::Value Unary(const Info& info) {
  xtc::unaryF32(static_cast<int>(i64(info, 0)), ptr<float>(info, 1), ptr<float>(info, 2), i64(info, 3));
  return info.Env().Undefined();
}
Napi::Value UnaryBackward(const Info& info) {
  xtc::unaryBackwardF32(static_cast<int>(i64(info, 0)), ptr<float>(info, 1), ptr<float>(info, 2), ptr<float>(info, 3),
                        ptr<float>(info, 4), i64(info, 5));
  return info.Env().Undefined();
}
Napi::Value CopyStrided(const Info& info) {
  int64_t n;
  const auto s = strided(info, 3, 4, 2, &n);  // shape, src strides, dst strides
  if (n) xtc::copyStrided(ptr(info, 0), ptr(info, 1), static_cast<int>(i64(info, 2)), s, n);
  return info.Env().Undefined();
}
Napi::Value Cast(const Info& info) {
  xtc::castHalf(ptr(info, 0), static_cast<int>(i64(info, 1)), ptr(info, 2), static_cast<int>(i64(info, 3)), i64(info, 4));
  return info.Env().Undefined();
}
Napi::Value Reduce(const Info& info) {
  xtc::reduceF32(static_cast<int>(i64(info, 0)), ptr<float>(info, 1), ptr(info, 2), i64(info, 3), i64(info, 4), i64(info, 5));
  return info.Env().Undefined();
}
Napi::Value Softmax(const Info& info) {
  xtc::softmaxF32(ptr<float>(info, 0), ptr<float>(info, 1), i64(info, 2), i64(info, 3), flag(info, 4));
  return info.Env().Undefined();
}
Napi::Value SoftmaxBackward(const Info& info) {
  xtc::softmaxBackwardF32(ptr<float>(info, 0), ptr<float>(info, 1), ptr<float>(info, 2), i64(info, 3), i64(info, 4), flag(info, 5));
  return info.Env().Undefined();
}
Napi::Value RmsNorm(const Info& info) {
  xtc::rmsNormF32(ptr<float>(info, 0), ptr<float>(info, 1), ptr<float>(info, 2), i64(info, 3), i64(info, 4),
                  static_cast<float>(num(info, 5)));
  return info.Env().Undefined();
}
Napi::Value RmsNormBackward(const Info& info) {
  xtc::rmsNormBackwardF32(ptr<float>(info, 0), ptr<float>(info, 1), ptr<float>(info, 2), ptr<float>(info, 3),
                          ptr<float>(info, 4), i64(info, 5), i64(info, 6), static_cast<float>(num(info, 7)));
  return info.Env().Undefined();
}
Napi::Value CrossEntropy(const Info& info) {
  xtc::crossEntropyF32(ptr<float>(info, 0), ptr<int32_t>(info, 1), ptr<float>(info, 2), i64(info, 3), i64(info, 4),
                       static_cast<int>(i64(info, 5)));
  return info.Env().Undefined();
}
Napi::Value CrossEntropyGrad(const Info& info) {
  xtc::crossEntropyGradF32(ptr<float>(info, 0), ptr<int32_t>(info, 1), ptr<float>(info, 2), ptr<float>(info, 3),
                           i64(info, 4), i64(info, 5), static_cast<int>(i64(info, 6)));
  return info.Env().Undefined();
}
Napi::Value Rope(const Info& info) {
  xtc::ropeF32(ptr<float>(info, 0), ptr<float>(info, 1), ptr<float>(info, 2), ptr<float>(info, 3), i64(info, 4),
               i64(info, 5), i64(info, 6), i64(info, 7), flag(info, 8), flag(info, 9));
  return info.Env().Undefined();
}
Napi::Value IndexSelect(const Info& info) {
  xtc::indexSelect32(ptr<uint32_t>(info, 0), ptr<int32_t>(info, 1), ptr<uint32_t>(info, 2), i64(info, 3), i64(info, 4),
                     i64(info, 5), i64(info, 6));
  return info.Env().Undefined();
}
Napi::Value IndexAdd(const Info& info) {
  xtc::indexAddF32(ptr<float>(info, 0), ptr<int32_t>(info, 1), ptr<float>(info, 2), i64(info, 3), i64(info, 4),
                   i64(info, 5), i64(info, 6));
  return info.Env().Undefined();
}
Napi::Value MaskedSoftmax(const Info& info) {
  xtc::maskedSoftmaxF32(ptr<float>(info, 0), i64(info, 1), i64(info, 2), i64(info, 3), flag(info, 4));
  return info.Env().Undefined();
}
Napi::Value QuantizeQ8(const Info& info) {
  xtc::quantizeQ8(ptr<float>(info, 0), ptr<uint8_t>(info, 1), i64(info, 2));
  return info.Env().Undefined();
}
Napi::Value QMatmul(const Info& info) {
  xtc::qmatmul(static_cast<int>(i64(info, 0)), ptr<uint8_t>(info, 1), ptr<uint8_t>(info, 2), ptr<float>(info, 3),
               i64(info, 4), i64(info, 5), i64(info, 6));
  return info.Env().Undefined();
}
Napi::Value Dequantize(const Info& info) {
  xtc::dequantize(static_cast<int>(i64(info, 0)), ptr<uint8_t>(info, 1), ptr<float>(info, 2), i64(info, 3));
  return info.Env().Undefined();
}
Napi::Value Random(const Info& info) {
  xtc::randomFill(static_cast<int>(i64(info, 0)), static_cast<uint64_t>(num(info, 1)), static_cast<uint64_t>(num(info, 2)),
                  ptr(info, 3), i64(info, 4), i64(info, 5), i64(info, 6));
  return info.Env().Undefined();
}
Napi::Value AdamW(const Info& info) {
  const xtc::AdamWStep c{num(info, 5), num(info, 6), num(info, 7), num(info, 8), num(info, 9), num(info, 10)};
  xtc::adamwF32(ptr<float>(info, 0), ptr<float>(info, 1), ptr<float>(info, 2), ptr<float>(info, 3), i64(info, 4), c);
  return info.Env().Undefined();
}
Napi::Value Gemm(const Info& info) {
  xtc::gemm(static_cast<xtc::GemmType>(i64(info, 0)), flag(info, 1), flag(info, 2), i64(info, 3), i64(info, 4),
            i64(info, 5), ptr(info, 6), ptr(info, 7), ptr(info, 8), i64(info, 9), i64(info, 10), i64(info, 11),
            i64(info, 12), static_cast<float>(num(info, 13)), static_cast<float>(num(info, 14)), flag(info, 15));
  return info.Env().Undefined();
}

Napi::Object Module(Napi::Env env, Napi::Object exports) {
  exports.Set("version", Napi::String::New(env, XTC_STR(XTC_VERSION)));
  const std::pair<const char*, Napi::Function::Callback> fns[] = {
      {"probe", guarded<Probe>}, {"init", guarded<Init>}, {"alloc", guarded<Alloc>}, {"free", guarded<Free>},
      {"emptyCache", guarded<EmptyCache>}, {"pool", guarded<Pool>}, {"upload", guarded<Upload>},
      {"download", guarded<Download>}, {"copy", guarded<Copy>}, {"sync", guarded<Sync>}, {"fill", guarded<Fill>},
      {"binary", guarded<Binary>}, {"where", guarded<Where>}, {"unary", guarded<Unary>},
      {"unaryBackward", guarded<UnaryBackward>}, {"copyStrided", guarded<CopyStrided>}, {"cast", guarded<Cast>},
      {"reduce", guarded<Reduce>}, {"softmax", guarded<Softmax>}, {"softmaxBackward", guarded<SoftmaxBackward>},
      {"rmsnorm", guarded<RmsNorm>}, {"rmsnormBackward", guarded<RmsNormBackward>},
      {"crossEntropy", guarded<CrossEntropy>}, {"crossEntropyGrad", guarded<CrossEntropyGrad>},
      {"rope", guarded<Rope>}, {"indexSelect", guarded<IndexSelect>}, {"indexAdd", guarded<IndexAdd>},
      {"maskedSoftmax", guarded<MaskedSoftmax>}, {"quantizeQ8", guarded<QuantizeQ8>}, {"qmatmul", guarded<QMatmul>},
      {"dequantize", guarded<Dequantize>}, {"random", guarded<Random>}, {"gemm", guarded<Gemm>}, {"adamw", guarded<AdamW>},
  };
  for (const auto& [name, fn] : fns) exports.Set(name, Napi::Function::New(env, fn, name));
  return exports;
}

}  // namespace

NODE_API_MODULE(x_tensor_cuda, Module)
