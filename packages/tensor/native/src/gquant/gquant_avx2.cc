// Group quantization compiled for the avx2 library (flags in binding.gyp).
#define XT_ISA avx2
#include "gquant/gquant_impl.h"
