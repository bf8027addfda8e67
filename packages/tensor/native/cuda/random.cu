// Philox4x32-10 streams, bit-identical to src/ops/random.ts (and the CPU addon's random/philox.h):
// every transform step is one IEEE double operation in the js order, with log/sin/cos as fixed
// fdlibm polynomials. This file must be compiled with -fmad=false (no fused multiply-add).
#include <cuda_runtime.h>

#include "kernels.h"

namespace xtc {
namespace {

struct Words {
  uint32_t w[4];
};

__device__ Words philox(uint32_t c0, uint32_t c1, uint32_t c2, uint32_t c3, uint32_t k0, uint32_t k1) {
  for (int r = 0; r < 10; r++) {
    if (r > 0) {
      k0 += 0x9e3779b9u;
      k1 += 0xbb67ae85u;
    }
    const uint32_t hi0 = __umulhi(0xd2511f53u, c0), lo0 = 0xd2511f53u * c0;
    const uint32_t hi1 = __umulhi(0xcd9e8d57u, c2), lo1 = 0xcd9e8d57u * c2;
    const uint32_t n0 = hi1 ^ c1 ^ k0;
    const uint32_t n2 = hi0 ^ c3 ^ k1;
    c1 = lo1;
    c3 = lo0;
    c0 = n0;
    c2 = n2;
  }
  return Words{{c0, c1, c2, c3}};
}

// log((w + 1) / 2^32) as in random-math.ts.
__device__ double logUniform(uint32_t w) {
  if (w == 0xffffffffu) return 0.0;
  const uint32_t v = w + 1;
  int e = 31 - __clz(v);
  double m = static_cast<double>(v) / static_cast<double>(1ull << e);
  if (m > 1.4142135623730951) {
    m = m * 0.5;
    e = e + 1;
  }
  const double f = m - 1.0;
  const double s = f / (2.0 + f);
  const double z = s * s;
  const double w2 = z * z;
  const double t1 = w2 * (0.3999999999940942 + w2 * (0.22222198432149784 + w2 * 0.15313837699209373));
  const double t2 = z * (0.6666666666666735 +
                         w2 * (0.2857142874366239 + w2 * (0.1818357216161805 + w2 * 0.14798198605116586)));
  const double r = t2 + t1;
  const double hfsq = 0.5 * f * f;
  const double k = static_cast<double>(e - 32);
  return k * 0.6931471803691238 - ((hfsq - (s * (hfsq + r) + k * 1.9082149292705877e-10)) - f);
}

// cos and sin of 2 pi w / 2^32 as in random-math.ts.
__device__ void sinCosTurn(uint32_t w, double* c, double* s) {
  const uint32_t t = w + 0x20000000u;
  const uint32_t q = t >> 30;
  const double a = static_cast<double>(static_cast<int32_t>(t & 0x3fffffffu) - 0x20000000) * 1.4629180792671596e-09;
  const double z = a * a;
  const double sr = 0.00833333333332249 +
                    z * (-0.0001984126982985795 +
                         z * (2.7557313707070068e-06 + z * (-2.5050760253406863e-08 + z * 1.58969099521155e-10)));
  const double sa = a + z * a * (-0.16666666666666632 + z * sr);
  const double cr = z * (0.0416666666666666 +
                         z * (-0.001388888888887411 +
                              z * (2.480158728947673e-05 +
                                   z * (-2.7557314351390663e-07 +
                                        z * (2.087572321298175e-09 + z * -1.1359647557788195e-11)))));
  const double hz = 0.5 * z;
  const double cw = 1.0 - hz;
  const double ca = cw + (((1.0 - cw) - hz) + z * cr);
  switch (q) {
    case 0: *c = ca, *s = sa; break;
    case 1: *c = -sa, *s = ca; break;
    case 2: *c = -ca, *s = -sa; break;
    default: *c = sa, *s = -ca; break;
  }
}

// Thread b computes Philox block b = elements 4b .. 4b + 3.
__global__ void randomKernel(int kind, uint32_t k0, uint32_t k1, uint32_t o0, uint32_t o1, void* out, int64_t n,
                             int64_t low, int64_t span) {
  const int64_t blocks = (n + 3) / 4;
  for (int64_t b = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; b < blocks; b += int64_t{gridDim.x} * blockDim.x) {
    const Words blk = philox(static_cast<uint32_t>(b), static_cast<uint32_t>(b >> 32), o0, o1, k0, k1);
    const int64_t i0 = 4 * b;
    const int m = n - i0 < 4 ? static_cast<int>(n - i0) : 4;
    if (kind == 0) {
      float* o = static_cast<float*>(out) + i0;
      for (int j = 0; j < m; j++) o[j] = static_cast<float>(blk.w[j] >> 8) * 0x1p-24f;
    } else if (kind == 1) {
      float* o = static_cast<float*>(out) + i0;
      for (int j = 0; j < m; j += 2) {
        const double r = sqrt(-2.0 * logUniform(blk.w[j]));
        double c, s;
        sinCosTurn(blk.w[j + 1], &c, &s);
        o[j] = static_cast<float>(r * c);
        if (j + 1 < m) o[j + 1] = static_cast<float>(r * s);
      }
    } else {
      int32_t* o = static_cast<int32_t*>(out) + i0;
      for (int j = 0; j < m; j++) {
        const uint64_t x = span == (int64_t{1} << 32) ? blk.w[j]
                                                      : (uint64_t{blk.w[j]} * static_cast<uint64_t>(span)) >> 32;
        o[j] = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(low) + x));
      }
    }
  }
}

}  // namespace

void randomFill(int kind, uint64_t seed, uint64_t offset, void* out, int64_t n, int64_t low, int64_t span) {
  if (n == 0) return;
  const int64_t blocks = (n + 3) / 4;
  const int64_t g = (blocks + 255) / 256;
  randomKernel<<<static_cast<unsigned>(g > 8192 ? 8192 : g), 256, 0, stream()>>>(
      kind, static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32), static_cast<uint32_t>(offset),
      static_cast<uint32_t>(offset >> 32), out, n, low, span);
  checkLaunch("random");
}

}  // namespace xtc
