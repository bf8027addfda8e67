// Baseline (x86-64-v2) build of the quant kernels: plain integer dot products that rebuild the
// signed codes exactly, one block at a time. The reference the SIMD traits are tested against.
#define XT_ISA scalar
#include "quant/quant.h"
#include "simd/f16.h"

namespace xt::scalar {

template <int Bytes>
struct DotScalar {
  static constexpr int kBytes = Bytes, kBlocks = 1;
  using Acc = float;
  static Acc zero() { return 0.0f; }
  static int32_t isum(const uint8_t* qs, const int8_t* x) {
    int32_t s = 0;
    for (int j = 0; j < 16; j++) {
      if (Bytes == kQ4Bytes) s += ((qs[j] & 15) - 8) * x[j] + ((qs[j] >> 4) - 8) * x[j + 16];
      else s += static_cast<int8_t>(qs[j]) * x[j] + static_cast<int8_t>(qs[j + 16]) * x[j + 16];
    }
    return s;
  }
  static void rowScales(const uint8_t* w, int64_t nb, float* dw);
  static float single(const uint8_t* w, const int8_t* q, const float* dw, const float* dx, const int32_t*, int64_t b) {
    return dw[b] * dx[b] * static_cast<float>(isum(w + b * Bytes + 2, q + b * kQBlock));
  }
  static Acc step(Acc a, const uint8_t* w, const int8_t* q, const float* dw, const float* dx, const int32_t*, int64_t b) {
    return a + single(w, q, dw, dx, nullptr, b);
  }
  static float reduce(Acc a0, Acc a1) { return a0 + a1; }
  static void arrange(int8_t*, const float*, const int32_t*, int32_t*, int64_t) {}
};

using DotQ8 = DotScalar<kQ8Bytes>;
using DotQ4 = DotScalar<kQ4Bytes>;

}  // namespace xt::scalar

#include "quant/quant_impl.h"

template <int Bytes>
void xt::scalar::DotScalar<Bytes>::rowScales(const uint8_t* w, int64_t nb, float* dw) {
  rowScalesScalar<Bytes>(w, nb, dw);
}
