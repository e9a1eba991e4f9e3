/* modbus_feed.c — see modbus_feed.h. */
#include "modbus_feed.h"

#include <stdlib.h>
#include <string.h>

#include "protocols/builtin.h"
#include "sensor/event_json.h"

#define FEED_JSON_CAP (64 * 1024)

static void capture_emit(struct mamori_sink *sink, struct mamori_event *ev)
{
    struct feed *f = (struct feed *)sink;
    ev->time_us = f->now_us;
    event_json(&f->writer, ev);
    if (f->n_events < FEED_MAX_EVENTS)
        f->events[f->n_events++] = strndup(f->writer.buf, f->writer.len);
}

void feed_init(struct feed *f, uint64_t response_timeout_us)
{
    memset(f, 0, sizeof *f);
    f->sink.emit = capture_emit;
    f->sink.detail = &f->detail;
    json_writer_init(&f->writer, FEED_JSON_CAP);
    f->decoder = &modbus_decoder;
    struct mamori_decoder_options opts = { .state_budget = 64 * 1024, .response_timeout_us = response_timeout_us };
    f->state = f->decoder->state_new(&opts);
}

void feed_free(struct feed *f)
{
    f->decoder->state_free(f->state);
    json_writer_free(&f->writer);
    for (size_t i = 0; i < f->n_events; i++)
        free(f->events[i]);
}

void feed_gap(struct feed *f, enum mamori_direction dir)
{
    f->held_len[dir] = 0;
    f->pending_gap[dir] = true;
}

void feed_bytes(struct feed *f, enum mamori_direction dir, uint64_t t_us, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len > 0) {
        size_t room = FEED_HOLD_MAX - f->held_len[dir];
        size_t take = len < room ? len : room;
        memcpy(f->held[dir] + f->held_len[dir], p, take);
        f->held_len[dir] += take;
        p += take;
        len -= take;
        f->now_us = t_us;
        struct mamori_parse_ctx ctx = { .dir = dir, .time_us = t_us, .gap = f->pending_gap[dir], .sink = &f->sink };
        f->pending_gap[dir] = false;
        size_t used = f->decoder->parse(f->state, f->held[dir], f->held_len[dir], &ctx);
        memmove(f->held[dir], f->held[dir] + used, f->held_len[dir] - used);
        f->held_len[dir] -= used;
        if (f->held_len[dir] >= f->decoder->max_pdu)
            feed_gap(f, dir); /* what the core does with a PDU that never completes */
    }
}

void feed_finish(struct feed *f, uint64_t t_us)
{
    f->now_us = t_us;
    struct mamori_parse_ctx ctx = { .dir = MAMORI_DIR_TO_SERVER, .time_us = t_us, .sink = &f->sink };
    f->decoder->finish(f->state, &ctx);
}

size_t feed_count(const struct feed *f, const char *needle)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n_events; i++)
        n += strstr(f->events[i], needle) != NULL;
    return n;
}

char *feed_join(const struct feed *f)
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
