// attention compiled for the scalar library (flags in binding.gyp).
#define XT_ISA scalar
#include "attention/attention_impl.h"
