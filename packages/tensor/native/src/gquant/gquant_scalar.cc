// Group quantization compiled for the scalar library (flags in binding.gyp).
#define XT_ISA scalar
#include "gquant/gquant_impl.h"
