// Group quantization written once per ISA, rounding step for step like group-quant.ts (whose doc
// states the rules): f64 where js computes in f64, f32 where js applies Math.fround, so codes
// and metadata are identical on every ISA and backend. Contiguous groups (inner == 1) run their
// min/max and code math on vectors; strided groups (groups along a non-last axis) go element by
// element. f32(q * s) is kept from fusing with "+ z" into an FMA, which would round differently.
#pragma once

#include <cmath>
#include <mutex>

#include "gquant/gquant.h"
#include "simd/f16.h"

namespace xt::XT_ISA {


inline float stepF32(float v, int dir) {
  if (v == 0.0f) return dir > 0 ? 0x1p-149f : -0x1p-149f;
  uint32_t u;
  std::memcpy(&u, &v, 4);
  u += ((v > 0) == (dir > 0)) ? 1u : 0xffffffffu;
  std::memcpy(&v, &u, 4);
  return v;
}

inline uint16_t stepF16(uint16_t h, int dir) {
  if ((h & 0x7fff) == 0) return dir > 0 ? 0x0001 : 0x8001;
  return static_cast<uint16_t>((((h & 0x8000) == 0) == (dir > 0)) ? h + 1 : h - 1);
}

// The metadata value nearest v on the side `dir` (f16 goes through f32 first, as half.ts does).
inline float toMeta(double v, bool half, int dir, uint16_t* bits) {
  if (!half) {
    const float r = static_cast<float>(v);
    return (r == v || (r > v) == (dir > 0)) ? r : stepF32(r, dir);
  }
  uint16_t h = f2h(static_cast<float>(v));
  const double r = h2f(h);
  if (r != v && (r > v) != (dir > 0)) h = stepF16(h, dir);
  *bits = h;
  return h2f(h);
}

inline void storeMeta(void* array, bool half, int64_t gi, float value, uint16_t bits) {
  if (half) static_cast<uint16_t*>(array)[gi] = bits;
  else static_cast<float*>(array)[gi] = value;
}
inline float loadMeta(const void* array, bool half, int64_t gi) {
  return half ? h2f(static_cast<const uint16_t*>(array)[gi]) : static_cast<const float*>(array)[gi];
}

// Min and max of one group; false (with *bad set) at the first |x| > limit or NaN.
inline bool groupRange(const float* x, int64_t g, int64_t inner, float limit, float* lo, float* hi, int64_t* bad) {
  float z = __builtin_inff(), m = -__builtin_inff();
  int64_t e = 0;
  if (inner == 1) {
    vf vz = splat(z), vm = splat(m);
    for (; e + W <= g; e += W) {
      const vf v = load(x + e);
      const vi ok = vabs(v) <= splat(limit);  // false for NaN
      bool all = true;
      for (int i = 0; i < W; i++) all = all && ok[i] != 0;
      if (!all) break;  // the scalar loop below finds the element
      vz = vmin(vz, v), vm = vmax(vm, v);
    }
    for (int i = 0; i < W; i++) z = vz[i] < z ? vz[i] : z, m = vm[i] > m ? vm[i] : m;
  }
  for (; e < g; e++) {
    const float v = x[e * inner];
    if (!(std::fabs(v) <= limit)) return *bad = e, false;
    z = v < z ? v : z, m = v > m ? v : m;
  }
  *lo = z, *hi = m;
  return true;
}

// Codes of one group, clamp(roundTiesEven(f32(f32(x - z) * inv)), 0, qmax), packed LSB-first.
inline void packGroup(const float* x, int64_t g, int64_t inner, float z, float inv, int bits, uint32_t* words) {
  const int per = 32 / bits;
  const float qmax = static_cast<float>((1 << bits) - 1);
  alignas(64) int32_t codes[W];
  int64_t e = 0;
  if (inner == 1) {
    for (; e + W <= g; e += W) {
      const vf t = vround(vmin(splat(qmax), vmax(splat(0.0f), (load(x + e) - splat(z)) * splat(inv))));
      const vi q = __builtin_convertvector(t, vi);
      std::memcpy(codes, &q, sizeof q);
      for (int i = 0; i < W; i++) words[(e + i) / per] |= static_cast<uint32_t>(codes[i]) << (((e + i) % per) * bits);
    }
  }
  for (; e < g; e++) {
    const float t = std::nearbyint((x[e * inner] - z) * inv);
    const uint32_t q = static_cast<uint32_t>(t < 0.0f ? 0.0f : t > qmax ? qmax : t);
    words[e / per] |= q << ((e % per) * bits);
  }
}

void groupQuantize(const GroupQuantArgs& a, GroupQuantError* error) {
  const int64_t groups = a.outer * a.len * a.inner / a.g;
  const int64_t wpg = (a.g * a.bits + 31) / 32;
  const double qmax = (1 << a.bits) - 1;
  const float limit = a.metaHalf ? 65504.0f : __FLT_MAX__;
  std::mutex lock;
  parallel(groups, imax(1, 4096 / a.g), [&](int64_t g0, int64_t g1) {
    for (int64_t gi = g0; gi < g1; gi++) {
      const int64_t base = groupStart(gi, a.g, a.len, a.inner);
      const float* x = a.x + base;
      uint32_t* words = a.words + gi * wpg;
      for (int64_t w = 0; w < wpg; w++) words[w] = 0;
      GroupQuantError fail;
      float z, m;
      int64_t bad;
      if (!groupRange(x, a.g, a.inner, limit, &z, &m, &bad)) {
        fail.kind = GroupQuantError::BadValue, fail.element = base + bad * a.inner, fail.value = x[bad * a.inner];
      } else {
        uint16_t zBits = 0, sBits = 0;
        const float zh = toMeta(z, a.metaHalf, -1, &zBits);
        storeMeta(a.zeros, a.metaHalf, gi, zh, zBits);
        storeMeta(a.scales, a.metaHalf, gi, 0.0f, 0);
        if (m == z) continue;  // scale 0, codes 0
        const float sh = toMeta((static_cast<double>(m) - zh) / qmax, a.metaHalf, 1, &sBits);
        const float inv = static_cast<float>(1.0 / sh);
        if (!std::isfinite(inv)) continue;  // a scale too small to invert: a constant group
        if (!std::isfinite(static_cast<float>(static_cast<double>(m) - zh))) {
          fail.kind = GroupQuantError::TooWide, fail.lo = z, fail.hi = m;
        } else {
          storeMeta(a.scales, a.metaHalf, gi, sh, sBits);
          packGroup(x, a.g, a.inner, zh, inv, a.bits, words);
          continue;
        }
      }
      fail.group = gi;
      std::lock_guard<std::mutex> hold(lock);
      if (error->kind == GroupQuantError::None || gi < error->group) *error = fail;
      return;  // later groups of this range cannot fail earlier
    }
  });
}

void groupDequantize(const GroupQuantArgs& a) {
  const int64_t groups = a.outer * a.len * a.inner / a.g;
  const int64_t wpg = (a.g * a.bits + 31) / 32;
  const int per = 32 / a.bits;
  const uint32_t mask = (1u << a.bits) - 1;
  parallel(groups, imax(1, 4096 / a.g), [&](int64_t g0, int64_t g1) {
    alignas(64) float codes[W];
    for (int64_t gi = g0; gi < g1; gi++) {
      const float s = loadMeta(a.scales, a.metaHalf, gi), z = loadMeta(a.zeros, a.metaHalf, gi);
      const uint32_t* words = a.words + gi * wpg;
      float* out = a.x + groupStart(gi, a.g, a.len, a.inner);
      auto code = [&](int64_t e) { return static_cast<float>((words[e / per] >> ((e % per) * a.bits)) & mask); };
      int64_t e = 0;
      if (a.inner == 1) {
        for (; e + W <= a.g; e += W) {
          for (int i = 0; i < W; i++) codes[i] = code(e + i);
          store(out + e, unfused(load(codes) * splat(s)) + splat(z));
        }
      }
      for (; e < a.g; e++) out[e * a.inner] = unfused(code(e) * s) + z;
    }
  });
}

}  // namespace xt::XT_ISA
