// where compiled for the scalar library (flags in binding.gyp).
#define XT_ISA scalar
#include "select/where_impl.h"
