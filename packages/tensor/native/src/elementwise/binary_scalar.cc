// Binary elementwise ops compiled for the scalar library (flags in binding.gyp).
#define XT_ISA scalar
#include "elementwise/binary_impl.h"
