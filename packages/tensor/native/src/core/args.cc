#include "core/args.h"

#include <cmath>
#include <limits>
#include <string>

namespace xt::js {
namespace {

std::string where(const char* kernel, const char* name) {
  return std::string(kernel) + ": argument " + name;
}

template <class T>
Span<T> typed(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name,
              napi_typedarray_type type, const char* typeName) {
  Napi::Env env = info.Env();
  if (index >= info.Length() || !info[index].IsTypedArray() ||
      info[index].As<Napi::TypedArray>().TypedArrayType() != type) {
    throwType(env, where(kernel, name) + " must be a " + typeName);
  }
  auto array = info[index].As<Napi::TypedArrayOf<T>>();
  return Span<T>{array.Data(), static_cast<int64_t>(array.ElementLength())};
}

}  // namespace

void throwRange(Napi::Env env, const std::string& message) {
  throw Napi::RangeError::New(env, message);
}

void throwType(Napi::Env env, const std::string& message) {
  throw Napi::TypeError::New(env, message);
}

Span<float> f32(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name) {
  return typed<float>(info, index, kernel, name, napi_float32_array, "Float32Array");
}
Span<uint16_t> u16(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name) {
  return typed<uint16_t>(info, index, kernel, name, napi_uint16_array, "Uint16Array");
}
Span<int32_t> i32(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name) {
  return typed<int32_t>(info, index, kernel, name, napi_int32_array, "Int32Array");
}
Span<uint8_t> u8(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name) {
  return typed<uint8_t>(info, index, kernel, name, napi_uint8_array, "Uint8Array");
}

int64_t integer(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name,
                int64_t lo, int64_t hi) {
  Napi::Env env = info.Env();
  if (index >= info.Length() || !info[index].IsNumber()) throwType(env, where(kernel, name) + " must be a number");
  const double v = info[index].As<Napi::Number>().DoubleValue();
  if (!std::isfinite(v) || std::floor(v) != v || v < static_cast<double>(lo) || v > static_cast<double>(hi)) {
    throwRange(env, where(kernel, name) + " must be an integer in [" + std::to_string(lo) + ", " +
                        std::to_string(hi) + "], got " + std::to_string(v));
  }
  return static_cast<int64_t>(v);
}

double number(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name) {
  if (index >= info.Length() || !info[index].IsNumber()) throwType(info.Env(), where(kernel, name) + " must be a number");
  return info[index].As<Napi::Number>().DoubleValue();
}

bool boolean(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name) {
  if (index >= info.Length() || !info[index].IsBoolean()) throwType(info.Env(), where(kernel, name) + " must be a boolean");
  return info[index].As<Napi::Boolean>().Value();
}

std::string string(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name) {
  if (index >= info.Length() || !info[index].IsString()) throwType(info.Env(), where(kernel, name) + " must be a string");
  return info[index].As<Napi::String>().Utf8Value();
}

void needLength(Napi::Env env, const char* kernel, const char* name, int64_t have, int64_t need) {
  if (have < need) {
    throwRange(env, where(kernel, name) + " is too short: needs " + std::to_string(need) +
                        " elements, has " + std::to_string(have));
  }
}

int64_t mul(Napi::Env env, const char* kernel, int64_t a, int64_t b) {
  if (a != 0 && b > std::numeric_limits<int64_t>::max() / 4 / a) {
    throwRange(env, std::string(kernel) + ": sizes overflow");
  }
  return a * b;
}

}  // namespace xt::js
