// Elementwise f32 kernels: broadcast binary ops, unary ops and their derivatives, where, fill.
// Op codes follow src/backend/kernels.ts (BinaryOp, UnaryOp).
#include <cuda_runtime.h>

#include "kernels.h"

namespace xtc {
namespace {

__device__ __forceinline__ float binop(int op, float x, float y) {
  switch (op) {
    case 0: return x + y;
    case 1: return x - y;
    case 2: return x * y;
    case 3: return x / y;
    case 4: return (x > y || isnan(x)) ? x : y;
    case 5: return (x < y || isnan(x)) ? x : y;
    default: return static_cast<float>(pow(static_cast<double>(x), static_cast<double>(y)));
  }
}

// Offsets of linear output index i in a and b (and c, for where).
__device__ __forceinline__ void offsets(const Strided& s, int64_t i, int64_t& oa, int64_t& ob, int64_t& oc) {
  if (s.nd == 1) {
    oa = i * s.a[0], ob = i * s.b[0], oc = i * s.c[0];
    return;
  }
  oa = ob = oc = 0;
  for (int d = s.nd - 1; d >= 0; d--) {
    const int64_t q = i / s.shape[d];
    const int64_t r = i - q * s.shape[d];
    oa += r * s.a[d];
    ob += r * s.b[d];
    oc += r * s.c[d];
    i = q;
  }
}

__global__ void binaryKernel(int op, const float* a, const float* b, float* out, Strided s, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    int64_t oa, ob, oc;
    offsets(s, i, oa, ob, oc);
    out[i] = binop(op, a[oa], b[ob]);
  }
}

__global__ void whereKernel(const uint8_t* c, const float* a, const float* b, float* out, Strided s, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x) {
    int64_t oa, ob, oc;
    offsets(s, i, oa, ob, oc);
    out[i] = c[oc] ? a[oa] : b[ob];
  }
}

__device__ __forceinline__ float sigm(float x) { return x >= 0.f ? 1.f / (1.f + expf(-x)) : expf(x) / (1.f + expf(x)); }

constexpr float kGeluC = 0.7978845608028654f;  // sqrt(2 / pi)

__device__ __forceinline__ float unop(int op, float x) {
  switch (op) {
    case 0: return -x;
    case 1: return fabsf(x);
    case 2: return expf(x);
    case 3: return logf(x);
    case 4: return sqrtf(x);
    case 5: return 1.f / sqrtf(x);
    case 6: return sinf(x);
    case 7: return cosf(x);
    case 8: return tanhf(x);
    case 9: return sigm(x);
    case 10: return x * sigm(x);
    case 11: return 0.5f * x * (1.f + erff(x * 0.7071067811865476f));
    case 12: return x > 0.f ? x : 0.f;
    case 13: return x * x;
    case 14: return 1.f / x;
    default: return 0.5f * x * (1.f + tanhf(kGeluC * (x + 0.044715f * x * x * x)));
  }
}

__device__ __forceinline__ float unopGrad(int op, float g, float x, float y) {
  switch (op) {
    case 0: return -g;
    case 1: return x > 0.f ? g : (x < 0.f ? -g : 0.f);
    case 2: return g * y;
    case 3: return g / x;
    case 4: return g * 0.5f / y;
    case 5: return g * -0.5f * y * y * y;
    case 6: return g * cosf(x);
    case 7: return -g * sinf(x);
    case 8: return g * (1.f - y * y);
    case 9: return g * y * (1.f - y);
    case 10: { const float s = sigm(x); return g * (s + x * s * (1.f - s)); }
    case 11: {
      const float cdf = 0.5f * (1.f + erff(x * 0.7071067811865476f));
      return g * (cdf + x * 0.3989422804014327f * expf(-0.5f * x * x));
    }
    case 12: return x > 0.f ? g : 0.f;
    case 13: return 2.f * g * x;
    case 14: return -g * y * y;
    default: {
      const float u = kGeluC * (x + 0.044715f * x * x * x);
      const float t = tanhf(u);
      const float du = kGeluC * (1.f + 3.f * 0.044715f * x * x);
      return g * (0.5f * (1.f + t) + 0.5f * x * (1.f - t * t) * du);
    }
  }
}

__global__ void unaryKernel(int op, const float* x, float* out, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x)
    out[i] = unop(op, x[i]);
}

__global__ void unaryGradKernel(int op, const float* g, const float* x, const float* y, float* out, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x)
    out[i] = unopGrad(op, g[i], x[i], y[i]);
}

__global__ void fillKernel(float* out, float v, int64_t n) {
  for (int64_t i = blockIdx.x * int64_t{blockDim.x} + threadIdx.x; i < n; i += int64_t{gridDim.x} * blockDim.x)
    out[i] = v;
}

inline unsigned grid(int64_t n) {
  const int64_t b = (n + 255) / 256;
  return static_cast<unsigned>(b < 1 ? 1 : (b > 8192 ? 8192 : b));
}

}  // namespace

void binaryF32(int op, const float* a, const float* b, float* out, const Strided& s, int64_t n) {
  binaryKernel<<<grid(n), 256, 0, stream()>>>(op, a, b, out, collapse(s, 2), n);
  checkLaunch("binary");
}

void whereF32(const uint8_t* c, const float* a, const float* b, float* out, const Strided& s, int64_t n) {
  whereKernel<<<grid(n), 256, 0, stream()>>>(c, a, b, out, collapse(s, 3), n);
  checkLaunch("where");
}

void unaryF32(int op, const float* x, float* out, int64_t n) {
  unaryKernel<<<grid(n), 256, 0, stream()>>>(op, x, out, n);
  checkLaunch("unary");
}

void unaryBackwardF32(int op, const float* g, const float* x, const float* y, float* out, int64_t n) {
  unaryGradKernel<<<grid(n), 256, 0, stream()>>>(op, g, x, y, out, n);
  checkLaunch("unaryBackward");
}

void fillF32(float* out, float value, int64_t n) {
  fillKernel<<<grid(n), 256, 0, stream()>>>(out, value, n);
  checkLaunch("fill");
}

}  // namespace xtc
