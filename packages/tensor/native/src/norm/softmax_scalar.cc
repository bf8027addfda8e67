// Softmax compiled for the scalar library (flags in binding.gyp).
#define XT_ISA scalar
#include "norm/softmax_impl.h"
