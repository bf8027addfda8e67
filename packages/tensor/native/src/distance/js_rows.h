// Argument parsing shared by the distance and graph bindings: byte views of any typed array,
// Uint32Array spans, optional (null/undefined) arrays, and the row-set description.
#pragma once

#include <napi.h>

#include <string>

#include "core/args.h"
#include "distance/distance.h"

namespace xt::js {

struct Bytes {
  uint8_t* data;
  int64_t length;
};

inline bool absent(const Napi::CallbackInfo& info, size_t i) {
  return i >= info.Length() || info[i].IsNull() || info[i].IsUndefined();
}

// Any typed array, as bytes.
inline Bytes anyBytes(const Napi::CallbackInfo& info, size_t i, const char* k, const char* name) {
  if (i >= info.Length() || !info[i].IsTypedArray()) throwType(info.Env(), std::string(k) + ": argument " + name + " must be a typed array");
  auto a = info[i].As<Napi::TypedArray>();
  auto* base = static_cast<uint8_t*>(a.ArrayBuffer().Data());
  return Bytes{base + a.ByteOffset(), static_cast<int64_t>(a.ByteLength())};
}

template <class T, napi_typedarray_type Type>
inline Span<T> typedOf(const Napi::CallbackInfo& info, size_t i, const char* k, const char* name, const char* typeName) {
  if (i >= info.Length() || !info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != Type)
    throwType(info.Env(), std::string(k) + ": argument " + name + " must be a " + typeName);
  auto a = info[i].As<Napi::TypedArrayOf<T>>();
  return Span<T>{a.Data(), static_cast<int64_t>(a.ElementLength())};
}
inline Span<uint32_t> u32(const Napi::CallbackInfo& info, size_t i, const char* k, const char* name) {
  return typedOf<uint32_t, napi_uint32_array>(info, i, k, name, "Uint32Array");
}
inline Span<double> f64(const Napi::CallbackInfo& info, size_t i, const char* k, const char* name) {
  return typedOf<double, napi_float64_array>(info, i, k, name, "Float64Array");
}

inline int64_t rowBytes(RowType t) { return t == RowType::F32 ? 4 : t == RowType::F16 ? 2 : 1; }

// Parses (rows, stride, dimPad, type, metric, n) starting at argument `i`; checks that n rows fit.
inline RowSet rowSet(const Napi::CallbackInfo& info, size_t i, const char* k, int64_t* n) {
  constexpr int64_t kMax = int64_t{1} << 40;
  Napi::Env env = info.Env();
  const Bytes rows = anyBytes(info, i, k, "rows");
  RowSet s{};
  s.rows = rows.data;
  s.stride = integer(info, i + 1, k, "stride", 1, kMax);
  s.dimPad = integer(info, i + 2, k, "dimPad", 16, kMax);
  s.type = static_cast<RowType>(integer(info, i + 3, k, "rowType", 0, 2));
  s.metric = static_cast<DistMetric>(integer(info, i + 4, k, "metric", 0, 1));
  *n = integer(info, i + 5, k, "n", 0, 0xFFFFFFFELL);
  if (s.dimPad % 16 != 0) throwRange(env, std::string(k) + ": dimPad must be a multiple of 16");
  if (s.stride < s.dimPad * rowBytes(s.type)) throwRange(env, std::string(k) + ": stride is smaller than dimPad elements");
  needLength(env, k, "rows (bytes)", rows.length, mul(env, k, *n, s.stride));
  return s;
}

}  // namespace xt::js
