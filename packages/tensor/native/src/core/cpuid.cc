// CPU feature detection. AVX levels need both the CPUID feature bits and the OS saving the
// wider register state (XCR0), otherwise the first ymm/zmm instruction faults.
#include <atomic>
#include <cstring>
#include <initializer_list>

#include "core/isa.h"

#if defined(XT_X86)
#include <cpuid.h>
#endif

namespace xt {
namespace {

#if defined(XT_X86)
struct Regs {
  unsigned a = 0, b = 0, c = 0, d = 0;
};

Regs cpuid(unsigned leaf, unsigned sub) {
  Regs r;
  if (!__get_cpuid_count(leaf, sub, &r.a, &r.b, &r.c, &r.d)) r = Regs{};
  return r;
}

unsigned long long xgetbv0() {
  unsigned lo, hi;
  // Raw encoding of xgetbv so this file needs no -mxsave.
  __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(lo), "=d"(hi) : "c"(0));
  return (static_cast<unsigned long long>(hi) << 32) | lo;
}

bool bit(unsigned reg, int n) { return (reg >> n) & 1u; }

Isa detect() {
  const unsigned maxLeaf = __get_cpuid_max(0, nullptr);
  const Regs l1 = cpuid(1, 0);
  if (!bit(l1.c, 20) || !bit(l1.c, 23) || maxLeaf < 7) return Isa::Scalar;  // SSE4.2, POPCNT
  const bool osxsave = bit(l1.c, 27);
  if (!osxsave) return Isa::Scalar;
  const unsigned long long xcr0 = xgetbv0();
  const bool ymmState = (xcr0 & 0x6) == 0x6;     // SSE + AVX state
  const bool zmmState = (xcr0 & 0xe6) == 0xe6;   // + opmask, ZMM_Hi256, Hi16_ZMM
  const Regs l7 = cpuid(7, 0);
  const Regs l71 = cpuid(7, 1);
  const bool avx2 = ymmState && bit(l1.c, 28) && bit(l1.c, 12) && bit(l1.c, 29) && bit(l7.b, 5);
  if (!avx2) return Isa::Scalar;
  const bool avx512 = zmmState && bit(l7.b, 16) /*F*/ && bit(l7.b, 17) /*DQ*/ &&
                      bit(l7.b, 30) /*BW*/ && bit(l7.b, 31) /*VL*/ && bit(l7.c, 11) /*VNNI*/ &&
                      bit(l71.a, 5) /*BF16*/;
  return avx512 ? Isa::Avx512 : Isa::Avx2;
}

bool baseline() {
  const Regs l1 = cpuid(1, 0);
  return bit(l1.c, 20) && bit(l1.c, 23);
}
#else
Isa detect() { return Isa::Scalar; }
bool baseline() { return true; }
#endif

Isa detectedOnce() {
  static const Isa value = detect();
  return value;
}

std::atomic<int> active{-1};

}  // namespace

Isa detectedIsa() { return detectedOnce(); }

Isa activeIsa() {
  int v = active.load(std::memory_order_relaxed);
  if (v < 0) {
    v = static_cast<int>(detectedOnce());
    active.store(v, std::memory_order_relaxed);
  }
  return static_cast<Isa>(v);
}

bool setActiveIsa(Isa isa) {
  if (static_cast<int>(isa) > static_cast<int>(detectedOnce())) return false;
  active.store(static_cast<int>(isa), std::memory_order_relaxed);
  return true;
}

const char* isaName(Isa isa) {
  switch (isa) {
    case Isa::Avx512: return "avx512";
    case Isa::Avx2: return "avx2";
    default: return "scalar";
  }
}

bool parseIsa(const char* name, Isa* out) {
  for (Isa isa : {Isa::Scalar, Isa::Avx2, Isa::Avx512}) {
    if (std::strcmp(name, isaName(isa)) == 0) {
      *out = isa;
      return true;
    }
  }
  return false;
}

bool baselineSupported() { return baseline(); }

}  // namespace xt
