// Distance kernels compiled for the scalar library (flags in binding.gyp).
#define XT_ISA scalar
#include "distance/distance_impl.h"
