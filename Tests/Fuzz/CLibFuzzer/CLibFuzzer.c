// The module is the header alone; SwiftPM needs one source file to make it a target.
#include "CLibFuzzer.h"
