// Graph nndescent kernels compiled for the avx2 library (flags in binding.gyp).
#define XT_ISA avx2
#include "graph/nndescent_impl.h"
