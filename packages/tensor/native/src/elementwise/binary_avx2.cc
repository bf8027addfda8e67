// Binary elementwise ops compiled for the avx2 library (flags in binding.gyp).
#define XT_ISA avx2
#include "elementwise/binary_impl.h"
