/* fuzz_stream.h — what the harnesses of stream decoders share: a sink that
 * checks every event (texts readable, detail balanced when read back, every
 * anomaly and identity field named), and feeding bytes the way the capture
 * core does: unparsed bytes held and presented again with the next ones,
 * dropped with a gap once max_pdu is reached; and the record input format most
 * harnesses use (fuzz_stream_records). A harness with its own format decides
 * which bytes go in which direction, and when. */
#ifndef MAMORI_FUZZ_STREAM_H
#define MAMORI_FUZZ_STREAM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "protocols/cursor.h"
#include "protocols/decoder.h"

#define FUZZ_HOLD_MAX (65536 + 64)

struct fuzz_stream {
    const struct mamori_decoder *dec;
    void *state;
    struct mamori_sink sink;
    uint64_t now_us;
    uint8_t held[2][FUZZ_HOLD_MAX];
    size_t held_len[2];
    bool gap[2];
};

static struct mamori_detail fuzz_detail;
static volatile uint8_t fuzz_touched;

/* Reads every byte, so ASan sees a pointer that outlives its buffer. */
static inline void fuzz_touch(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        fuzz_touched ^= b[i];
}

static inline void fuzz_check_event(struct mamori_sink *sink, struct mamori_event *ev)
{
    (void)sink;
    fuzz_touch(ev->object.ptr, ev->object.len);
    for (uint32_t i = 0; i < ev->n_identity; i++) {
        if (!ev->identity[i].name)
            abort();
        fuzz_touch(ev->identity[i].value.ptr, ev->identity[i].value.len);
    }
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
            fuzz_touch(t.v.data.ptr, t.v.data.len);
    }
    if (depth != 0)
        abort();
}

/* False when the decoder refused the state budget. */
static inline bool fuzz_stream_open(struct fuzz_stream *s, const struct mamori_decoder *dec,
                             const struct mamori_decoder_options *opts)
{
    s->dec = dec;
    s->sink = (struct mamori_sink){ fuzz_check_event, &fuzz_detail };
    s->now_us = 0;
    s->held_len[0] = s->held_len[1] = 0;
    s->gap[0] = s->gap[1] = false;
    s->state = dec->state_new ? dec->state_new(opts) : NULL;
    return s->state || !dec->state_new;
}

/* Bytes were lost in direction dir: what is held is dropped. */
static inline void fuzz_stream_gap(struct fuzz_stream *s, int dir)
{
    s->held_len[dir] = 0;
    s->gap[dir] = true;
}

static inline struct mamori_parse_ctx fuzz_stream_ctx(struct fuzz_stream *s, int dir,
                                                      enum mamori_transport transport)
{
    struct mamori_parse_ctx ctx = { .dir = (enum mamori_direction)dir, .time_us = s->now_us, .gap = s->gap[dir],
                                    .sink = &s->sink, .transport = transport };
    s->gap[dir] = false;
    return ctx;
}

/* Stream bytes of one direction (beyond FUZZ_HOLD_MAX held, the rest is cut). */
static inline void fuzz_stream_bytes(struct fuzz_stream *s, int dir, const uint8_t *bytes, size_t n)
{
    if (n == 0)
        return;
    if (s->held_len[dir] + n > FUZZ_HOLD_MAX)
        n = FUZZ_HOLD_MAX - s->held_len[dir];
    memcpy(s->held[dir] + s->held_len[dir], bytes, n);
    s->held_len[dir] += n;
    struct mamori_parse_ctx ctx = fuzz_stream_ctx(s, dir, MAMORI_TRANSPORT_TCP);
    size_t used = s->dec->parse(s->state, s->held[dir], s->held_len[dir], &ctx);
    if (used > s->held_len[dir])
        abort();
    memmove(s->held[dir], s->held[dir] + used, s->held_len[dir] - used);
    s->held_len[dir] -= used;
    if (s->held_len[dir] >= s->dec->max_pdu)
        fuzz_stream_gap(s, dir);
}

/* One datagram (UDP): parsed on its own, nothing held. */
static inline void fuzz_stream_datagram(struct fuzz_stream *s, int dir, const uint8_t *bytes, size_t n)
{
    struct mamori_parse_ctx ctx = fuzz_stream_ctx(s, dir, MAMORI_TRANSPORT_UDP);
    s->dec->parse(s->state, bytes, n, &ctx);
}

/* The flow ends: finish() reports what is pending, then the state goes. */
static inline void fuzz_stream_close(struct fuzz_stream *s)
{
    struct mamori_parse_ctx end = { .dir = MAMORI_DIR_TO_SERVER, .time_us = s->now_us, .sink = &s->sink };
    if (s->dec->finish)
        s->dec->finish(s->state, &end);
    if (s->dec->state_free)
        s->dec->state_free(s->state);
}

/* The common input: records {flags, length, bytes}. flags bit 0 picks the
 * direction, bit 1 announces a gap before the bytes, bit 2 (when the decoder
 * takes datagrams) sends them as one UDP datagram, and the bits from
 * `time_shift` up advance capture time by that many `time_step_us` (so
 * response timeouts fire). Then the flow ends. */
#define FUZZ_RECORD_TO_CLIENT 0x01
#define FUZZ_RECORD_GAP 0x02
#define FUZZ_RECORD_DATAGRAM 0x04

static inline void fuzz_stream_records(struct fuzz_stream *s, const uint8_t *data, size_t size, bool datagrams,
                                       unsigned time_shift, uint64_t time_step_us)
{
    cursor in = cursor_make(data, size);
    while (!cursor_empty(&in)) {
        uint8_t flags = cursor_u8(&in);
        uint8_t len = cursor_u8(&in);
        size_t n = len < cursor_left(&in) ? len : cursor_left(&in);
        const uint8_t *bytes = cursor_bytes(&in, n);
        int dir = flags & FUZZ_RECORD_TO_CLIENT;
        s->now_us += (uint64_t)(flags >> time_shift) * time_step_us;
        if (flags & FUZZ_RECORD_GAP)
            fuzz_stream_gap(s, dir);
        if (bytes && datagrams && (flags & FUZZ_RECORD_DATAGRAM))
            fuzz_stream_datagram(s, dir, bytes, n);
        else if (bytes)
            fuzz_stream_bytes(s, dir, bytes, n);
    }
    fuzz_stream_close(s);
}

#endif
