// Unary elementwise ops, written once per ISA. exp and log (and what is built on exp) use the
// vector polynomials of simd/vmath.h; sin, cos, tanh and erfc call libm lane by lane, since
// their range reductions are not worth owning here.
#pragma once

#include <cmath>

#include "elementwise/ops.h"
#include "simd/vmath.h"

namespace xt::XT_ISA {

template <class F>
inline vf lanes(vf x, F f) {
  for (int i = 0; i < W; i++) x[i] = f(x[i]);
  return x;
}

template <int Op>
inline vf unaryV(vf x) {
  const vf one = splat(1.0f);
  if constexpr (Op == kNeg) return -x;
  else if constexpr (Op == kAbs) return vabs(x);
  else if constexpr (Op == kExp) return vexp(x);
  else if constexpr (Op == kLog) return vlog(x);
  else if constexpr (Op == kSqrt) return vsqrt(x);
  else if constexpr (Op == kRsqrt) return one / vsqrt(x);
  else if constexpr (Op == kSin) return lanes(x, [](float v) { return std::sin(v); });
  else if constexpr (Op == kCos) return lanes(x, [](float v) { return std::cos(v); });
  else if constexpr (Op == kTanh) return lanes(x, [](float v) { return std::tanh(v); });
  else if constexpr (Op == kSigmoid) return one / (one + vexp(-x));
  else if constexpr (Op == kSilu) return x / (one + vexp(-x));
  else if constexpr (Op == kGelu)  // x * Phi(x) = x/2 erfc(-x/sqrt2), in f64: erfc's tail is ill-conditioned
    return lanes(x, [](float v) { return float(0.5 * v * std::erfc(-double(v) * 0.70710678118654752)); });
  else if constexpr (Op == kRelu) return nanMask(x) ? x : vmax(x, splat(0.0f));
  else if constexpr (Op == kSquare) return x * x;
  else if constexpr (Op == kReciprocal) return one / x;
  else  // gelu_tanh: x/2 (1 + tanh(u)) = x sigmoid(2u), in f64 for the same reason
    return lanes(x, [](float v) {
      const double u2 = 1.5957691216057308 * (double(v) + 0.044715 * double(v) * v * v);
      return float(v / (1.0 + std::exp(-u2)));
    });
}

template <int Op>
void unaryOp(const float* x, float* out, int64_t n) {
  parallel(n, 16384, [&](int64_t b, int64_t e) {
    int64_t i = b;
    for (; i + W <= e; i += W) store(out + i, unaryV<Op>(load(x + i)));
    if (i < e) storePartial(out + i, unaryV<Op>(loadPartial(x + i, e - i, 1.0f)), e - i);
  });
}

void unary(int op, const float* x, float* out, int64_t n) {
  switch (op) {
    case kNeg: return unaryOp<kNeg>(x, out, n);
    case kAbs: return unaryOp<kAbs>(x, out, n);
    case kExp: return unaryOp<kExp>(x, out, n);
    case kLog: return unaryOp<kLog>(x, out, n);
    case kSqrt: return unaryOp<kSqrt>(x, out, n);
    case kRsqrt: return unaryOp<kRsqrt>(x, out, n);
    case kSin: return unaryOp<kSin>(x, out, n);
    case kCos: return unaryOp<kCos>(x, out, n);
    case kTanh: return unaryOp<kTanh>(x, out, n);
    case kSigmoid: return unaryOp<kSigmoid>(x, out, n);
    case kSilu: return unaryOp<kSilu>(x, out, n);
    case kGelu: return unaryOp<kGelu>(x, out, n);
    case kRelu: return unaryOp<kRelu>(x, out, n);
    case kSquare: return unaryOp<kSquare>(x, out, n);
    case kReciprocal: return unaryOp<kReciprocal>(x, out, n);
    default: return unaryOp<kGeluTanh>(x, out, n);
  }
}

}  // namespace xt::XT_ISA
