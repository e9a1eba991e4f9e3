/* fuzz_goose.c — libFuzzer harness for the GOOSE decoder (frames as in fuzz_l2_frames.h). */
#include "fuzz_l2_frames.h"
#include "protocols/builtin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_l2_frames(&goose_decoder, data, size); }
