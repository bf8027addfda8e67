// Graph hnsw kernels compiled for the avx2 library (flags in binding.gyp).
#define XT_ISA avx2
#include "graph/hnsw_impl.h"
