// Dense GEMM through cuBLAS, loaded at run time (dlopen) from the user's CUDA install.
#pragma once

#include <cstdint>
#include <string>

namespace xtc {

/** Loads cuBLAS once; returns "" or why it could not be loaded. */
std::string loadBlas();

/** Which library file was loaded (empty before loadBlas succeeds). */
std::string blasLibrary();

enum class GemmType { F32 = 0, F16 = 1, BF16 = 2 };

/**
 * Row-major batched C = alpha op(A) op(B) + beta C: A [m,k] ([k,m] when transA), B [k,n] ([n,k]
 * when transB), C [m,n]; batch i at element offsets i*sA, i*sB, i*sC. A, B and C share `type`;
 * accumulation is f32 (TF32 tensor cores for f32 when `tf32`).
 */
void gemm(GemmType type, bool transA, bool transB, int64_t m, int64_t n, int64_t k, const void* a, const void* b,
          void* c, int64_t batch, int64_t sA, int64_t sB, int64_t sC, float alpha, float beta, bool tf32);

}  // namespace xtc
