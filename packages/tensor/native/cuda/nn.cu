// Rotary embeddings, row gather/scatter-add (embedding and its gradient), and the masked row
// softmax used by attention (the two products around it are cuBLAS GEMMs, see attention.ts).
#include <cuda_runtime.h>

#include "kernels.h"

namespace xtc {
namespace {

// x [lead, seq, dim]; cos/sin [lead / perRow, seq, dim / 2]; one thread per rotation pair;
// `inverse` rotates by -theta (the backward pass).
__global__ void ropeKernel(const float* x, const float* cs, const float* sn, float* out, int64_t lead,
                           int64_t perRow, int64_t seq, int64_t dim, bool rotateHalf, bool inverse) {
  const int64_t half = dim / 2;
  const int64_t n = lead * seq * half;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    const int64_t p = i % half;
    const int64_t row = i / half;  // l * seq + s
    const int64_t l = row / seq, s = row % seq;
    const int64_t ang = ((l / perRow) * seq + s) * half + p;
    const float c = cs[ang], sv = inverse ? -sn[ang] : sn[ang];
    const int64_t a = row * dim + (rotateHalf ? p : 2 * p);
    const int64_t b = a + (rotateHalf ? half : 1);
    const float xa = x[a], xb = x[b];
    out[a] = xa * c - xb * sv;
    out[b] = xb * c + xa * sv;
  }
}

// out[o, j, :] = src[o, idx[j], :] (32-bit words).
__global__ void selectKernel(const uint32_t* src, const int32_t* idx, uint32_t* out, int64_t outer, int64_t n,
                             int64_t inner, int64_t count) {
  const int64_t total = outer * count * inner;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < total; i += int64_t{gridDim.x} * blockDim.x) {
    const int64_t e = i % inner;
    const int64_t j = (i / inner) % count;
    const int64_t o = i / (inner * count);
    out[i] = src[(o * n + idx[j]) * inner + e];
  }
}

// dst[o, idx[j], :] += src[o, j, :] (atomic: repeated ids accumulate in arbitrary order).
__global__ void indexAddKernel(float* dst, const int32_t* idx, const float* src, int64_t outer, int64_t n,
                               int64_t inner, int64_t count) {
  const int64_t total = outer * count * inner;
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < total; i += int64_t{gridDim.x} * blockDim.x) {
    const int64_t e = i % inner;
    const int64_t j = (i / inner) % count;
    const int64_t o = i / (inner * count);
    atomicAdd(dst + (o * n + idx[j]) * inner + e, src[i]);
  }
}

// In-place softmax of score rows [rows, cols]; row r is query r % sq, which under `causal` sees
// keys j <= q + cols - sq. A row that sees nothing (or only -inf) becomes zeros.
__global__ void maskedSoftmaxKernel(float* s, int64_t cols, int64_t sq, bool causal) {
  __shared__ float redM[32];
  __shared__ float redS[32];
  float* r = s + blockIdx.x * cols;
  const int64_t limit = causal ? (blockIdx.x % sq) + cols - sq : cols - 1;
  float m = -INFINITY;
  for (int64_t j = threadIdx.x; j < cols; j += blockDim.x)
    if (j <= limit) m = fmaxf(m, r[j]);
  for (int o = 16; o > 0; o >>= 1) m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, o));
  if ((threadIdx.x & 31) == 0) redM[threadIdx.x >> 5] = m;
  __syncthreads();
  m = -INFINITY;
  for (int w = 0; w < (blockDim.x + 31) / 32; w++) m = fmaxf(m, redM[w]);
  float sum = 0.f;
  for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
    const float e = (j <= limit && m != -INFINITY) ? expf(r[j] - m) : 0.f;
    r[j] = e;
    sum += e;
  }
  for (int o = 16; o > 0; o >>= 1) sum += __shfl_xor_sync(0xffffffffu, sum, o);
  if ((threadIdx.x & 31) == 0) redS[threadIdx.x >> 5] = sum;
  __syncthreads();
  sum = 0.f;
  for (int w = 0; w < (blockDim.x + 31) / 32; w++) sum += redS[w];
  const float inv = sum > 0.f ? 1.f / sum : 0.f;
  for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) r[j] *= inv;
}

inline unsigned grid(int64_t n) {
  const int64_t b = (n + 255) / 256;
  return static_cast<unsigned>(b < 1 ? 1 : (b > 8192 ? 8192 : b));
}

}  // namespace

void ropeF32(const float* x, const float* cos, const float* sin, float* out, int64_t lead, int64_t perRow,
             int64_t seq, int64_t dim, bool rotateHalf, bool inverse) {
  ropeKernel<<<grid(lead * seq * (dim / 2)), 256, 0, stream()>>>(x, cos, sin, out, lead, perRow, seq, dim, rotateHalf,
                                                                 inverse);
  checkLaunch("rope");
}

void indexSelect32(const uint32_t* src, const int32_t* idx, uint32_t* out, int64_t outer, int64_t n,
                   int64_t inner, int64_t count) {
  selectKernel<<<grid(outer * count * inner), 256, 0, stream()>>>(src, idx, out, outer, n, inner, count);
  checkLaunch("indexSelect");
}

void indexAddF32(float* dst, const int32_t* idx, const float* src, int64_t outer, int64_t n, int64_t inner,
                 int64_t count) {
  indexAddKernel<<<grid(outer * count * inner), 256, 0, stream()>>>(dst, idx, src, outer, n, inner, count);
  checkLaunch("indexAdd");
}

void maskedSoftmaxF32(float* s, int64_t rows, int64_t cols, int64_t sq, bool causal) {
  if (rows == 0) return;
  const int threads = cols >= 1024 ? 1024 : (cols >= 256 ? 256 : 64);
  maskedSoftmaxKernel<<<static_cast<unsigned>(rows), threads, 0, stream()>>>(s, cols, sq, causal);
  checkLaunch("maskedSoftmax");
}

}  // namespace xtc
