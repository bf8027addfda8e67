// Block-wide reductions shared by the row kernels (one block per row, 1-D blocks): every thread
// of the block must call them, and each returns the block's result to every thread.
#pragma once

#include <cuda_runtime.h>

namespace xtc {

__device__ inline double blockSum(double v) {
  __shared__ double part[32];
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  __syncthreads();
  if (lane == 0) part[warp] = v;
  __syncthreads();
  double t = 0;
  for (int w = 0; w < (blockDim.x + 31) / 32; w++) t += part[w];
  return t;
}

__device__ inline float blockMax(float v) {
  __shared__ float part[32];
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  __syncthreads();
  if (lane == 0) part[warp] = v;
  __syncthreads();
  float t = -INFINITY;
  for (int w = 0; w < (blockDim.x + 31) / 32; w++) t = fmaxf(t, part[w]);
  return t;
}

}  // namespace xtc
