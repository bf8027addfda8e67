// Self-registration of binding families: a `*_binding.cc` file declares
//   XT_BINDING(gemm) { exports.Set("sgemm", Napi::Function::New(env, Sgemm)); }
// and addon.cc installs every registered family, so new families need no central edit.
// (These files are compiled into the addon itself, so their static registrars always run.)
#pragma once

#include <napi.h>

namespace xt {

using BindingInit = void (*)(Napi::Env env, Napi::Object exports);

struct BindingRegistrar {
  BindingRegistrar(const char* family, BindingInit init);
};

void installBindings(Napi::Env env, Napi::Object exports);

}  // namespace xt

#define XT_BINDING(family)                                                  \
  static void xtBind_##family(Napi::Env env, Napi::Object exports);         \
  static ::xt::BindingRegistrar xtRegistrar_##family(#family, xtBind_##family); \
  static void xtBind_##family(Napi::Env env, Napi::Object exports)
