// Shared by every CUDA source of the opt-in addon: the stream all work runs on, error checks,
// and the launch-size helpers. Pointers cross the JS boundary as byte addresses (doubles).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace xtc {

/** The one stream every kernel, copy and cuBLAS call of the addon is ordered on. */
cudaStream_t stream();

/** A CUDA failure, surfaced to JS as an Error whose message names the call. */
struct CudaError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw CudaError(std::string(what) + ": " + cudaGetErrorString(e));
}

/** Checks the last launch (configuration errors surface here; faults surface at the next sync). */
inline void checkLaunch(const char* what) { check(cudaGetLastError(), what); }

inline unsigned blocksFor(int64_t n, int threads) {
  int64_t b = (n + threads - 1) / threads;
  return static_cast<unsigned>(b < 1 ? 1 : (b > 65535LL * 1024 ? 65535LL * 1024 : b));
}

constexpr int kMaxDims = 8;

/** A strided broadcast of up to 8 dims, passed to kernels by value. */
struct Strided {
  int nd;
  int64_t shape[kMaxDims];
  int64_t a[kMaxDims];
  int64_t b[kMaxDims];
  int64_t c[kMaxDims];
};

/**
 * The same walk with fewer dims: size-1 dims go, and a dim merges into the one before it when
 * every operand (the first `operands` of a, b, c) and the dense output step through both as one.
 * Kernels then divide the index by fewer extents per element (a dense op becomes 1-D).
 */
inline Strided collapse(const Strided& s, int operands) {
  Strided r{};
  int64_t* src[3] = {const_cast<int64_t*>(s.a), const_cast<int64_t*>(s.b), const_cast<int64_t*>(s.c)};
  int64_t* dst[3] = {r.a, r.b, r.c};
  for (int d = 0; d < s.nd; d++) {
    if (s.shape[d] == 1) continue;
    bool merge = r.nd > 0;
    for (int k = 0; k < operands && merge; k++) merge = dst[k][r.nd - 1] == src[k][d] * s.shape[d];
    if (merge) {
      r.shape[r.nd - 1] *= s.shape[d];
      for (int k = 0; k < operands; k++) dst[k][r.nd - 1] = src[k][d];
      continue;
    }
    r.shape[r.nd] = s.shape[d];
    for (int k = 0; k < operands; k++) dst[k][r.nd] = src[k][d];
    r.nd++;
  }
  if (r.nd == 0) r.nd = 1, r.shape[0] = 1;
  return r;
}

}  // namespace xtc
