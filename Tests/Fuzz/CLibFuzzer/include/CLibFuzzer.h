#ifndef CLIBFUZZER_H
#define CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (compiler-rt, linked by -sanitize=fuzzer): runs the fuzzing loop with `callback`
/// as the target, reading libFuzzer's flags from `argc`/`argv`. SwiftPM gives every executable its own
/// entry point, so libFuzzer's main never runs and each fuzz target starts the driver itself.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
