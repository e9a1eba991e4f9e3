/* fuzz_l2_frames.h — the libFuzzer body shared by the layer-2 decoders
 * (GOOSE, Sampled Values): the input is a list of frames {flags, 16-bit
 * length, bytes}. Flags bit 0 picks one of two flows (two publishers sharing
 * the worker's shared state, so the second-source registry is exercised);
 * bits 1-7 advance capture time in 100 ms steps (so timeAllowedtoLive expires).
 * Each frame is one parse() call, as the core makes, followed by a tick() at
 * its time (the core ticks at least every 10 ms); finish() runs at the end.
 * Every event's detail is read back token by token. */
#ifndef MAMORI_FUZZ_L2_FRAMES_H
#define MAMORI_FUZZ_L2_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#include "protocols/cursor.h"
#include "protocols/decoder.h"

#define FUZZ_FLOWS 2
#define FUZZ_TIME_STEP_US 100000u

static struct mamori_detail fuzz_detail;

static void fuzz_check_emit(struct mamori_sink *sink, struct mamori_event *ev)
{
    (void)sink;
    struct detail_reader r;
    struct detail_token t;
    detail_reader_init(&r, ev->detail);
    while (detail_next(&r, &t)) {
    }
    if ((ev->object.len && !ev->object.ptr) || ev->n_values > MAMORI_EVENT_MAX_VALUES)
        __builtin_trap();
    if (ev->kind == MAMORI_EVENT_ANOMALY && !ev->anomaly)
        __builtin_trap();
}

static int fuzz_l2_frames(const struct mamori_decoder *dec, const uint8_t *data, size_t size)
{
    struct mamori_decoder_options opts = { 65536, 1000000 };
    struct mamori_sink sink = { fuzz_check_emit, &fuzz_detail };
    void *shared = dec->shared_new ? dec->shared_new(&opts) : NULL;
    void *states[FUZZ_FLOWS];
    for (int i = 0; i < FUZZ_FLOWS; i++)
        states[i] = dec->state_new(&opts);
    cursor c = cursor_make(data, size);
    uint64_t now = 0;
    while (!cursor_empty(&c)) {
        uint8_t flags = cursor_u8(&c);
        size_t len = cursor_le16(&c);
        if (len > cursor_left(&c))
            len = cursor_left(&c);
        const uint8_t *frame = cursor_bytes(&c, len);
        now += (uint64_t)(flags >> 1) * FUZZ_TIME_STEP_US;
        struct mamori_parse_ctx ctx = { .dir = MAMORI_DIR_TO_SERVER, .transport = MAMORI_TRANSPORT_ETHER,
                                        .time_us = now, .sink = &sink, .shared = shared };
        dec->parse(states[flags & 1], frame, len, &ctx);
        if (dec->tick)
            dec->tick(shared, &ctx);
        sink.detail = (flags & 0x80) ? NULL : &fuzz_detail; /* sometimes without detail */
    }
    struct mamori_parse_ctx end = { .dir = MAMORI_DIR_TO_SERVER, .transport = MAMORI_TRANSPORT_ETHER,
                                    .time_us = now + 3600u * 1000000u, .sink = &sink, .shared = shared };
    for (int i = 0; i < FUZZ_FLOWS; i++) {
        if (dec->finish)
            dec->finish(states[i], &end);
        dec->state_free(states[i]);
    }
    if (shared)
        dec->shared_free(shared);
    return 0;
}

#endif
