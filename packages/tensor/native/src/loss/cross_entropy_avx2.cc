// Cross-entropy compiled for the avx2 library (flags in binding.gyp).
#define XT_ISA avx2
#include "loss/cross_entropy_impl.h"
