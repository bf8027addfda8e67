// RoPE written once per ISA. Each pair is read before either half is written, so `out` may be
// `x` (in-place rotation of a KV cache slot).
#pragma once

#include "rope/rope.h"
#include "simd/vec.h"

namespace xt::XT_ISA {

inline void rotateHalfHead(const float* x, const float* c, const float* s, float* out, int64_t half) {
  int64_t i = 0;
  for (; i + W <= half; i += W) {
    const vf x1 = load(x + i), x2 = load(x + half + i), cv = load(c + i), sv = load(s + i);
    store(out + i, x1 * cv - x2 * sv);
    store(out + half + i, x2 * cv + x1 * sv);
  }
  for (; i < half; i++) {
    const float x1 = x[i], x2 = x[half + i];
    out[i] = x1 * c[i] - x2 * s[i];
    out[half + i] = x2 * c[i] + x1 * s[i];
  }
}

inline void interleavedHead(const float* x, const float* c, const float* s, float* out, int64_t half) {
  for (int64_t i = 0; i < half; i++) {
    const float x1 = x[2 * i], x2 = x[2 * i + 1];
    out[2 * i] = x1 * c[i] - x2 * s[i];
    out[2 * i + 1] = x2 * c[i] + x1 * s[i];
  }
}

void rope(const RopeArgs& g) {
  const int64_t half = g.dim / 2;
  parallel(g.rows * g.heads, imax(1, 4096 / imax(1, g.dim)), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; t++) {
      const int64_t r = t / g.heads;
      const float* c = g.cos + r * half;
      const float* s = g.sin + r * half;
      if (g.rotateHalf) rotateHalfHead(g.x + t * g.dim, c, s, g.out + t * g.dim, half);
      else interleavedHead(g.x + t * g.dim, c, s, g.out + t * g.dim, half);
    }
  });
}

}  // namespace xt::XT_ISA
