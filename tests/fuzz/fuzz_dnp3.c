/* fuzz_dnp3.c — libFuzzer harness for the DNP3 decoder.
 *
 * Random bytes almost never carry valid CRC-16/DNP link CRCs, so most records
 * are framed by the harness: the input is a list of records {flags, length,
 * bytes}. flags bit 0 picks the direction; bit 1 feeds the bytes raw (garbage,
 * broken CRCs, split frames); otherwise the first 5 bytes are the link
 * control, destination and source and the rest (up to 250 bytes) becomes the
 * user data of a link frame with correct CRCs, which reaches transport
 * reassembly and the application layer. Bit 2 feeds the result as one UDP
 * datagram instead of stream bytes; bit 3 announces a stream gap; bits 4-7
 * advance capture time in 500 ms steps (so select and response timeouts pass).
 * Stream bytes are held and re-presented like the capture core does. Every
 * event's detail is read back token by token. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "protocols/builtin.h"
#include "protocols/cursor.h"
#include "protocols/dnp3/dnp3_crc.h"
#include "protocols/dnp3/dnp3_link.h"
#include "protocols/event.h"
#include "fuzz_stream.h"

#define FLAG_TO_CLIENT 0x01
#define FLAG_RAW 0x02
#define FLAG_DATAGRAM 0x04
#define FLAG_GAP 0x08
#define TIME_SHIFT 4
#define TIME_STEP_US 500000u
#define FRAME_ADDRESS_BYTES 5

static void put_crc(uint8_t *out, size_t *w, const uint8_t *covered, size_t n)
{
    uint16_t crc = dnp3_crc(covered, n);
    out[(*w)++] = (uint8_t)crc;
    out[(*w)++] = (uint8_t)(crc >> 8);
}

/* Wraps `rec` (ctl, dst, src, user data) into a link frame with good CRCs. */
static size_t frame_record(cursor rec, uint8_t *out)
{
    uint8_t header[DNP3_LINK_HEADER_LEN - DNP3_LINK_CRC_LEN] = { DNP3_START_FIRST, DNP3_START_SECOND };
    if (!cursor_copy(&rec, header + 3, FRAME_ADDRESS_BYTES))
        return 0;
    size_t user = cursor_left(&rec) < DNP3_LINK_USER_MAX ? cursor_left(&rec) : DNP3_LINK_USER_MAX;
    header[2] = (uint8_t)(user + DNP3_LINK_LEN_HEADER_PART);
    size_t w = sizeof header;
    memcpy(out, header, w);
    put_crc(out, &w, header, sizeof header);
    while (user > 0) {
        size_t block = user < DNP3_LINK_BLOCK_LEN ? user : DNP3_LINK_BLOCK_LEN;
        const uint8_t *p = cursor_bytes(&rec, block);
        memcpy(out + w, p, block);
        w += block;
        put_crc(out, &w, p, block);
        user -= block;
    }
    return w;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct fuzz_stream s;
    static uint8_t frame[DNP3_LINK_FRAME_MAX];
    struct mamori_decoder_options opts = { .state_budget = 64 * 1024, .response_timeout_us = 2000000 };
    if (!fuzz_stream_open(&s, &dnp3_decoder, &opts))
        return 0;
    s.now_us = 1000000;
    cursor in = cursor_make(data, size);
    while (!cursor_empty(&in)) {
        uint8_t flags = cursor_u8(&in);
        uint8_t len = cursor_u8(&in);
        size_t n = len < cursor_left(&in) ? len : cursor_left(&in);
        cursor rec = cursor_sub(&in, n);
        int dir = flags & FLAG_TO_CLIENT;
        s.now_us += (uint64_t)(flags >> TIME_SHIFT) * TIME_STEP_US;
        if (flags & FLAG_GAP)
            fuzz_stream_gap(&s, dir);
        const uint8_t *bytes = rec.ptr;
        if (!(flags & FLAG_RAW)) {
            n = frame_record(rec, frame);
            bytes = frame;
        }
        if (n == 0 || !bytes)
            continue;
        if (flags & FLAG_DATAGRAM)
            fuzz_stream_datagram(&s, dir, bytes, n);
        else
            fuzz_stream_bytes(&s, dir, bytes, n);
    }
    fuzz_stream_close(&s);
    return 0;
}
