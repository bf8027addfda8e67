// Graph search kernels compiled for the avx2 library (flags in binding.gyp).
#define XT_ISA avx2
#include "graph/search_impl.h"
