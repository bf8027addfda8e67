// Reductions compiled for the scalar library (flags in binding.gyp).
#define XT_ISA scalar
#include "reduce/reduce_impl.h"
