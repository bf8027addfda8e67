// JS entry of sgemm (contract: src/backend/kernels.ts SgemmKernel).
#include "core/args.h"
#include "core/bindings.h"
#include "gemm/sgemm.h"

namespace {

constexpr const char* K = "sgemm";
constexpr int64_t kMaxDim = int64_t{1} << 40;

// Elements an operand must hold: the last batch entry's offset plus one matrix.
int64_t span(Napi::Env env, int64_t batch, int64_t stride, int64_t matrix) {
  if (batch == 0 || matrix == 0) return 0;
  return xt::js::mul(env, K, batch - 1, stride) + matrix;
}

Napi::Value Sgemm(const Napi::CallbackInfo& info) {
  using namespace xt::js;
  Napi::Env env = info.Env();
  const auto a = f32(info, 0, K, "a");
  const auto b = f32(info, 1, K, "b");
  const auto c = f32(info, 2, K, "c");
  xt::SgemmArgs g{};
  g.m = integer(info, 3, K, "m", 0, kMaxDim);
  g.n = integer(info, 4, K, "n", 0, kMaxDim);
  g.k = integer(info, 5, K, "k", 0, kMaxDim);
  g.transA = boolean(info, 6, K, "transA");
  g.transB = boolean(info, 7, K, "transB");
  g.batch = integer(info, 8, K, "batch", 0, kMaxDim);
  g.strideA = integer(info, 9, K, "strideA", 0, kMaxDim);
  g.strideB = integer(info, 10, K, "strideB", 0, kMaxDim);
  g.strideC = integer(info, 11, K, "strideC", 0, kMaxDim);
  const int64_t mn = mul(env, K, g.m, g.n);
  needLength(env, K, "a", a.length, span(env, g.batch, g.strideA, mn == 0 ? 0 : mul(env, K, g.m, g.k)));
  needLength(env, K, "b", b.length, span(env, g.batch, g.strideB, mn == 0 ? 0 : mul(env, K, g.k, g.n)));
  needLength(env, K, "c", c.length, span(env, g.batch, g.strideC, mn));
  if (g.batch > 1 && g.strideC < mn && mn > 0) {
    throwRange(env, "sgemm: argument strideC must be >= m*n so batch outputs do not overlap");
  }
  g.a = a.data;
  g.b = b.data;
  g.c = c.data;
  XT_SELECT(sgemm)(g);
  return env.Undefined();
}

}  // namespace

XT_BINDING(gemm) { exports.Set("sgemm", Napi::Function::New(env, Sgemm, "sgemm")); }
