// Strided-broadcast binary ops, written once per ISA. Axes that are contiguous for both inputs
// are merged first; the innermost run is then vectorized when its strides are (1,1), (1,0) or
// (0,1) and walked element by element otherwise. Rows of the output split across threads.
#pragma once

#include <cmath>

#include "elementwise/ops.h"
#include "simd/vec.h"

namespace xt::XT_ISA {

// max/min propagate NaN (like Math.max and torch.maximum).
template <int Op>
inline vf applyV(vf a, vf b) {
  if constexpr (Op == kAdd) return a + b;
  else if constexpr (Op == kSub) return a - b;
  else if constexpr (Op == kMul) return a * b;
  else if constexpr (Op == kDiv) return a / b;
  else if constexpr (Op == kMax) return (nanMask(a) | nanMask(b)) ? a + b : vmax(a, b);
  else if constexpr (Op == kMin) return (nanMask(a) | nanMask(b)) ? a + b : vmin(a, b);
  else {
    for (int i = 0; i < W; i++) a[i] = std::pow(a[i], b[i]);
    return a;
  }
}

template <int Op>
inline float applyS(float a, float b) {
  return applyV<Op>(splat(a), splat(b))[0];
}

template <int Op>
void runInner(const float* a, int64_t sa, const float* b, int64_t sb, float* out, int64_t n) {
  int64_t i = 0;
  if (sa == 1 && sb == 1) {
    for (; i + W <= n; i += W) store(out + i, applyV<Op>(load(a + i), load(b + i)));
  } else if (sa == 1 && sb == 0) {
    const vf bv = splat(*b);
    for (; i + W <= n; i += W) store(out + i, applyV<Op>(load(a + i), bv));
  } else if (sa == 0 && sb == 1) {
    const vf av = splat(*a);
    for (; i + W <= n; i += W) store(out + i, applyV<Op>(av, load(b + i)));
  }
  for (; i < n; i++) out[i] = applyS<Op>(a[i * sa], b[i * sb]);
}

template <int Op>
void binaryOp(const BinaryArgs& g) {
  // Merge axis d into d+1 when stepping d equals stepping the whole of d+1 in every operand.
  int64_t shape[kMaxRank], sa[kMaxRank], sb[kMaxRank];
  int rank = 0;
  for (int d = 0; d < g.rank; d++) {
    if (g.shape[d] == 1) continue;
    if (rank > 0 && sa[rank - 1] == g.aStrides[d] * g.shape[d] && sb[rank - 1] == g.bStrides[d] * g.shape[d]) {
      shape[rank - 1] *= g.shape[d];
      sa[rank - 1] = g.aStrides[d];
      sb[rank - 1] = g.bStrides[d];
      continue;
    }
    shape[rank] = g.shape[d];
    sa[rank] = g.aStrides[d];
    sb[rank] = g.bStrides[d];
    rank++;
  }
  if (rank == 0) {  // a single element
    g.out[0] = applyS<Op>(g.a[0], g.b[0]);
    return;
  }
  const int64_t inner = shape[rank - 1];
  int64_t rows = 1;
  for (int d = 0; d < rank - 1; d++) rows *= shape[d];
  parallel(rows, imax(1, 16384 / inner), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      int64_t offA = 0, offB = 0, rest = r;
      for (int d = rank - 2; d >= 0; d--) {
        const int64_t idx = rest % shape[d];
        rest /= shape[d];
        offA += idx * sa[d];
        offB += idx * sb[d];
      }
      runInner<Op>(g.a + offA, sa[rank - 1], g.b + offB, sb[rank - 1], g.out + r * inner, inner);
    }
  });
}

void binary(const BinaryArgs& g) {
  switch (g.op) {
    case kAdd: return binaryOp<kAdd>(g);
    case kSub: return binaryOp<kSub>(g);
    case kMul: return binaryOp<kMul>(g);
    case kDiv: return binaryOp<kDiv>(g);
    case kMax: return binaryOp<kMax>(g);
    case kMin: return binaryOp<kMin>(g);
    default: return binaryOp<kPow>(g);
  }
}

}  // namespace xt::XT_ISA
