// Instruction-set levels the addon is compiled for, and the one kernels run on.
#pragma once

namespace xt {

// Ordered: a higher level implies every lower one (setIsa may only go down).
enum class Isa : int { Scalar = 0, Avx2 = 1, Avx512 = 2 };

// Best level this CPU and OS support among those compiled in (cpuid + xgetbv, once).
Isa detectedIsa();
// Level kernels dispatch to now; starts at detectedIsa().
Isa activeIsa();
// Forces a level <= detectedIsa(); returns false (and changes nothing) otherwise.
bool setActiveIsa(Isa isa);
const char* isaName(Isa isa);
// Parses "scalar" | "avx2" | "avx512"; false on unknown names.
bool parseIsa(const char* name, Isa* out);
// False when the CPU lacks what even the scalar library was built for (x86-64-v2).
bool baselineSupported();

}  // namespace xt
