// Reductions over the middle axis of [outer, len, inner]: sum, max, min, argmax, argmin,
// logsumexp and sum of squares. A block of TX x TY threads owns TX neighbouring outputs; its TY
// rows of threads split `len` and combine in shared memory in a fixed order (deterministic).
// TX = 1 when inner == 1 (threads read consecutive elements of one row), TX = 32 otherwise
// (a warp reads 32 consecutive inner elements). Sums accumulate in f64 like the js oracle.
// A few very long sums (a gradient norm, a loss total) first reduce chunks in parallel.
#include <cuda_runtime.h>

#include "kernels.h"
#include "runtime.h"

namespace xtc {
namespace {

enum Op { kSum = 0, kMax = 1, kMin = 2, kArgMax = 3, kArgMin = 4, kLogSumExp = 5, kSumSq = 6 };

// Whether (v, i) should replace the current extremum (m, at): NaN wins (the first one), then the
// larger (smaller) value, then the smaller index. at < 0 means "nothing yet".
__device__ __forceinline__ bool replaces(float v, int64_t i, float m, int64_t at, bool wantMax) {
  if (i < 0) return false;
  if (at < 0) return true;
  const bool vn = isnan(v), mn = isnan(m);
  if (vn || mn) return vn && (!mn || i < at);
  if (v != m) return wantMax ? v > m : v < m;
  return i < at;
}

// Tree reduction over threadIdx.y of TY x TX shared values; the result lands in row 0.
template <int TX, int TY, typename F>
__device__ __forceinline__ void treeY(F&& combine) {
  for (int s = TY / 2; s > 0; s >>= 1) {
    __syncthreads();
    if (static_cast<int>(threadIdx.y) < s) combine(threadIdx.y, threadIdx.y + s);
  }
  __syncthreads();
}

template <int TX, int TY>
__device__ double sumColumn(int op, const float* p, int64_t len, int64_t inner, bool live, float shift) {
  __shared__ double part[TY][TX];
  double s = 0;
  if (live)
    for (int64_t j = threadIdx.y; j < len; j += TY) {
      const double v = p[j * inner];
      s += op == kSum ? v : (op == kSumSq ? v * v : exp(v - shift));
    }
  part[threadIdx.y][threadIdx.x] = s;
  treeY<TX, TY>([&](int a, int b) { part[a][threadIdx.x] += part[b][threadIdx.x]; });
  return part[0][threadIdx.x];
}

template <int TX, int TY>
__device__ void extremumColumn(bool wantMax, const float* p, int64_t len, int64_t inner, bool live, float* value,
                               int64_t* index) {
  __shared__ float pv[TY][TX];
  __shared__ int64_t pi[TY][TX];
  float m = 0.f;
  int64_t at = -1;
  if (live)
    for (int64_t j = threadIdx.y; j < len; j += TY) {
      const float v = p[j * inner];
      if (replaces(v, j, m, at, wantMax)) { m = v; at = j; }
    }
  pv[threadIdx.y][threadIdx.x] = m;
  pi[threadIdx.y][threadIdx.x] = at;
  treeY<TX, TY>([&](int a, int b) {
    const int x = threadIdx.x;
    if (replaces(pv[b][x], pi[b][x], pv[a][x], pi[a][x], wantMax)) { pv[a][x] = pv[b][x]; pi[a][x] = pi[b][x]; }
  });
  *value = pv[0][threadIdx.x];
  *index = pi[0][threadIdx.x];
}

template <int TX, int TY>
__global__ void reduceKernel(int op, const float* x, void* out, int64_t len, int64_t inner) {
  const int64_t tiles = (inner + TX - 1) / TX;
  const int64_t o = blockIdx.x / tiles;
  const int64_t c = (blockIdx.x % tiles) * TX + threadIdx.x;
  const bool live = c < inner;
  const float* p = x + o * len * inner + c;
  const int64_t at = o * inner + c;
  const bool first = threadIdx.y == 0 && live;
  if (op == kSum || op == kSumSq) {
    const double s = sumColumn<TX, TY>(op, p, len, inner, live, 0.f);
    if (first) static_cast<float*>(out)[at] = static_cast<float>(s);
    return;
  }
  if (op == kLogSumExp) {
    // Shift by the maximum, NaN winning as in the js oracle; a non-finite maximum is the result.
    __shared__ float sh[TY][TX];
    const auto top = [](float m, float v) { return (isnan(v) || v > m) ? v : m; };
    float shift = -INFINITY;
    if (live)
      for (int64_t j = threadIdx.y; j < len; j += TY) shift = top(shift, p[j * inner]);
    sh[threadIdx.y][threadIdx.x] = shift;
    treeY<TX, TY>([&](int a, int b) { sh[a][threadIdx.x] = top(sh[a][threadIdx.x], sh[b][threadIdx.x]); });
    shift = sh[0][threadIdx.x];
    const double s = sumColumn<TX, TY>(op, p, len, inner, live, shift);
    if (first) static_cast<float*>(out)[at] = isfinite(shift) ? static_cast<float>(shift + log(s)) : shift;
    return;
  }
  float m;
  int64_t best;
  extremumColumn<TX, TY>(op == kMax || op == kArgMax, p, len, inner, live, &m, &best);
  if (!first) return;
  if (op == kMax || op == kMin) static_cast<float*>(out)[at] = m;
  else static_cast<int32_t*>(out)[at] = static_cast<int32_t>(best);
}

constexpr int kRowThreads = 256;

// Stage 1 of a long sum: block (chunk, row) sums its slice of the row into part[row * chunks + chunk].
__global__ void chunkSumKernel(int op, const float* x, double* part, int64_t len, int64_t chunk) {
  const int64_t chunks = gridDim.x;
  const int64_t row = blockIdx.y;
  const int64_t begin = blockIdx.x * chunk;
  const int64_t n = (begin + chunk < len ? begin + chunk : len) - begin;
  const double s = sumColumn<1, kRowThreads>(op, x + row * len + begin, n > 0 ? n : 0, 1, true, 0.f);
  if (threadIdx.y == 0) part[row * chunks + blockIdx.x] = s;
}

// Stage 2: each row's chunk partials, summed by a fixed tree (deterministic).
__global__ void finishSumKernel(const double* part, float* out, int64_t chunks) {
  __shared__ double acc[kRowThreads];
  double s = 0;
  for (int64_t j = threadIdx.y; j < chunks; j += kRowThreads) s += part[blockIdx.x * chunks + j];
  acc[threadIdx.y] = s;
  for (int w = kRowThreads / 2; w > 0; w >>= 1) {
    __syncthreads();
    if (static_cast<int>(threadIdx.y) < w) acc[threadIdx.y] += acc[threadIdx.y + w];
  }
  if (threadIdx.y == 0) out[blockIdx.x] = static_cast<float>(acc[0]);
}

constexpr int64_t kChunk = 16384;

}  // namespace

void reduceF32(int op, const float* x, void* out, int64_t outer, int64_t len, int64_t inner) {
  if (outer * inner == 0) return;
  if ((op == kSum || op == kSumSq) && inner == 1 && outer <= 64 && len >= 4 * kChunk) {
    const int64_t chunks = (len + kChunk - 1) / kChunk;
    // All work is ordered on one stream, so the scratch block can go back to the pool at once.
    auto* part = static_cast<double*>(allocate(static_cast<size_t>(outer * chunks) * sizeof(double)));
    chunkSumKernel<<<dim3(static_cast<unsigned>(chunks), static_cast<unsigned>(outer)), dim3(1, kRowThreads), 0,
                     stream()>>>(op, x, part, len, kChunk);
    finishSumKernel<<<static_cast<unsigned>(outer), dim3(1, kRowThreads), 0, stream()>>>(part, static_cast<float*>(out),
                                                                                        chunks);
    release(part);
  } else if (inner == 1 && len <= 256) {
    reduceKernel<1, 32><<<static_cast<unsigned>(outer), dim3(1, 32), 0, stream()>>>(op, x, out, len, 1);
  } else if (inner == 1) {
    reduceKernel<1, kRowThreads><<<static_cast<unsigned>(outer), dim3(1, kRowThreads), 0, stream()>>>(op, x, out, len, 1);
  } else {
    const int64_t blocks = outer * ((inner + 31) / 32);
    reduceKernel<32, 8><<<static_cast<unsigned>(blocks), dim3(32, 8), 0, stream()>>>(op, x, out, len, inner);
  }
  checkLaunch("reduce");
}

}  // namespace xtc
