// ggml block formats on the GPU: q8_0 quantization of activations, the integer-dot qmatmul
// (x quantized to q8_0 first, as ggml and the CPU kernels do) and dequantization to f32.
// Blocks: q8_0 = f16 scale + 32 int8 (34 bytes); q4_0 = f16 scale + 16 bytes of nibbles
// (low nibble element e, high nibble element e + 16, code - 8), 18 bytes. Only 2-byte aligned.
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include "kernels.h"

namespace xtc {
namespace {

__device__ __forceinline__ float scaleAt(const uint8_t* p) {
  return __half2float(__ushort_as_half(*reinterpret_cast<const unsigned short*>(p)));
}

// 4 bytes at a 2-byte aligned address.
__device__ __forceinline__ int word(const uint8_t* p) {
  const unsigned short* h = reinterpret_cast<const unsigned short*>(p);
  return static_cast<int>(static_cast<uint32_t>(h[0]) | (static_cast<uint32_t>(h[1]) << 16));
}

// One warp per 32-value block: d = amax / 127, codes = roundf(x / d) (ggml's reference).
__global__ void quantizeKernel(const float* x, uint8_t* q, int64_t blocks) {
  const int64_t b = (blockIdx.x * int64_t{blockDim.x} + threadIdx.x) >> 5;
  const int lane = threadIdx.x & 31;
  if (b >= blocks) return;
  const float v = x[b * 32 + lane];
  float amax = fabsf(v);
  for (int o = 16; o > 0; o >>= 1) amax = fmaxf(amax, __shfl_xor_sync(0xffffffffu, amax, o));
  const float d = amax / 127.f;
  const float id = d != 0.f ? 1.f / d : 0.f;
  uint8_t* blk = q + b * 34;
  if (lane == 0) *reinterpret_cast<unsigned short*>(blk) = __half_as_ushort(__float2half_rn(d));
  blk[2 + lane] = static_cast<uint8_t>(static_cast<int8_t>(roundf(v * id)));
}

// One warp per output (i, j); lanes stride over the k / 32 blocks.
template <int FORMAT>
__global__ void qmatmulKernel(const uint8_t* w, const uint8_t* xq, float* out, int64_t m, int64_t n, int64_t k) {
  const int64_t task = (blockIdx.x * int64_t{blockDim.x} + threadIdx.x) >> 5;
  const int lane = threadIdx.x & 31;
  if (task >= m * n) return;
  const int64_t i = task / n, j = task % n, nb = k / 32;
  constexpr int wb = FORMAT == 0 ? 34 : 18;
  float acc = 0.f;
  for (int64_t b = lane; b < nb; b += 32) {
    const uint8_t* xb = xq + (i * nb + b) * 34;
    const uint8_t* wblk = w + (j * nb + b) * wb;
    int sum = 0;
    if (FORMAT == 0) {
#pragma unroll
      for (int t = 0; t < 8; t++) sum = __dp4a(word(wblk + 2 + 4 * t), word(xb + 2 + 4 * t), sum);
    } else {
#pragma unroll
      for (int t = 0; t < 4; t++) {
        const int packed = word(wblk + 2 + 4 * t);
        const int lo = static_cast<int>(__vsub4(packed & 0x0f0f0f0f, 0x08080808));  // per byte: code - 8
        const int hi = static_cast<int>(__vsub4((packed >> 4) & 0x0f0f0f0f, 0x08080808));
        sum = __dp4a(lo, word(xb + 2 + 4 * t), sum);
        sum = __dp4a(hi, word(xb + 18 + 4 * t), sum);
      }
    }
    acc += static_cast<float>(sum) * scaleAt(wblk) * scaleAt(xb);
  }
  for (int o = 16; o > 0; o >>= 1) acc += __shfl_xor_sync(0xffffffffu, acc, o);
  if (lane == 0) out[i * n + j] = acc;
}

__global__ void dequantKernel(int format, const uint8_t* w, float* out, int64_t n) {
  for (int64_t e = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; e < n; e += int64_t{gridDim.x} * blockDim.x) {
    const int64_t b = e / 32;
    const int r = static_cast<int>(e % 32);
    if (format == 0) {
      const uint8_t* blk = w + b * 34;
      out[e] = scaleAt(blk) * static_cast<float>(static_cast<int8_t>(blk[2 + r]));
    } else {
      const uint8_t* blk = w + b * 18;
      const int byte = blk[2 + (r & 15)];
      out[e] = scaleAt(blk) * static_cast<float>((r < 16 ? (byte & 15) : (byte >> 4)) - 8);
    }
  }
}

}  // namespace

void quantizeQ8(const float* x, uint8_t* q, int64_t n) {
  const int64_t blocks = n / 32;
  if (blocks == 0) return;
  quantizeKernel<<<static_cast<unsigned>((blocks * 32 + 255) / 256), 256, 0, stream()>>>(x, q, blocks);
  checkLaunch("quantizeQ8");
}

void qmatmul(int format, const uint8_t* w, const uint8_t* xq, float* out, int64_t m, int64_t n, int64_t k) {
  const int64_t threads = m * n * 32;
  if (threads == 0) return;
  const unsigned grid = static_cast<unsigned>((threads + 255) / 256);
  if (format == 0) qmatmulKernel<0><<<grid, 256, 0, stream()>>>(w, xq, out, m, n, k);
  else qmatmulKernel<1><<<grid, 256, 0, stream()>>>(w, xq, out, m, n, k);
  checkLaunch("qmatmul");
}

void dequantize(int format, const uint8_t* w, float* out, int64_t n) {
  if (n == 0) return;
  const int64_t b = (n + 255) / 256;
  dequantKernel<<<static_cast<unsigned>(b > 8192 ? 8192 : b), 256, 0, stream()>>>(format, w, out, n);
  checkLaunch("dequantize");
}

}  // namespace xtc
