// JS entry of sortRows (contract: src/backend/kernels.ts SortRowsKernel): the first k positions
// of a stable sort of each contiguous f32 row, threaded over rows. Comparison sorting has no
// SIMD level to choose, so it lives in the core target. Each element becomes one u64 key
// (order-preserving bits of the value, then its position): -0 and +0 share a key and every NaN
// the largest one, so the js comparator's ties fall back to the position, which makes the
// unstable std::sort / std::partial_sort give the stable order and top-k a prefix of it.
#include <algorithm>
#include <cstring>
#include <vector>

#include "core/args.h"
#include "core/bindings.h"
#include "core/thread_pool.h"

namespace {

struct Ctx {
  const float* x;
  int32_t* out;
  int64_t n, k;
  bool descending;
};

inline uint32_t orderBits(float v) {
  if (v != v) return 0xffffffffu;
  if (v == 0.0f) v = 0.0f;  // -0 ties with +0
  uint32_t u;
  std::memcpy(&u, &v, 4);
  return (u & 0x80000000u) ? ~u : u | 0x80000000u;
}

void sortRange(void* p, int64_t r0, int64_t r1) {
  const Ctx& c = *static_cast<const Ctx*>(p);
  std::vector<uint64_t> keys(c.n);
  for (int64_t r = r0; r < r1; r++) {
    const float* row = c.x + r * c.n;
    for (int64_t j = 0; j < c.n; j++) {
      const uint32_t bits = orderBits(row[j]);
      keys[j] = (uint64_t{c.descending ? ~bits : bits} << 32) | static_cast<uint64_t>(j);
    }
    if (c.k == c.n) std::sort(keys.begin(), keys.end());
    else if (c.k > 0) std::partial_sort(keys.begin(), keys.begin() + c.k, keys.end());
    int32_t* out = c.out + r * c.k;
    for (int64_t j = 0; j < c.k; j++) out[j] = static_cast<int32_t>(keys[j] & 0xffffffffu);
  }
}

// sortRows(x, rows, n, k, descending, out: Int32Array [rows, k]).
Napi::Value SortRows(const Napi::CallbackInfo& info) {
  using namespace xt::js;
  constexpr const char* K = "sortRows";
  Napi::Env env = info.Env();
  const auto x = f32(info, 0, K, "x");
  Ctx c{};
  const int64_t rows = integer(info, 1, K, "rows", 0, int64_t{1} << 40);
  c.n = integer(info, 2, K, "n", 0, (int64_t{1} << 31) - 1);
  c.k = integer(info, 3, K, "k", 0, c.n);
  c.descending = boolean(info, 4, K, "descending");
  const auto out = i32(info, 5, K, "out");
  needLength(env, K, "x", x.length, mul(env, K, rows, c.n));
  needLength(env, K, "out", out.length, mul(env, K, rows, c.k));
  c.x = x.data;
  c.out = out.data;
  if (rows > 0 && c.k > 0) xt::parallelFor(rows, c.n >= 2048 ? 1 : 2048 / c.n, sortRange, &c);
  return env.Undefined();
}

}  // namespace

XT_BINDING(sort) { exports.Set("sortRows", Napi::Function::New(env, SortRows, "sortRows")); }
