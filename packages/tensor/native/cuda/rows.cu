// Row kernels over contiguous rows: softmax, RMSNorm and cross-entropy, forward and backward.
// One block per row; sums accumulate in f64 like the js oracle, so results agree to f32 rounding.
#include <cuda_runtime.h>

#include "block-reduce.h"
#include "kernels.h"

namespace xtc {
namespace {

constexpr int kThreads = 256;

__global__ void softmaxKernel(const float* x, float* out, int64_t cols, bool log) {
  const float* r = x + blockIdx.x * cols;
  float* o = out + blockIdx.x * cols;
  float m = -INFINITY;
  for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) m = fmaxf(m, r[j]);
  m = blockMax(m);
  double s = 0;
  for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) s += exp(static_cast<double>(r[j]) - m);
  s = blockSum(s);
  const double ls = ::log(s);
  for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
    const double z = static_cast<double>(r[j]) - m;
    o[j] = static_cast<float>(log ? z - ls : exp(z) / s);
  }
}

__global__ void softmaxGradKernel(const float* y, const float* g, float* out, int64_t cols, bool log) {
  const int64_t base = blockIdx.x * cols;
  double s = 0;
  for (int64_t j = threadIdx.x; j < cols; j += blockDim.x)
    s += log ? static_cast<double>(g[base + j]) : static_cast<double>(g[base + j]) * y[base + j];
  s = blockSum(s);
  for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
    const double yy = y[base + j], gg = g[base + j];
    out[base + j] = static_cast<float>(log ? gg - exp(yy) * s : yy * (gg - s));
  }
}

__global__ void rmsKernel(const float* x, const float* w, float* out, int64_t cols, float eps) {
  const float* r = x + blockIdx.x * cols;
  double s = 0;
  for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) s += static_cast<double>(r[j]) * r[j];
  s = blockSum(s);
  const double inv = 1.0 / sqrt(s / cols + eps);
  for (int64_t j = threadIdx.x; j < cols; j += blockDim.x)
    out[blockIdx.x * cols + j] = static_cast<float>(r[j] * inv * (w ? w[j] : 1.f));
}

// dx = inv * (g w - xhat * mean(g w xhat)); dwRows[r, j] = g xhat (summed over rows by the caller).
__global__ void rmsGradKernel(const float* x, const float* w, const float* g, float* dx, float* dwRows,
                              int64_t cols, float eps) {
  const int64_t base = blockIdx.x * cols;
  double s = 0;
  for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) s += static_cast<double>(x[base + j]) * x[base + j];
  s = blockSum(s);
  const double inv = 1.0 / sqrt(s / cols + eps);
  double dot = 0;
  for (int64_t j = threadIdx.x; j < cols; j += blockDim.x)
    dot += static_cast<double>(g[base + j]) * (w ? w[j] : 1.f) * x[base + j] * inv;
  dot = blockSum(dot) / cols;
  for (int64_t j = threadIdx.x; j < cols; j += blockDim.x) {
    const double xhat = x[base + j] * inv;
    dx[base + j] = static_cast<float>(inv * (g[base + j] * (w ? w[j] : 1.f) - xhat * dot));
    if (dwRows) dwRows[base + j] = static_cast<float>(g[base + j] * xhat);
  }
}

__global__ void ceKernel(const float* logits, const int32_t* t, float* loss, int64_t vocab, int ignore) {
  const float* r = logits + blockIdx.x * vocab;
  const int target = t[blockIdx.x];
  float m = -INFINITY;
  for (int64_t j = threadIdx.x; j < vocab; j += blockDim.x) m = fmaxf(m, r[j]);
  m = blockMax(m);
  double s = 0;
  for (int64_t j = threadIdx.x; j < vocab; j += blockDim.x) s += exp(static_cast<double>(r[j]) - m);
  s = blockSum(s);
  if (threadIdx.x == 0) loss[blockIdx.x] = target == ignore ? 0.f : static_cast<float>(m + ::log(s) - r[target]);
}

__global__ void ceGradKernel(const float* logits, const int32_t* t, const float* scale, float* grad,
                             int64_t vocab, int ignore) {
  const int64_t base = blockIdx.x * vocab;
  const int target = t[blockIdx.x];
  if (target == ignore) {
    for (int64_t j = threadIdx.x; j < vocab; j += blockDim.x) grad[base + j] = 0.f;
    return;
  }
  float m = -INFINITY;
  for (int64_t j = threadIdx.x; j < vocab; j += blockDim.x) m = fmaxf(m, logits[base + j]);
  m = blockMax(m);
  double s = 0;
  for (int64_t j = threadIdx.x; j < vocab; j += blockDim.x) s += exp(static_cast<double>(logits[base + j]) - m);
  s = blockSum(s);
  const double k = scale[blockIdx.x];
  for (int64_t j = threadIdx.x; j < vocab; j += blockDim.x) {
    const double p = exp(static_cast<double>(logits[base + j]) - m) / s;
    grad[base + j] = static_cast<float>((p - (j == target ? 1.0 : 0.0)) * k);
  }
}

}  // namespace

void softmaxF32(const float* x, float* out, int64_t rows, int64_t cols, bool log) {
  if (rows == 0) return;
  softmaxKernel<<<static_cast<unsigned>(rows), kThreads, 0, stream()>>>(x, out, cols, log);
  checkLaunch("softmax");
}

void softmaxBackwardF32(const float* y, const float* g, float* out, int64_t rows, int64_t cols, bool log) {
  if (rows == 0) return;
  softmaxGradKernel<<<static_cast<unsigned>(rows), kThreads, 0, stream()>>>(y, g, out, cols, log);
  checkLaunch("softmaxBackward");
}

void rmsNormF32(const float* x, const float* w, float* out, int64_t rows, int64_t cols, float eps) {
  if (rows == 0) return;
  rmsKernel<<<static_cast<unsigned>(rows), kThreads, 0, stream()>>>(x, w, out, cols, eps);
  checkLaunch("rmsnorm");
}

void rmsNormBackwardF32(const float* x, const float* w, const float* g, float* dx, float* dwRows,
                        int64_t rows, int64_t cols, float eps) {
  if (rows == 0) return;
  rmsGradKernel<<<static_cast<unsigned>(rows), kThreads, 0, stream()>>>(x, w, g, dx, dwRows, cols, eps);
  checkLaunch("rmsnormBackward");
}

void crossEntropyF32(const float* logits, const int32_t* t, float* loss, int64_t rows, int64_t vocab, int ignore) {
  if (rows == 0) return;
  ceKernel<<<static_cast<unsigned>(rows), kThreads, 0, stream()>>>(logits, t, loss, vocab, ignore);
  checkLaunch("crossEntropy");
}

void crossEntropyGradF32(const float* logits, const int32_t* t, const float* scale, float* grad,
                         int64_t rows, int64_t vocab, int ignore) {
  if (rows == 0) return;
  ceGradKernel<<<static_cast<unsigned>(rows), kThreads, 0, stream()>>>(logits, t, scale, grad, vocab, ignore);
  checkLaunch("crossEntropyGrad");
}

}  // namespace xtc
