// sgemm compiled for the scalar library (flags in binding.gyp).
#define XT_ISA scalar
#include "gemm/sgemm_impl.h"
