// Argument helpers for kernels that move raw elements regardless of their type (gather, sort
// indices, strided copies, packed words): a TypedArray of an allowed element size, seen as bytes.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

#include "core/args.h"

namespace xt::js {

struct Raw {
  void* data;
  int64_t length;  // elements
  int size;        // bytes per element
  napi_typedarray_type type;
};

// A TypedArray whose element type is one of `allowed`.
inline Raw raw(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name,
               std::initializer_list<napi_typedarray_type> allowed, const char* what) {
  Napi::Env env = info.Env();
  if (index < info.Length() && info[index].IsTypedArray()) {
    auto array = info[index].As<Napi::TypedArray>();
    for (napi_typedarray_type t : allowed) {
      if (array.TypedArrayType() != t) continue;
      auto* base = static_cast<uint8_t*>(array.ArrayBuffer().Data()) + array.ByteOffset();
      return Raw{base, static_cast<int64_t>(array.ElementLength()), static_cast<int>(array.ElementSize()), t};
    }
  }
  throwType(env, std::string(kernel) + ": argument " + name + " must be a " + what);
}

// A Uint32Array (packed code words).
inline Span<uint32_t> u32(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name) {
  const Raw r = raw(info, index, kernel, name, {napi_uint32_array}, "Uint32Array");
  return Span<uint32_t>{static_cast<uint32_t*>(r.data), r.length};
}

// Small Int32Array of dims or strides (rank <= maxRank), copied out as int64.
inline int shapeArg(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name,
                    int64_t* out, int maxRank, int64_t lo) {
  const auto s = i32(info, index, kernel, name);
  if (s.length > maxRank) {
    throwRange(info.Env(), std::string(kernel) + ": argument " + name + " has rank " + std::to_string(s.length) +
                               " > " + std::to_string(maxRank));
  }
  for (int64_t d = 0; d < s.length; d++) {
    if (s.data[d] < lo) {
      throwRange(info.Env(), std::string(kernel) + ": argument " + name + "[" + std::to_string(d) +
                                 "] = " + std::to_string(s.data[d]) + " is below " + std::to_string(lo));
    }
    out[d] = s.data[d];
  }
  return static_cast<int>(s.length);
}

}  // namespace xt::js
