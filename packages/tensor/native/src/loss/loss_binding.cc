// JS entries of crossEntropy and crossEntropyBackward (contract: src/backend/kernels.ts).
#include <string>

#include "core/args.h"
#include "core/bindings.h"
#include "loss/loss.h"

namespace {

using namespace xt::js;

// Reads (logits, targets, rows, vocab, ignoreIndex) at argument 0.. and checks the targets.
xt::CrossEntropyArgs common(const Napi::CallbackInfo& info, const char* K) {
  Napi::Env env = info.Env();
  constexpr int64_t kSafe = (int64_t{1} << 53) - 1;
  const auto logits = f32(info, 0, K, "logits");
  const auto targets = i32(info, 1, K, "targets");
  xt::CrossEntropyArgs g{};
  g.rows = integer(info, 2, K, "rows", 0, int64_t{1} << 40);
  g.vocab = integer(info, 3, K, "vocab", 1, int64_t{1} << 40);
  g.ignoreIndex = integer(info, 4, K, "ignoreIndex", -kSafe, kSafe);
  needLength(env, K, "logits", logits.length, mul(env, K, g.rows, g.vocab));
  needLength(env, K, "targets", targets.length, g.rows);
  for (int64_t r = 0; r < g.rows; r++) {
    const int64_t t = targets.data[r];
    if (t != g.ignoreIndex && (t < 0 || t >= g.vocab)) {
      throwRange(env, std::string(K) + ": target " + std::to_string(t) + " at position " + std::to_string(r) +
                          " is out of range for " + std::to_string(g.vocab) + " classes");
    }
  }
  g.logits = logits.data;
  g.targets = targets.data;
  return g;
}

// crossEntropy(logits, targets, rows, vocab, ignoreIndex, out [rows]).
Napi::Value CrossEntropy(const Napi::CallbackInfo& info) {
  constexpr const char* K = "crossEntropy";
  xt::CrossEntropyArgs g = common(info, K);
  const auto out = f32(info, 5, K, "out");
  needLength(info.Env(), K, "out", out.length, g.rows);
  g.out = out.data;
  if (g.rows > 0) XT_SELECT(crossEntropyForward)(g);
  return info.Env().Undefined();
}

// crossEntropyBackward(logits, targets, rows, vocab, ignoreIndex, weights [rows], grad [rows, vocab]).
Napi::Value CrossEntropyBackward(const Napi::CallbackInfo& info) {
  constexpr const char* K = "crossEntropyBackward";
  xt::CrossEntropyArgs g = common(info, K);
  const auto weights = f32(info, 5, K, "weights");
  const auto grad = f32(info, 6, K, "grad");
  needLength(info.Env(), K, "weights", weights.length, g.rows);
  needLength(info.Env(), K, "grad", grad.length, g.rows * g.vocab);
  g.weights = weights.data;
  g.out = grad.data;
  if (g.rows > 0) XT_SELECT(crossEntropyBackward)(g);
  return info.Env().Undefined();
}

}  // namespace

XT_BINDING(loss) {
  exports.Set("crossEntropy", Napi::Function::New(env, CrossEntropy, "crossEntropy"));
  exports.Set("crossEntropyBackward", Napi::Function::New(env, CrossEntropyBackward, "crossEntropyBackward"));
}
