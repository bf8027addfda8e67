// Softmax compiled for the avx2 library (flags in binding.gyp).
#define XT_ISA avx2
#include "norm/softmax_impl.h"
