// Graph nndescent kernels compiled for the avx512 library (flags in binding.gyp).
#define XT_ISA avx512
#include "graph/nndescent_impl.h"
