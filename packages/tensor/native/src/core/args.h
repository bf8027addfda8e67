// Argument checks shared by the bindings. Kernels borrow TypedArray memory only for the
// duration of a synchronous call; every length is checked here, before any kernel runs, and a
// failure throws a JS TypeError/RangeError that names the kernel and the argument.
#pragma once

#include <napi.h>

#include <cstdint>

namespace xt::js {

template <class T>
struct Span {
  T* data;
  int64_t length;
};

// Typed arrays of one exact element type (a Float32Array where float is expected, ...).
Span<float> f32(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name);
Span<uint16_t> u16(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name);
Span<int32_t> i32(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name);
Span<uint8_t> u8(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name);

// An integer-valued number in [lo, hi].
int64_t integer(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name,
                int64_t lo, int64_t hi);
double number(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name);
bool boolean(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name);
std::string string(const Napi::CallbackInfo& info, size_t index, const char* kernel, const char* name);

// RangeError unless `have >= need`.
void needLength(Napi::Env env, const char* kernel, const char* name, int64_t have, int64_t need);
[[noreturn]] void throwRange(Napi::Env env, const std::string& message);
[[noreturn]] void throwType(Napi::Env env, const std::string& message);

// a * b with a RangeError instead of overflow (sizes come from JS numbers).
int64_t mul(Napi::Env env, const char* kernel, int64_t a, int64_t b);

}  // namespace xt::js
