// The ggml format argument of the quant and fused bindings ("q8_0" or "q4_0").
#pragma once

#include <string>

#include "core/args.h"
#include "quant/quant.h"

namespace xt::js {

inline QFormat qformat(const Napi::CallbackInfo& info, size_t index, const char* kernel) {
  const std::string name = string(info, index, kernel, "format");
  if (name == "q8_0") return QFormat::q8_0;
  if (name != "q4_0")
    throwRange(info.Env(), std::string(kernel) + ": argument format must be \"q8_0\" or \"q4_0\", got \"" + name + "\"");
  return QFormat::q4_0;
}

}  // namespace xt::js
