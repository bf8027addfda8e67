// RMSNorm and LayerNorm compiled for the avx2 library (flags in binding.gyp).
#define XT_ISA avx2
#include "norm/norm_impl.h"
