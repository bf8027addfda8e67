// cuBLAS by dlopen: the addon declares the few entry points it needs (no cuBLAS headers or link
// step), so it builds with only the CUDA runtime and runs against whichever cuBLAS 12/13 the user has.
#include "blas.h"

#include <dlfcn.h>

#include <cstdlib>
#include <mutex>

#include "common.h"

namespace xtc {
namespace {

using Handle = void*;
constexpr int kR32F = 0, kR16F = 2, kR16BF = 14;          // cudaDataType
constexpr int kCompute32F = 68, kCompute32FTf32 = 77;     // cublasComputeType_t
constexpr int kGemmDefault = -1;                          // cublasGemmAlgo_t

using CreateFn = int (*)(Handle*);
using SetStreamFn = int (*)(Handle, cudaStream_t);
using SetWorkspaceFn = int (*)(Handle, void*, size_t);
using GemmFn = int (*)(Handle, int, int, int, int, int, const void*, const void*, int, int, long long,
                       const void*, int, int, long long, const void*, void*, int, int, long long, int, int, int);

struct Blas {
  void* lib = nullptr;
  std::string file;
  Handle handle = nullptr;
  GemmFn gemm = nullptr;
  std::string error;
  bool tried = false;
} gBlas;
std::mutex gBlasMutex;

void* openFirst(std::string* file) {
  const char* forced = std::getenv("X_TENSOR_CUBLAS");
  const char* names[] = {forced, "libcublas.so.13", "libcublas.so.12", "libcublas.so"};
  for (const char* n : names) {
    if (!n) continue;
    if (void* h = dlopen(n, RTLD_NOW | RTLD_LOCAL)) {
      *file = n;
      return h;
    }
  }
  return nullptr;
}

}  // namespace

std::string loadBlas() {
  std::lock_guard<std::mutex> lock(gBlasMutex);
  if (gBlas.tried) return gBlas.error;
  gBlas.tried = true;
  gBlas.lib = openFirst(&gBlas.file);
  if (!gBlas.lib) {
    gBlas.error = "cuBLAS not found (tried libcublas.so.13, .12, libcublas.so; set X_TENSOR_CUBLAS or LD_LIBRARY_PATH)";
    return gBlas.error;
  }
  auto create = reinterpret_cast<CreateFn>(dlsym(gBlas.lib, "cublasCreate_v2"));
  auto setStream = reinterpret_cast<SetStreamFn>(dlsym(gBlas.lib, "cublasSetStream_v2"));
  auto setWorkspace = reinterpret_cast<SetWorkspaceFn>(dlsym(gBlas.lib, "cublasSetWorkspace_v2"));
  gBlas.gemm = reinterpret_cast<GemmFn>(dlsym(gBlas.lib, "cublasGemmStridedBatchedEx"));
  if (!create || !setStream || !gBlas.gemm) {
    gBlas.error = "cuBLAS in " + gBlas.file + " lacks cublasCreate_v2/cublasSetStream_v2/cublasGemmStridedBatchedEx";
    return gBlas.error;
  }
  if (int s = create(&gBlas.handle)) {
    gBlas.error = "cublasCreate failed with status " + std::to_string(s);
    return gBlas.error;
  }
  setStream(gBlas.handle, stream());
  if (setWorkspace) {
    // 32 MiB, as PyTorch gives cuBLAS on Hopper; kept for the life of the process.
    void* ws = nullptr;
    constexpr size_t kWs = size_t{32} << 20;
    if (cudaMalloc(&ws, kWs) == cudaSuccess) setWorkspace(gBlas.handle, ws, kWs);
    else cudaGetLastError();
  }
  return gBlas.error;
}

std::string blasLibrary() { return gBlas.file; }

void gemm(GemmType type, bool transA, bool transB, int64_t m, int64_t n, int64_t k, const void* a, const void* b,
          void* c, int64_t batch, int64_t sA, int64_t sB, int64_t sC, float alpha, float beta, bool tf32) {
  const std::string err = loadBlas();
  if (!err.empty()) throw CudaError(err);
  const int dt = type == GemmType::F32 ? kR32F : type == GemmType::F16 ? kR16F : kR16BF;
  const int compute = type == GemmType::F32 && tf32 ? kCompute32FTf32 : kCompute32F;
  // Row-major C = op(A) op(B) is column-major C^T = op(B)^T op(A)^T: swap the operands.
  const int lda = static_cast<int>(transA ? m : k);
  const int ldb = static_cast<int>(transB ? k : n);
  const int s = gBlas.gemm(gBlas.handle, transB ? 1 : 0, transA ? 1 : 0, static_cast<int>(n), static_cast<int>(m),
                           static_cast<int>(k), &alpha, b, dt, ldb, sB, a, dt, lda, sA, &beta, c, dt,
                           static_cast<int>(n), sC, static_cast<int>(batch), compute, kGemmDefault);
  if (s != 0) throw CudaError("cublasGemmStridedBatchedEx failed with status " + std::to_string(s));
}

}  // namespace xtc
