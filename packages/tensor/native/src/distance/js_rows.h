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

// One napi_get_typedarray_info per array (the node-addon-api accessors make several): search
// takes a dozen arrays per query, so this is a measurable share of a 10 us call.
inline bool typedInfo(const Napi::CallbackInfo& info, size_t i, napi_typedarray_type* type, size_t* length, void** data) {
  if (i >= info.Length()) return false;
  napi_value buffer;
  size_t offset;
  return napi_get_typedarray_info(info.Env(), info[i], type, length, data, &buffer, &offset) == napi_ok;
}

inline int64_t elementBytes(napi_typedarray_type t) {
  switch (t) {
    case napi_int8_array: case napi_uint8_array: case napi_uint8_clamped_array: return 1;
    case napi_int16_array: case napi_uint16_array: return 2;
    case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: return 8;
    default: return 4;
  }
}

// Any typed array, as bytes.
inline Bytes anyBytes(const Napi::CallbackInfo& info, size_t i, const char* k, const char* name) {
  napi_typedarray_type type;
  size_t length;
  void* data;
  if (!typedInfo(info, i, &type, &length, &data)) throwType(info.Env(), std::string(k) + ": argument " + name + " must be a typed array");
  return Bytes{static_cast<uint8_t*>(data), static_cast<int64_t>(length) * elementBytes(type)};
}

template <class T, napi_typedarray_type Type>
inline Span<T> typedOf(const Napi::CallbackInfo& info, size_t i, const char* k, const char* name, const char* typeName) {
  napi_typedarray_type type;
  size_t length;
  void* data;
  if (!typedInfo(info, i, &type, &length, &data) || type != Type)
    throwType(info.Env(), std::string(k) + ": argument " + name + " must be a " + typeName);
  return Span<T>{static_cast<T*>(data), static_cast<int64_t>(length)};
}
inline Span<float> f32a(const Napi::CallbackInfo& info, size_t i, const char* k, const char* name) {
  return typedOf<float, napi_float32_array>(info, i, k, name, "Float32Array");
}
inline Span<uint8_t> u8a(const Napi::CallbackInfo& info, size_t i, const char* k, const char* name) {
  return typedOf<uint8_t, napi_uint8_array>(info, i, k, name, "Uint8Array");
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
