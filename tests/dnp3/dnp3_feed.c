/* dnp3_feed.c — see dnp3_feed.h. */
#include "dnp3_feed.h"

#include <stdlib.h>
#include <string.h>

#include "protocols/builtin.h"
#include "protocols/dnp3/dnp3_crc.h"
#include "protocols/dnp3/dnp3_link.h"
#include "protocols/dnp3/dnp3_transport.h"
#include "sensor/event_json.h"

#define FEED_JSON_CAP (64 * 1024)

static void feed_emit(struct mamori_sink *sink, struct mamori_event *ev)
{
    struct dnp3_feed *f = (struct dnp3_feed *)sink;
    event_json(&f->writer, ev);
    if (f->n_lines < DNP3_FEED_MAX_EVENTS)
        f->lines[f->n_lines++] = strndup(f->writer.buf, f->writer.len);
}

void dnp3_feed_init(struct dnp3_feed *f)
{
    memset(f, 0, sizeof *f);
    f->sink.emit = feed_emit;
    f->sink.detail = &f->detail;
    json_writer_init(&f->writer, FEED_JSON_CAP);
    struct mamori_decoder_options opts = { .state_budget = DNP3_FEED_BUDGET, .response_timeout_us = DNP3_FEED_TIMEOUT_US };
    f->state = dnp3_decoder.state_new(&opts);
}

void dnp3_feed_free(struct dnp3_feed *f)
{
    dnp3_decoder.state_free(f->state);
    json_writer_free(&f->writer);
    for (size_t i = 0; i < f->n_lines; i++)
        free(f->lines[i]);
}

void dnp3_feed_stream(struct dnp3_feed *f, enum mamori_direction dir, uint64_t t_us, const void *data, size_t len)
{
    const uint8_t *p = data;
    while (len > 0) {
        size_t take = DNP3_FEED_HOLD - f->held_len[dir];
        take = len < take ? len : take;
        memcpy(f->held[dir] + f->held_len[dir], p, take);
        f->held_len[dir] += take;
        p += take;
        len -= take;
        struct mamori_parse_ctx ctx = { .dir = dir, .time_us = t_us, .sink = &f->sink, .transport = MAMORI_TRANSPORT_TCP };
        size_t used = dnp3_decoder.parse(f->state, f->held[dir], f->held_len[dir], &ctx);
        memmove(f->held[dir], f->held[dir] + used, f->held_len[dir] - used);
        f->held_len[dir] -= used;
        if (f->held_len[dir] >= dnp3_decoder.max_pdu)
            f->held_len[dir] = 0; /* the core drops a PDU that never completes */
    }
}

void dnp3_feed_datagram(struct dnp3_feed *f, enum mamori_direction dir, uint64_t t_us, const void *data,
                        size_t len)
{
    struct mamori_parse_ctx ctx = { .dir = dir, .time_us = t_us, .sink = &f->sink, .transport = MAMORI_TRANSPORT_UDP };
    dnp3_decoder.parse(f->state, data, len, &ctx);
}

void dnp3_feed_finish(struct dnp3_feed *f, uint64_t t_us)
{
    struct mamori_parse_ctx ctx = { .dir = MAMORI_DIR_TO_SERVER, .time_us = t_us, .sink = &f->sink,
                                    .transport = MAMORI_TRANSPORT_TCP };
    dnp3_decoder.finish(f->state, &ctx);
}

size_t dnp3_feed_count(const struct dnp3_feed *f, const char *needle)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n_lines; i++)
        n += strstr(f->lines[i], needle) != NULL;
    return n;
}

const char *dnp3_feed_line(const struct dnp3_feed *f, size_t i)
{
    return i < f->n_lines ? f->lines[i] : "";
}

size_t dnp3_build_frame(uint8_t *out, uint8_t ctl, uint16_t dst, uint16_t src, const uint8_t *user, size_t n)
{
    size_t w = 0;
    out[w++] = DNP3_START_FIRST;
    out[w++] = DNP3_START_SECOND;
    out[w++] = (uint8_t)(n + DNP3_LINK_LEN_HEADER_PART);
    out[w++] = ctl;
    out[w++] = (uint8_t)dst;
    out[w++] = (uint8_t)(dst >> 8);
    out[w++] = (uint8_t)src;
    out[w++] = (uint8_t)(src >> 8);
    uint16_t crc = dnp3_crc(out, w);
    out[w++] = (uint8_t)crc;
    out[w++] = (uint8_t)(crc >> 8);
    for (size_t done = 0; done < n; done += DNP3_LINK_BLOCK_LEN) {
        size_t block = n - done < DNP3_LINK_BLOCK_LEN ? n - done : DNP3_LINK_BLOCK_LEN;
        memcpy(out + w, user + done, block);
        crc = dnp3_crc(user + done, block);
        w += block;
        out[w++] = (uint8_t)crc;
        out[w++] = (uint8_t)(crc >> 8);
    }
    return w;
}

size_t dnp3_build_fragment(uint8_t *out, uint8_t ctl, uint16_t dst, uint16_t src, const uint8_t *app, size_t n,
                           size_t segment_payload, uint8_t *tr_seq)
{
    uint8_t user[DNP3_LINK_USER_MAX];
    size_t w = 0;
    for (size_t done = 0; done < n || (n == 0 && done == 0);) {
        size_t chunk = n - done < segment_payload ? n - done : segment_payload;
        user[0] = (uint8_t)(*tr_seq & DNP3_TR_SEQ);
        if (done == 0)
            user[0] |= DNP3_TR_FIR;
        if (done + chunk >= n)
            user[0] |= DNP3_TR_FIN;
        memcpy(user + 1, app + done, chunk);
        w += dnp3_build_frame(out + w, ctl, dst, src, user, chunk + 1);
        *tr_seq = (uint8_t)((*tr_seq + 1) % DNP3_TR_SEQ_MODULO);
        done += chunk;
        if (n == 0)
            break;
    }
    return w;
}
