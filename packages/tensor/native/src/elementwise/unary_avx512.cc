// Unary elementwise ops compiled for the avx512 library (flags in binding.gyp).
#define XT_ISA avx512
#include "elementwise/unary_impl.h"
