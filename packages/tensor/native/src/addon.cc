// Module entry: version, ISA selection, thread pool, then every registered kernel family.
#include <napi.h>

#include <string>

#include "core/bindings.h"
#include "core/isa.h"
#include "core/thread_pool.h"

#define XT_STR2(x) #x
#define XT_STR(x) XT_STR2(x)

namespace {

Napi::Value Isa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), xt::isaName(xt::activeIsa()));
}

Napi::Value SupportedIsas(const Napi::CallbackInfo& info) {
  Napi::Array out = Napi::Array::New(info.Env());
  const int top = static_cast<int>(xt::detectedIsa());
  for (int i = 0; i <= top; i++) out.Set(i, xt::isaName(static_cast<xt::Isa>(i)));
  return out;
}

Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "setIsa: name must be a string");
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  xt::Isa isa;
  if (!xt::parseIsa(name.c_str(), &isa)) {
    throw Napi::RangeError::New(env, "setIsa: unknown ISA \"" + name + "\" (expected scalar, avx2 or avx512)");
  }
  if (!xt::setActiveIsa(isa)) {
    throw Napi::RangeError::New(env, "setIsa: " + name + " is not supported on this CPU (best: " +
                                         xt::isaName(xt::detectedIsa()) + ")");
  }
  return Napi::String::New(env, xt::isaName(xt::activeIsa()));
}

Napi::Value Threads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), xt::threads()); }

Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "setThreads: n must be a number");
  const double n = info[0].As<Napi::Number>().DoubleValue();
  if (!(n >= 1 && n <= 256) || static_cast<double>(static_cast<int>(n)) != n) {
    throw Napi::RangeError::New(env, "setThreads: n must be an integer in [1, 256]");
  }
  return Napi::Number::New(env, xt::setThreads(static_cast<int>(n)));
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  if (!xt::baselineSupported()) {
    throw Napi::Error::New(env, "@x/tensor native: this CPU lacks SSE4.2/POPCNT (x86-64-v2)");
  }
  exports.Set("version", Napi::String::New(env, XT_STR(XT_VERSION)));
  exports.Set("isa", Napi::Function::New(env, Isa, "isa"));
  exports.Set("supportedIsas", Napi::Function::New(env, SupportedIsas, "supportedIsas"));
  exports.Set("setIsa", Napi::Function::New(env, SetIsa, "setIsa"));
  exports.Set("threads", Napi::Function::New(env, Threads, "threads"));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads, "setThreads"));
  xt::installBindings(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(x_tensor, Init)
