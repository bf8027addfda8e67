// Persistent worker pool shared by all kernels. The calling (JS) thread takes part in every
// parallel_for, so threads() == 1 means no workers and no synchronization at all.
#pragma once

#include <cstdint>

namespace xt {

// A plain function pointer (not std::function): ISA libraries are built with different -m
// flags, and shared template instantiations across them could run AVX code on older CPUs.
using RangeFn = void (*)(void* ctx, int64_t begin, int64_t end);

int threads();
// Clamps to [1, 256], (re)starts the workers and returns the new count.
int setThreads(int n);

// Calls fn(ctx, b, e) over disjoint ranges covering [0, n), each at least `grain` long (except
// the last). Runs inline when one thread suffices or when another parallel_for is in flight
// (e.g. called from a second JS worker thread).
void parallelFor(int64_t n, int64_t grain, RangeFn fn, void* ctx);

}  // namespace xt
