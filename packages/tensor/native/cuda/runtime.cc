// Stream, caching allocator and copies. All work is ordered on one stream, so a freed block can be
// handed out again at once: any later use of it is queued after every earlier use.
#include "runtime.h"

#include <mutex>
#include <unordered_map>
#include <vector>

#include "common.h"

namespace xtc {
namespace {

cudaStream_t gStream = nullptr;
bool gReady = false;
std::mutex gMutex;
std::unordered_map<size_t, std::vector<void*>> gFree;
std::unordered_map<void*, size_t> gSizes;
PoolStats gStats;

size_t roundSize(size_t bytes) {
  if (bytes == 0) bytes = 1;
  constexpr size_t kSmall = size_t{1} << 20, kLarge = size_t{2} << 20;
  return bytes < kSmall ? (bytes + 511) / 512 * 512 : (bytes + kLarge - 1) / kLarge * kLarge;
}

void emptyCacheLocked() {
  for (auto& [size, list] : gFree) {
    for (void* p : list) cudaFree(p);
    gStats.cached -= size * list.size();
    list.clear();
  }
}

}  // namespace

cudaStream_t stream() { return gStream; }

ProbeResult probe() {
  ProbeResult r;
  cudaDriverGetVersion(&r.driverVersion);
  cudaRuntimeGetVersion(&r.runtimeVersion);
  const cudaError_t e = cudaGetDeviceCount(&r.devices);
  if (e != cudaSuccess) {
    r.devices = 0;
    r.error = cudaGetErrorString(e);
    return r;
  }
  if (r.devices == 0) {
    r.error = "no CUDA device";
    return r;
  }
  cudaDeviceProp prop{};
  const cudaError_t pe = cudaGetDeviceProperties(&prop, 0);
  if (pe != cudaSuccess) {
    r.error = cudaGetErrorString(pe);
    return r;
  }
  r.name = prop.name;
  r.major = prop.major;
  r.minor = prop.minor;
  r.totalBytes = prop.totalGlobalMem;
  return r;
}

void init(int device) {
  std::lock_guard<std::mutex> lock(gMutex);
  if (gReady) return;
  check(cudaSetDevice(device), "cudaSetDevice");
  check(cudaStreamCreateWithFlags(&gStream, cudaStreamNonBlocking), "cudaStreamCreate");
  gReady = true;
}

bool initialized() { return gReady; }

void* allocate(size_t bytes) {
  std::lock_guard<std::mutex> lock(gMutex);
  const size_t size = roundSize(bytes);
  auto& list = gFree[size];
  void* p = nullptr;
  if (!list.empty()) {
    p = list.back();
    list.pop_back();
    gStats.cached -= size;
  } else {
    cudaError_t e = cudaMalloc(&p, size);
    if (e == cudaErrorMemoryAllocation) {
      cudaGetLastError();
      cudaStreamSynchronize(gStream);
      emptyCacheLocked();
      e = cudaMalloc(&p, size);
    }
    if (e != cudaSuccess) {
      cudaGetLastError();
      throw CudaError("cudaMalloc of " + std::to_string(size) + " bytes: " + cudaGetErrorString(e));
    }
  }
  gSizes[p] = size;
  gStats.inUse += size;
  gStats.blocks++;
  return p;
}

void release(void* p) {
  std::lock_guard<std::mutex> lock(gMutex);
  auto it = gSizes.find(p);
  if (it == gSizes.end()) return;  // unknown or already released
  const size_t size = it->second;
  gSizes.erase(it);
  gFree[size].push_back(p);
  gStats.inUse -= size;
  gStats.cached += size;
  gStats.blocks--;
}

void emptyCache() {
  std::lock_guard<std::mutex> lock(gMutex);
  if (gStream) cudaStreamSynchronize(gStream);
  emptyCacheLocked();
}

PoolStats poolStats() {
  std::lock_guard<std::mutex> lock(gMutex);
  return gStats;
}

void upload(void* dst, const void* src, size_t bytes) {
  if (bytes) check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, gStream), "upload");
  // Pageable sources are staged before cudaMemcpyAsync returns, so the caller may reuse src.
}

void download(void* dst, const void* src, size_t bytes) {
  if (bytes) check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, gStream), "download");
  check(cudaStreamSynchronize(gStream), "download (a kernel queued earlier failed)");
}

void copyDevice(void* dst, const void* src, size_t bytes) {
  if (bytes) check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, gStream), "copy");
}

void synchronize() { check(cudaStreamSynchronize(gStream), "synchronize"); }

}  // namespace xtc
