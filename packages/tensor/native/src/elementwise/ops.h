// Op codes shared with src/backend/kernels.ts (BinaryOp, UnaryOp) and the kernel declarations.
#pragma once

#include <cstdint>

#include "core/dispatch.h"

namespace xt {

enum BinaryOp : int { kAdd = 0, kSub, kMul, kDiv, kMax, kMin, kPow, kBinaryOpCount };

enum UnaryOp : int {
  kNeg = 0, kAbs, kExp, kLog, kSqrt, kRsqrt, kSin, kCos, kTanh, kSigmoid,
  kSilu, kGelu, kRelu, kSquare, kReciprocal, kGeluTanh, kUnaryOpCount
};

constexpr int kMaxRank = 8;

struct BinaryArgs {
  int op;
  const float* a;
  const float* b;
  float* out;
  int rank;
  int64_t shape[kMaxRank];
  int64_t aStrides[kMaxRank];
  int64_t bStrides[kMaxRank];
};

}  // namespace xt

XT_DECLARE_KERNEL(void, binary, (const ::xt::BinaryArgs& args))
XT_DECLARE_KERNEL(void, unary, (int op, const float* x, float* out, int64_t n))
