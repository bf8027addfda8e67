// Declares a kernel once per compiled ISA and picks the active one at call time.
// Each `<kernel>_<isa>.cc` defines `xt::<isa>::<name>`; bindings call XT_SELECT(name)(args...).
// Every ISA library must define every declared kernel (write it once in an *_impl.h).
#pragma once

#include "core/isa.h"

#if defined(XT_X86)
#define XT_DECLARE_KERNEL(ret, name, params)            \
  namespace xt {                                        \
  namespace scalar { ret name params; }                 \
  namespace avx2 { ret name params; }                   \
  namespace avx512 { ret name params; }                 \
  }
#define XT_SELECT(name) ::xt::pickIsa(&::xt::scalar::name, &::xt::avx2::name, &::xt::avx512::name)
#else
#define XT_DECLARE_KERNEL(ret, name, params) \
  namespace xt {                             \
  namespace scalar { ret name params; }      \
  }
#define XT_SELECT(name) (&::xt::scalar::name)
#endif

namespace xt {

template <class F>
F pickIsa(F scalar, F avx2, F avx512) {
  switch (activeIsa()) {
    case Isa::Avx512: return avx512;
    case Isa::Avx2: return avx2;
    default: return scalar;
  }
}

}  // namespace xt
