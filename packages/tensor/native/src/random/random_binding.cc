// JS entry of random (contract: src/backend/kernels.ts RandomKernel). ISA-independent by design:
// Philox is 32-bit integer work and the normal transform must round exactly like the js code,
// so it lives in the core target (baseline flags, no FMA) and is threaded over Philox blocks.
#include <string>

#include "core/args.h"
#include "core/bindings.h"
#include "core/thread_pool.h"
#include "core/typed_any.h"
#include "random/philox.h"

namespace {

struct Draw {
  int kind;
  uint32_t k0, k1, o0, o1;
  int64_t n;
  void* out;
  int64_t low, span;  // randint: [low, low + span), span <= 2^32
};

// Block b of the stream holds elements 4b .. 4b+3 (two Box-Muller pairs for normals).
void drawBlocks(void* ctx, int64_t b0, int64_t b1) {
  const Draw& d = *static_cast<const Draw*>(ctx);
  for (int64_t b = b0; b < b1; b++) {
    const auto blk = xt::philox::block(static_cast<uint32_t>(b), static_cast<uint32_t>(b >> 32), d.o0, d.o1, d.k0, d.k1);
    const int64_t i0 = 4 * b;
    xt::philox::writeSamples(d.kind, blk, d.out, i0, d.n - i0 < 4 ? d.n - i0 : 4, d.low, d.span);
  }
}

// random(kind, seed, offset, out, low, span): element i of stream (seed, offset), i in [0, out.length).
Napi::Value Random(const Napi::CallbackInfo& info) {
  using namespace xt::js;
  constexpr const char* K = "random";
  constexpr int64_t kSafe = (int64_t{1} << 53) - 1;
  Napi::Env env = info.Env();
  Draw d{};
  d.kind = static_cast<int>(integer(info, 0, K, "kind", 0, 2));
  const auto seed = static_cast<uint64_t>(integer(info, 1, K, "seed", 0, kSafe));
  const auto offset = static_cast<uint64_t>(integer(info, 2, K, "offset", 0, kSafe));
  const Raw out = d.kind == xt::philox::kInt ? raw(info, 3, K, "out", {napi_int32_array}, "Int32Array")
                                 : raw(info, 3, K, "out", {napi_float32_array}, "Float32Array");
  d.low = integer(info, 4, K, "low", -kSafe, kSafe);
  d.span = integer(info, 5, K, "span", 1, int64_t{1} << 32);
  d.k0 = static_cast<uint32_t>(seed);
  d.k1 = static_cast<uint32_t>(seed >> 32);
  d.o0 = static_cast<uint32_t>(offset);
  d.o1 = static_cast<uint32_t>(offset >> 32);
  d.n = out.length;
  d.out = out.data;
  if (d.n > 0) xt::parallelFor((d.n + 3) / 4, 1024, drawBlocks, &d);
  return env.Undefined();
}

}  // namespace

XT_BINDING(random) { exports.Set("random", Napi::Function::New(env, Random, "random")); }
