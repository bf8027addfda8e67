// Philox4x32-10 streams on the GPU, bit-identical to src/ops/random.ts and the CPU addon: the
// generator and the sample transforms are the CPU's own (native/src/random/philox.h, host and
// device). Every transform step is one IEEE double operation in the js order, so this file must
// be compiled with -fmad=false (no fused multiply-add).
#include <cuda_runtime.h>

#include "../src/random/philox.h"
#include "kernels.h"

namespace xtc {
namespace {

// Thread b computes Philox block b = elements 4b .. 4b + 3.
__global__ void randomKernel(int kind, uint32_t k0, uint32_t k1, uint32_t o0, uint32_t o1, void* out, int64_t n,
                             int64_t low, int64_t span) {
  const int64_t blocks = (n + 3) / 4;
  for (int64_t b = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; b < blocks; b += int64_t{gridDim.x} * blockDim.x) {
    const auto blk = xt::philox::block(static_cast<uint32_t>(b), static_cast<uint32_t>(b >> 32), o0, o1, k0, k1);
    const int64_t i0 = 4 * b;
    xt::philox::writeSamples(kind, blk, out, i0, n - i0 < 4 ? n - i0 : 4, low, span);
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
