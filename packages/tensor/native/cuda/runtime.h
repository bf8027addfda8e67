// Device runtime of the addon: initialization, the caching allocator and host/device copies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace xtc {

struct ProbeResult {
  int devices = 0;
  int driverVersion = 0;
  int runtimeVersion = 0;
  std::string name;
  int major = 0, minor = 0;
  size_t totalBytes = 0;
  std::string error;  // empty when a usable device was found
};

/** Counts devices and describes device 0 without creating any state (safe without a driver). */
ProbeResult probe();

/** Selects `device`, creates the stream; idempotent. */
void init(int device);
bool initialized();

/** Caching allocator: sizes round up (512 B below 1 MiB, else 2 MiB); freed blocks are kept for reuse. */
void* allocate(size_t bytes);
void release(void* p);
void emptyCache();

struct PoolStats {
  size_t inUse = 0;     // bytes handed out (rounded sizes)
  size_t cached = 0;    // bytes held in free lists
  size_t blocks = 0;    // live allocations
};
PoolStats poolStats();

void upload(void* dst, const void* src, size_t bytes);
void download(void* dst, const void* src, size_t bytes);  // synchronizes
void copyDevice(void* dst, const void* src, size_t bytes);
void synchronize();

}  // namespace xtc
