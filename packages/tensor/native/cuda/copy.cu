// Strided-to-strided copies (src strides in a, dst strides in b) (any element size up to 8 bytes) and f32 <-> f16/bf16 conversion.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include "kernels.h"

namespace xtc {
namespace {

template <typename T>
__global__ void copyKernel(const T* src, T* dst, Strided s, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    if (s.nd == 1) {
      dst[i * s.b[0]] = src[i * s.a[0]];
      continue;
    }
    int64_t o = 0, od = 0, j = i;
    for (int d = s.nd - 1; d >= 0; d--) {
      const int64_t q = j / s.shape[d];
      o += (j - q * s.shape[d]) * s.a[d];
      od += (j - q * s.shape[d]) * s.b[d];
      j = q;
    }
    dst[od] = src[o];
  }
}

__device__ __forceinline__ float load(const void* p, int type, int64_t i) {
  if (type == 0) return static_cast<const float*>(p)[i];
  if (type == 1) return __half2float(static_cast<const __half*>(p)[i]);
  return __bfloat162float(static_cast<const __nv_bfloat16*>(p)[i]);
}

__global__ void castKernel(const void* src, int st, void* dst, int dt, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    const float v = load(src, st, i);
    if (dt == 0) static_cast<float*>(dst)[i] = v;
    else if (dt == 1) static_cast<__half*>(dst)[i] = __float2half_rn(v);
    else static_cast<__nv_bfloat16*>(dst)[i] = __float2bfloat16_rn(v);
  }
}

inline unsigned grid(int64_t n) {
  const int64_t b = (n + 255) / 256;
  return static_cast<unsigned>(b < 1 ? 1 : (b > 8192 ? 8192 : b));
}

}  // namespace

void copyStrided(const void* src, void* dst, int elemBytes, const Strided& strided, int64_t n) {
  const Strided s = collapse(strided, 2);
  switch (elemBytes) {
    case 1: copyKernel<<<grid(n), 256, 0, stream()>>>(static_cast<const uint8_t*>(src), static_cast<uint8_t*>(dst), s, n); break;
    case 2: copyKernel<<<grid(n), 256, 0, stream()>>>(static_cast<const uint16_t*>(src), static_cast<uint16_t*>(dst), s, n); break;
    case 4: copyKernel<<<grid(n), 256, 0, stream()>>>(static_cast<const uint32_t*>(src), static_cast<uint32_t*>(dst), s, n); break;
    default: copyKernel<<<grid(n), 256, 0, stream()>>>(static_cast<const uint64_t*>(src), static_cast<uint64_t*>(dst), s, n); break;
  }
  checkLaunch("copyStrided");
}

void castHalf(const void* src, int srcType, void* dst, int dstType, int64_t n) {
  castKernel<<<grid(n), 256, 0, stream()>>>(src, srcType, dst, dstType, n);
  checkLaunch("cast");
}

}  // namespace xtc
