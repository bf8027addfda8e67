// Binary elementwise ops compiled for the avx512 library (flags in binding.gyp).
#define XT_ISA avx512
#include "elementwise/binary_impl.h"
