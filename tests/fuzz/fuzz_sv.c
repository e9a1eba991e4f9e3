/* fuzz_sv.c — libFuzzer harness for the Sampled Values decoder (frames as in fuzz_l2_frames.h). */
#include "fuzz_l2_frames.h"
#include "protocols/builtin.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return fuzz_l2_frames(&sv_decoder, data, size); }
