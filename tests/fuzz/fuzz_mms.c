/* fuzz_mms.c — libFuzzer harness for the MMS decoder and the ISO stack under
 * it. The input is a script of chunks: one control octet (bit 7: direction,
 * bit 6: a gap before the chunk, bits 0-5: chunk length) then the chunk's
 * bytes. Chunks are handed to parse() the way the capture core does (unparsed
 * bytes held and presented again, dropped with a gap at max_pdu), with a small
 * state budget so the reassembly bound is reached. Every event's detail must
 * read back balanced, and every text it points to must be readable. The probe
 * sees the whole input too. */
#include <stdlib.h>

#include "protocols/builtin.h"
#include "fuzz_stream.h"

#define CHUNK_DIR_BIT 0x80
#define CHUNK_GAP_BIT 0x40
#define CHUNK_LEN_MASK 0x3f
#define FUZZ_STATE_BUDGET 8192
#define FUZZ_TIMEOUT_US 1000

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fuzz_stream s;
    struct mamori_decoder_options opts = {.state_budget = FUZZ_STATE_BUDGET, .response_timeout_us = FUZZ_TIMEOUT_US};
    (void)mms_decoder.probe(data, size, MAMORI_DIR_TO_SERVER);
    if (!fuzz_stream_open(&s, &mms_decoder, &opts))
        abort();
    size_t off = 0;
    while (off < size) {
        uint8_t control = data[off++];
        size_t n = control & CHUNK_LEN_MASK;
        if (n > size - off)
            n = size - off;
        int dir = (control & CHUNK_DIR_BIT) ? MAMORI_DIR_TO_CLIENT : MAMORI_DIR_TO_SERVER;
        if (control & CHUNK_GAP_BIT)
            fuzz_stream_gap(&s, dir);
        s.now_us += 100;
        fuzz_stream_bytes(&s, dir, data + off, n);
        off += n;
    }
    fuzz_stream_close(&s);
    return 0;
}
