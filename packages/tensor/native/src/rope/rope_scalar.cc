// RoPE compiled for the scalar library (flags in binding.gyp).
#define XT_ISA scalar
#include "rope/rope_impl.h"
