// Graph hnsw kernels compiled for the scalar library (flags in binding.gyp).
#define XT_ISA scalar
#include "graph/hnsw_impl.h"
