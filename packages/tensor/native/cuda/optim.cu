// The fused AdamW update (src/ops/optim.ts): f64 per element with every product, sum, quotient
// and square root rounded once (no contraction into fused multiply-adds), then stored as f32,
// exactly as the js loop does, so both backends write the same bits.
#include <cuda_runtime.h>

#include "kernels.h"

namespace xtc {
namespace {

__global__ void adamwKernel(float* p, const float* g, float* m, float* v, int64_t n, AdamWStep c) {
  const double k1 = __dadd_rn(1.0, -c.beta1), k2 = __dadd_rn(1.0, -c.beta2);
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    const double gi = g[i];
    const float mi = static_cast<float>(__dadd_rn(__dmul_rn(c.beta1, m[i]), __dmul_rn(k1, gi)));
    const float vi = static_cast<float>(__dadd_rn(__dmul_rn(c.beta2, v[i]), __dmul_rn(__dmul_rn(k2, gi), gi)));
    m[i] = mi;
    v[i] = vi;
    const double denom = __dadd_rn(__ddiv_rn(__dsqrt_rn(vi), c.sqrtBias2), c.eps);
    p[i] = static_cast<float>(__dadd_rn(__dmul_rn(p[i], c.shrink), -__dmul_rn(c.stepSize, __ddiv_rn(mi, denom))));
  }
}

}  // namespace

void adamwF32(float* p, const float* g, float* m, float* v, int64_t n, const AdamWStep& c) {
  if (n == 0) return;
  int64_t blocks = (n + 255) / 256;
  if (blocks > 4096) blocks = 4096;
  adamwKernel<<<static_cast<unsigned>(blocks), 256, 0, stream()>>>(p, g, m, v, n, c);
  checkLaunch("adamw");
}

}  // namespace xtc
