// File mapping and CRC32C for index and cache files (ISA-independent, compiled into the addon).
// mmapFile maps a file privately (copy-on-write), so readers get zero-copy bytes and a stray
// write from JS changes only this process's pages, never the file and never a SIGSEGV.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

#include "core/args.h"
#include "core/bindings.h"

namespace {

using namespace xt::js;

Napi::Value MmapFile(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::string path = string(info, 0, "mmapFile", "path");
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Napi::Error::New(env, "mmapFile: cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int e = errno;
    ::close(fd);
    throw Napi::Error::New(env, "mmapFile: cannot stat " + path + ": " + std::strerror(e));
  }
  const size_t bytes = size_t(st.st_size);
  if (bytes == 0) {
    ::close(fd);
    return Napi::ArrayBuffer::New(env, 0);
  }
  void* p = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  const int e = errno;
  ::close(fd);
  if (p == MAP_FAILED) throw Napi::Error::New(env, "mmapFile: cannot map " + path + ": " + std::strerror(e));
  return Napi::ArrayBuffer::New(env, p, bytes, [](Napi::Env, void* data, size_t* len) {
    ::munmap(data, *len);
    delete len;
  }, new size_t(bytes));
}

#if !defined(__SSE4_2__)
uint32_t crcTable(int i) {
  uint32_t c = uint32_t(i);
  for (int k = 0; k < 8; k++) c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
  return c;
}
#endif

uint32_t crc32c(uint32_t crc, const uint8_t* p, size_t n) {
  crc = ~crc;
#if defined(__SSE4_2__)
  for (; n >= 8; n -= 8, p += 8) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    crc = uint32_t(_mm_crc32_u64(crc, v));
  }
  for (; n > 0; n--) crc = _mm_crc32_u8(crc, *p++);
#else
  static uint32_t table[256];
  static bool ready = false;
  if (!ready) {
    for (int i = 0; i < 256; i++) table[i] = crcTable(i);
    ready = true;
  }
  for (; n > 0; n--) crc = table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
#endif
  return ~crc;
}

// crc32c(bytes: Uint8Array, seed = 0) -> u32 (Castagnoli; continues a running crc from seed).
Napi::Value Crc32c(const Napi::CallbackInfo& info) {
  const auto bytes = u8(info, 0, "crc32c", "bytes");
  const uint32_t seed = info.Length() > 1 ? uint32_t(integer(info, 1, "crc32c", "seed", 0, 0xFFFFFFFFLL)) : 0;
  return Napi::Number::New(info.Env(), double(crc32c(seed, bytes.data, size_t(bytes.length))));
}

}  // namespace

XT_BINDING(io) {
  exports.Set("mmapFile", Napi::Function::New(env, MmapFile, "mmapFile"));
  exports.Set("crc32c", Napi::Function::New(env, Crc32c, "crc32c"));
}
