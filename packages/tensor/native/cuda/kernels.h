// Host-side launchers of the CUDA kernels (defined in *.cu, called by the bindings). All take
// device pointers, run on xtc::stream() and return before the work completes.
#pragma once

#include <cstdint>

#include "common.h"

namespace xtc {

// elementwise.cu
void binaryF32(int op, const float* a, const float* b, float* out, const Strided& s, int64_t n);
void unaryF32(int op, const float* x, float* out, int64_t n);
void unaryBackwardF32(int op, const float* g, const float* x, const float* y, float* out, int64_t n);
void whereF32(const uint8_t* c, const float* a, const float* b, float* out, const Strided& s, int64_t n);
void fillF32(float* out, float value, int64_t n);

// copy.cu: element sizes 1, 2, 4, 8; dtype codes 0 f32, 1 f16, 2 bf16
void copyStrided(const void* src, void* dst, int elemBytes, const Strided& s, int64_t n);
void castHalf(const void* src, int srcType, void* dst, int dstType, int64_t n);

// reduce.cu
void reduceF32(int op, const float* x, void* out, int64_t outer, int64_t len, int64_t inner);
void softmaxF32(const float* x, float* out, int64_t rows, int64_t cols, bool log);
void softmaxBackwardF32(const float* y, const float* g, float* out, int64_t rows, int64_t cols, bool log);
void rmsNormF32(const float* x, const float* w, float* out, int64_t rows, int64_t cols, float eps);
void rmsNormBackwardF32(const float* x, const float* w, const float* g, float* dx, float* dwRows,
                        int64_t rows, int64_t cols, float eps);
void crossEntropyF32(const float* logits, const int32_t* t, float* loss, int64_t rows, int64_t vocab, int ignore);
void crossEntropyGradF32(const float* logits, const int32_t* t, const float* scale, float* grad,
                         int64_t rows, int64_t vocab, int ignore);

// nn.cu
void ropeF32(const float* x, const float* cos, const float* sin, float* out, int64_t lead, int64_t perRow,
             int64_t seq, int64_t dim, bool rotateHalf, bool inverse);
void indexSelect32(const uint32_t* src, const int32_t* idx, uint32_t* out, int64_t outer, int64_t n,
                   int64_t inner, int64_t count);
void indexAddF32(float* dst, const int32_t* idx, const float* src, int64_t outer, int64_t n, int64_t inner,
                 int64_t count);
void maskedSoftmaxF32(float* s, int64_t rows, int64_t cols, int64_t sq, bool causal);

// quant.cu: format 0 q8_0, 1 q4_0
void quantizeQ8(const float* x, uint8_t* q, int64_t n);
void qmatmul(int format, const uint8_t* w, const uint8_t* xq, float* out, int64_t m, int64_t n, int64_t k);
void dequantize(int format, const uint8_t* w, float* out, int64_t n);

// optim.cu
struct AdamWStep {
  double beta1, beta2, eps, shrink, stepSize, sqrtBias2;
};
void adamwF32(float* p, const float* g, float* m, float* v, int64_t n, const AdamWStep& c);

// random.cu
void randomFill(int kind, uint64_t seed, uint64_t offset, void* out, int64_t n, int64_t low, int64_t span);

}  // namespace xtc
