// Cross-entropy compiled for the avx512 library (flags in binding.gyp).
#define XT_ISA avx512
#include "loss/cross_entropy_impl.h"
