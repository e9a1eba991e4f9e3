/* stream_feed.c — see stream_feed.h. */
#include "stream_feed.h"

#include <stdlib.h>
#include <string.h>

#include "sensor/event_json.h"

#define STREAM_FEED_JSON_CAP (128 * 1024)

static void capture_emit(struct mamori_sink *sink, struct mamori_event *ev)
{
    struct stream_feed *f = (struct stream_feed *)sink;
    ev->time_us = f->now_us;
    event_json(&f->writer, ev);
    if (f->n_events < STREAM_FEED_MAX_EVENTS)
        f->events[f->n_events++] = strndup(f->writer.buf, f->writer.len);
}

bool stream_feed_init(struct stream_feed *f, const struct mamori_decoder *dec, size_t state_budget,
                      uint64_t response_timeout_us)
{
    memset(f, 0, sizeof *f);
    f->sink.emit = capture_emit;
    f->sink.detail = &f->detail;
    json_writer_init(&f->writer, STREAM_FEED_JSON_CAP);
    f->decoder = dec;
    struct mamori_decoder_options opts = {.state_budget = state_budget, .response_timeout_us = response_timeout_us};
    f->state = dec->state_new ? dec->state_new(&opts) : NULL;
    return f->state != NULL || !dec->state_new;
}

void stream_feed_free(struct stream_feed *f)
{
    if (f->decoder->state_free && f->state)
        f->decoder->state_free(f->state);
    json_writer_free(&f->writer);
    for (size_t i = 0; i < f->n_events; i++)
        free(f->events[i]);
}

void stream_feed_gap(struct stream_feed *f, enum mamori_direction dir)
{
    f->held_len[dir] = 0;
    f->pending_gap[dir] = true;
}

static void feed_piece(struct stream_feed *f, enum mamori_direction dir, uint64_t t_us, const uint8_t *p,
                       size_t len)
{
    while (len > 0) {
        size_t room = STREAM_FEED_HOLD_MAX - f->held_len[dir];
        size_t take = len < room ? len : room;
        memcpy(f->held[dir] + f->held_len[dir], p, take);
        f->held_len[dir] += take;
        p += take;
        len -= take;
        f->now_us = t_us;
        struct mamori_parse_ctx ctx = {.dir = dir, .transport = MAMORI_TRANSPORT_TCP, .time_us = t_us,
                                       .gap = f->pending_gap[dir], .sink = &f->sink};
        f->pending_gap[dir] = false;
        size_t used = f->decoder->parse(f->state, f->held[dir], f->held_len[dir], &ctx);
        memmove(f->held[dir], f->held[dir] + used, f->held_len[dir] - used);
        f->held_len[dir] -= used;
        if (f->held_len[dir] >= f->decoder->max_pdu)
            stream_feed_gap(f, dir);
    }
}

void stream_feed_bytes(struct stream_feed *f, enum mamori_direction dir, uint64_t t_us, const void *data,
                       size_t len, size_t chunk)
{
    const uint8_t *p = data;
    if (chunk == 0)
        chunk = len ? len : 1;
    for (size_t off = 0; off < len; off += chunk)
        feed_piece(f, dir, t_us, p + off, len - off < chunk ? len - off : chunk);
}

void stream_feed_datagram(struct stream_feed *f, enum mamori_direction dir, uint64_t t_us, const void *data,
                          size_t len)
{
    f->now_us = t_us;
    struct mamori_parse_ctx ctx = {.dir = dir, .transport = MAMORI_TRANSPORT_UDP, .time_us = t_us, .sink = &f->sink};
    f->decoder->parse(f->state, data, len, &ctx);
}

void stream_feed_finish(struct stream_feed *f, uint64_t t_us)
{
    f->now_us = t_us;
    struct mamori_parse_ctx ctx = {.dir = MAMORI_DIR_TO_SERVER, .time_us = t_us, .sink = &f->sink};
    if (f->decoder->finish)
        f->decoder->finish(f->state, &ctx);
}

size_t stream_feed_count(const struct stream_feed *f, const char *needle)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n_events; i++)
        n += strstr(f->events[i], needle) != NULL;
    return n;
}

long stream_feed_find(const struct stream_feed *f, const char *const *needles)
{
    for (size_t i = 0; i < f->n_events; i++) {
        bool all = true;
        for (const char *const *n = needles; *n && all; n++)
            all = strstr(f->events[i], *n) != NULL;
        if (all)
            return (long)i;
    }
    return -1;
}

char *stream_feed_join(const struct stream_feed *f)
{
    size_t total = 1;
    for (size_t i = 0; i < f->n_events; i++)
        total += strlen(f->events[i]) + 1;
    char *out = malloc(total), *w = out;
    for (size_t i = 0; i < f->n_events; i++) {
        size_t n = strlen(f->events[i]);
        memcpy(w, f->events[i], n);
        w[n] = '\n';
        w += n + 1;
    }
    *w = '\0';
    return out;
}
