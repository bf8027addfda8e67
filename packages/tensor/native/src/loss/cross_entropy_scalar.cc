// Cross-entropy compiled for the scalar library (flags in binding.gyp).
#define XT_ISA scalar
#include "loss/cross_entropy_impl.h"
