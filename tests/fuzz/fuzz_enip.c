/* fuzz_enip.c — libFuzzer harness for the EtherNet/IP decoder.
 *
 * The input is a list of records {flags, length, bytes}: flags bit 0 picks the
 * direction, bit 1 announces a gap before the bytes, bit 2 sends the bytes as
 * one datagram (UDP) instead of stream bytes, bits 3-7 advance capture time by
 * that many 250 ms steps (so response timeouts fire). Stream bytes are held
 * and re-presented the way the capture core does, so the fuzzer explores any
 * split of any stream in either direction. */
#include <stddef.h>
#include <stdint.h>

#include "protocols/builtin.h"
#include "protocols/cursor.h"
#include "fuzz_stream.h"

#define TIME_SHIFT 3
#define TIME_STEP_US 250000u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fuzz_stream s;
    struct mamori_decoder_options opts = { .state_budget = 64 * 1024, .response_timeout_us = 1000000 };
    if (!fuzz_stream_open(&s, &enip_decoder, &opts))
        return 0;
    s.now_us = 1000000;
    fuzz_stream_records(&s, data, size, true, TIME_SHIFT, TIME_STEP_US);
    return 0;
}
