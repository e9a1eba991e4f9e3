/* fuzz_mms.c — libFuzzer harness for the MMS decoder and the ISO stack under
 * it. The input is a script of chunks: one control octet (bit 7: direction,
 * bit 6: a gap before the chunk, bits 0-5: chunk length) then the chunk's
 * bytes. Chunks are handed to parse() the way the capture core does (unparsed
 * bytes held and presented again, dropped with a gap at max_pdu), with a small
 * state budget so the reassembly bound is reached. Every event's detail must
 * read back balanced, and every text it points to must be readable. The probe
 * sees the whole input too. */
#include <stdlib.h>
#include <string.h>

#include "protocols/builtin.h"

#define CHUNK_DIR_BIT 0x80
#define CHUNK_GAP_BIT 0x40
#define CHUNK_LEN_MASK 0x3f
#define FUZZ_STATE_BUDGET 8192
#define FUZZ_TIMEOUT_US 1000

static struct mamori_detail detail;
static uint8_t held[2][65536 + 64];
static size_t held_len[2];
static volatile uint8_t sink_byte;

static void touch(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        sink_byte ^= b[i];
}

static void check_event(struct mamori_sink *sink, struct mamori_event *ev)
{
    (void)sink;
    touch(ev->object.ptr, ev->object.len);
    for (uint32_t i = 0; i < ev->n_identity; i++)
        touch(ev->identity[i].value.ptr, ev->identity[i].value.len);
    if (ev->kind == MAMORI_EVENT_ANOMALY && !ev->anomaly)
        abort();
    struct detail_reader r;
    struct detail_token t;
    int depth = 0;
    detail_reader_init(&r, ev->detail);
    while (detail_next(&r, &t)) {
        if (t.type == DETAIL_OBJECT || t.type == DETAIL_ARRAY)
            depth++;
        else if (t.type == DETAIL_END && --depth < 0)
            abort();
        else if (t.type == DETAIL_STRING || t.type == DETAIL_BYTES)
            touch(t.v.data.ptr, t.v.data.len);
    }
    if (depth != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mamori_sink sink = {.emit = check_event, .detail = &detail};
    struct mamori_decoder_options opts = {.state_budget = FUZZ_STATE_BUDGET, .response_timeout_us = FUZZ_TIMEOUT_US};
    const struct mamori_decoder *dec = &mms_decoder;
    (void)dec->probe(data, size, MAMORI_DIR_TO_SERVER);
    void *state = dec->state_new(&opts);
    if (!state)
        abort();
    held_len[0] = held_len[1] = 0;
    bool gap[2] = {false, false};
    uint64_t now = 0;
    size_t off = 0;
    while (off < size) {
        uint8_t control = data[off++];
        size_t n = control & CHUNK_LEN_MASK;
        if (n > size - off)
            n = size - off;
        int dir = (control & CHUNK_DIR_BIT) ? MAMORI_DIR_TO_CLIENT : MAMORI_DIR_TO_SERVER;
        if (control & CHUNK_GAP_BIT) {
            held_len[dir] = 0;
            gap[dir] = true;
        }
        memcpy(held[dir] + held_len[dir], data + off, n);
        held_len[dir] += n;
        off += n;
        now += 100;
        struct mamori_parse_ctx ctx = {.dir = (enum mamori_direction)dir, .time_us = now, .gap = gap[dir], .sink = &sink};
        gap[dir] = false;
        size_t used = dec->parse(state, held[dir], held_len[dir], &ctx);
        if (used > held_len[dir])
            abort();
        memmove(held[dir], held[dir] + used, held_len[dir] - used);
        held_len[dir] -= used;
        if (held_len[dir] >= dec->max_pdu) {
            held_len[dir] = 0;
            gap[dir] = true;
        }
    }
    struct mamori_parse_ctx end = {.dir = MAMORI_DIR_TO_SERVER, .time_us = now, .sink = &sink};
    dec->finish(state, &end);
    dec->state_free(state);
    return 0;
}
