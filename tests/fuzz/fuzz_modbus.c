/* fuzz_modbus.c — libFuzzer harness for the Modbus/TCP decoder.
 *
 * The input is a list of records {flags, length, bytes}: flags bit 0 picks the
 * direction, bit 1 announces a gap before the bytes, bits 2-7 advance capture
 * time by that many 250 ms steps (so response timeouts fire). Bytes are held
 * and re-presented the way the capture core does (up to max_pdu, then dropped
 * with a gap), so the fuzzer explores any split of any stream in either
 * direction. Every event's detail is read back token by token. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "protocols/builtin.h"
#include "protocols/cursor.h"
#include "protocols/event.h"

#define FLAG_TO_CLIENT 0x01
#define FLAG_GAP 0x02
#define TIME_SHIFT 2
#define TIME_STEP_US 250000u
#define HOLD_MAX 4096

static struct mamori_detail detail;

static void check_emit(struct mamori_sink *sink, struct mamori_event *ev)
{
    (void)sink;
    struct detail_reader r;
    struct detail_token t;
    detail_reader_init(&r, ev->detail);
    while (detail_next(&r, &t)) {
    }
    for (uint32_t i = 0; i < ev->n_identity; i++)
        if (ev->identity[i].value.len && !ev->identity[i].value.ptr)
            __builtin_trap();
    if (ev->object.len && !ev->object.ptr)
        __builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t held[2][HOLD_MAX];
    size_t held_len[2] = { 0, 0 };
    bool gap[2] = { false, false };
    struct mamori_sink sink = { check_emit, &detail };
    struct mamori_decoder_options opts = { .state_budget = 64 * 1024, .response_timeout_us = 1000000 };
    const struct mamori_decoder *dec = &modbus_decoder;
    void *state = dec->state_new(&opts);
    if (!state)
        return 0;
    uint64_t now = 1000000;
    cursor in = cursor_make(data, size);
    while (!cursor_empty(&in)) {
        uint8_t flags = cursor_u8(&in);
        uint8_t len = cursor_u8(&in);
        size_t n = len < cursor_left(&in) ? len : cursor_left(&in);
        const uint8_t *bytes = cursor_bytes(&in, n);
        int dir = flags & FLAG_TO_CLIENT;
        now += (uint64_t)(flags >> TIME_SHIFT) * TIME_STEP_US;
        if (flags & FLAG_GAP) {
            held_len[dir] = 0;
            gap[dir] = true;
        }
        if (n == 0 || !bytes)
            continue;
        if (held_len[dir] + n > sizeof held[dir])
            n = sizeof held[dir] - held_len[dir];
        memcpy(held[dir] + held_len[dir], bytes, n);
        held_len[dir] += n;
        struct mamori_parse_ctx ctx = { .dir = (enum mamori_direction)dir, .time_us = now, .gap = gap[dir],
                                        .sink = &sink };
        gap[dir] = false;
        size_t used = dec->parse(state, held[dir], held_len[dir], &ctx);
        if (used > held_len[dir])
            __builtin_trap();
        memmove(held[dir], held[dir] + used, held_len[dir] - used);
        held_len[dir] -= used;
        if (held_len[dir] >= dec->max_pdu) {
            held_len[dir] = 0;
            gap[dir] = true;
        }
    }
    struct mamori_parse_ctx end = { .dir = MAMORI_DIR_TO_SERVER, .time_us = now, .sink = &sink };
    dec->finish(state, &end);
    dec->state_free(state);
    return 0;
}
