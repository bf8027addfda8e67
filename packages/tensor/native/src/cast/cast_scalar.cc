// Half-precision casts compiled for the scalar library (flags in binding.gyp).
#define XT_ISA scalar
#include "cast/cast_impl.h"
