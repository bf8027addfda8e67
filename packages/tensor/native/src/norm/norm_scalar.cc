// RMSNorm and LayerNorm compiled for the scalar library (flags in binding.gyp).
#define XT_ISA scalar
#include "norm/norm_impl.h"
