// RMSNorm and LayerNorm compiled for the avx512 library (flags in binding.gyp).
#define XT_ISA avx512
#include "norm/norm_impl.h"
