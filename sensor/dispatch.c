/* dispatch.c — decoder choice and feeding (see dispatch.h). */
#include "dispatch.h"

#include <stdlib.h>
#include <string.h>

#include "pipeline.h"
#include "pipeline_stats.h"

static struct dispatcher *dispatcher_of(struct mamori_sink *sink)
{
    return (struct dispatcher *)((char *)sink - offsetof(struct dispatcher, sink));
}

/* The event's addresses as the sender of the current bytes sees them. */
static void fill_where(struct mamori_endpoints *w, const struct mamori_endpoints *client_to_server,
                       enum mamori_direction dir)
{
    *w = *client_to_server;
    if (dir == MAMORI_DIR_TO_CLIENT) {
        memcpy(w->src_ip, client_to_server->dst_ip, sizeof w->src_ip);
        memcpy(w->dst_ip, client_to_server->src_ip, sizeof w->dst_ip);
        w->src_port = client_to_server->dst_port;
        w->dst_port = client_to_server->src_port;
        memcpy(w->src_mac, client_to_server->dst_mac, sizeof w->src_mac);
        memcpy(w->dst_mac, client_to_server->src_mac, sizeof w->dst_mac);
    }
}

static void sink_emit(struct mamori_sink *sink, struct mamori_event *ev)
{
    struct dispatcher *d = dispatcher_of(sink);
    ev->time_us = d->current_time_us;
    if (d->current_where)
        fill_where(&ev->where, d->current_where, d->current_dir);
    pipeline_stats_count_event(d->stats, ev->protocol);
    if (ev->kind == MAMORI_EVENT_ANOMALY)
        pipeline_stats_count_anomaly(d->stats, ev->protocol, ev->anomaly);
    if (d->out && d->out->on_event)
        d->out->on_event(d->out->ctx, ev);
}

int dispatcher_init(struct dispatcher *d, const struct mamori_registry *reg,
                    const struct mamori_decoder_options *opts, bool want_detail,
                    const struct pipeline_output *out, struct pipeline_stats *stats)
{
    memset(d, 0, sizeof *d);
    d->reg = reg;
    d->opts = *opts;
    d->out = out;
    d->stats = stats;
    if (want_detail && !(d->detail = calloc(1, sizeof *d->detail)))
        return -1;
    d->sink.emit = sink_emit;
    d->sink.detail = d->detail;
    for (size_t i = 0; i < reg->count; i++)
        if (reg->decoders[i]->shared_new)
            d->shared[i] = reg->decoders[i]->shared_new(&d->opts);
    return 0;
}

void dispatcher_destroy(struct dispatcher *d)
{
    for (size_t i = 0; i < d->reg->count; i++)
        if (d->shared[i])
            d->reg->decoders[i]->shared_free(d->shared[i]);
    free(d->detail);
    memset(d, 0, sizeof *d);
}

static bool port_listed(const uint16_t *ports, uint16_t port)
{
    for (size_t i = 0; i < MAMORI_DECODER_MAX_PORTS && ports[i]; i++)
        if (ports[i] == port)
            return true;
    return false;
}

static bool decoder_owns(const struct mamori_decoder *dec, enum mamori_transport transport, uint16_t port)
{
    if (!(dec->transports & transport) || port == 0)
        return false;
    switch (transport) {
    case MAMORI_TRANSPORT_TCP: return port_listed(dec->tcp_ports, port);
    case MAMORI_TRANSPORT_UDP: return port_listed(dec->udp_ports, port);
    case MAMORI_TRANSPORT_ETHER: return port_listed(dec->ethertypes, port);
    }
    return false;
}

const struct mamori_decoder *dispatch_port_owner(const struct dispatcher *d, enum mamori_transport transport,
                                                 uint16_t port)
{
    for (size_t i = 0; i < d->reg->count; i++)
        if (decoder_owns(d->reg->decoders[i], transport, port))
            return d->reg->decoders[i];
    return NULL;
}

static void attach(struct dispatcher *d, struct dispatch_flow *df, size_t index)
{
    const struct mamori_decoder *dec = d->reg->decoders[index];
    df->decoder = dec;
    df->decoder_index = (uint8_t)index;
    df->state = NULL;
    if (dec->state_new && !(df->state = dec->state_new(&d->opts))) {
        d->stats->decoder_state_budget_failures++;
        df->status = DISPATCH_NONE;
        df->decoder = NULL;
        return;
    }
    df->status = DISPATCH_ATTACHED;
    d->stats->decoder_flows++;
}

void dispatch_flow_start(struct dispatcher *d, struct dispatch_flow *df, enum mamori_transport transport,
                         uint16_t client_port, uint16_t server_port, uint16_t ethertype)
{
    memset(df, 0, sizeof *df);
    df->first_dir = -1;
    df->fallback = -1;
    df->transport = (uint8_t)transport;
    uint64_t owners = 0, probers = 0;
    size_t n_owners = 0;
    for (size_t i = 0; i < d->reg->count; i++) {
        const struct mamori_decoder *dec = d->reg->decoders[i];
        bool owns = transport == MAMORI_TRANSPORT_ETHER
                        ? decoder_owns(dec, transport, ethertype)
                        : decoder_owns(dec, transport, server_port) || decoder_owns(dec, transport, client_port);
        if (owns) {
            owners |= UINT64_C(1) << i;
            n_owners++;
        } else if (dec->probe && (dec->transports & transport) && transport != MAMORI_TRANSPORT_ETHER) {
            probers |= UINT64_C(1) << i;
        }
    }
    if (n_owners == 1) {
        /* The port's owner decodes whatever is sent to it: garbage on port 502
         * is something to report, not a reason to look away. */
        attach(d, df, (size_t)__builtin_ctzll(owners));
        return;
    }
    if (n_owners > 1) {
        /* Several owners: their probes decide, the first listed one by default. */
        df->candidates = owners;
        df->fallback = (int8_t)__builtin_ctzll(owners);
    } else {
        df->candidates = probers;
    }
    df->status = df->candidates ? DISPATCH_UNDECIDED : DISPATCH_NONE;
}

static void set_context(struct dispatcher *d, const struct mamori_endpoints *where, enum mamori_direction dir,
                        uint64_t time_us)
{
    d->current_where = where;
    d->current_dir = dir;
    d->current_time_us = time_us;
}

static size_t call_parse(struct dispatcher *d, struct dispatch_flow *df, enum mamori_direction dir,
                         const uint8_t *data, size_t len, bool gap)
{
    struct mamori_parse_ctx ctx = {
        .dir = dir,
        .transport = (enum mamori_transport)df->transport,
        .time_us = d->current_time_us,
        .gap = gap,
        .sink = &d->sink,
        .shared = d->shared[df->decoder_index],
    };
    size_t used = df->decoder->parse(df->state, data, len, &ctx);
    return used > len ? len : used;
}

static bool ensure_buffer(struct dispatcher *d, struct dispatch_flow *df, enum mamori_direction dir, size_t size)
{
    if (!df->buf[dir] && (df->buf[dir] = malloc(size)) != NULL) {
        df->buf_cap[dir] = size;
        d->buffer_bytes += size;
    }
    return df->buf[dir] != NULL;
}

static void release_buffer(struct dispatcher *d, uint8_t *buf, size_t cap)
{
    if (buf)
        d->buffer_bytes -= cap;
    free(buf);
}

/* Offers `data` after any held tail; keeps what the decoder leaves, up to max_pdu. */
static void feed_stream(struct dispatcher *d, struct dispatch_flow *df, enum mamori_direction dir,
                        const uint8_t *data, size_t len)
{
    size_t max_pdu = df->decoder->max_pdu;
    for (;;) {
        if (df->buf_len[dir] == 0) {
            if (len == 0)
                return;
            size_t used = call_parse(d, df, dir, data, len, df->gap_pending[dir]);
            df->gap_pending[dir] = false;
            data += used;
            len -= used;
            if (used > 0)
                continue;
            if (len > max_pdu) {
                /* refused more than it may ever hold: lose it, tell the decoder */
                d->stats->decoder_pdu_overflows++;
                df->gap_pending[dir] = true;
                return;
            }
            if (ensure_buffer(d, df, dir, max_pdu)) {
                memcpy(df->buf[dir], data, len);
                df->buf_len[dir] = len;
            }
            return;
        }
        size_t room = max_pdu - df->buf_len[dir];
        size_t take = len < room ? len : room;
        memcpy(df->buf[dir] + df->buf_len[dir], data, take);
        df->buf_len[dir] += take;
        data += take;
        len -= take;
        size_t used = call_parse(d, df, dir, df->buf[dir], df->buf_len[dir], df->gap_pending[dir]);
        df->gap_pending[dir] = false;
        if (used > 0) {
            memmove(df->buf[dir], df->buf[dir] + used, df->buf_len[dir] - used);
            df->buf_len[dir] -= used;
            continue;
        }
        if (df->buf_len[dir] < max_pdu)
            return; /* waiting for more bytes */
        d->stats->decoder_pdu_overflows++;
        df->buf_len[dir] = 0;
        df->gap_pending[dir] = true;
    }
}

/* Runs the candidates' probes over `data`. Returns the index of the decoder
 * that said YES, -1 otherwise (candidates that said NO are removed). */
static int run_probes(struct dispatcher *d, struct dispatch_flow *df, enum mamori_direction dir,
                      const uint8_t *data, size_t len)
{
    for (size_t i = 0; i < d->reg->count; i++) {
        if (!(df->candidates >> i & 1))
            continue;
        const struct mamori_decoder *dec = d->reg->decoders[i];
        enum mamori_probe verdict = dec->probe ? dec->probe(data, len, dir) : MAMORI_PROBE_YES;
        if (verdict == MAMORI_PROBE_YES)
            return (int)i;
        if (verdict == MAMORI_PROBE_NO)
            df->candidates &= ~(UINT64_C(1) << i);
    }
    return -1;
}

static void give_up_probing(struct dispatcher *d, struct dispatch_flow *df)
{
    df->status = DISPATCH_NONE;
    df->candidates = 0;
    d->stats->decoder_probe_rejects++;
    for (int dir = 0; dir < 2; dir++) {
        release_buffer(d, df->buf[dir], df->buf_cap[dir]);
        df->buf[dir] = NULL;
        df->buf_len[dir] = 0;
    }
}

/* Probing a stream: buffer the first bytes of each direction until a probe decides. */
static void probe_stream(struct dispatcher *d, struct dispatch_flow *df, enum mamori_direction dir,
                         const uint8_t *data, size_t len, bool gap)
{
    if (!ensure_buffer(d, df, dir, DISPATCH_PROBE_MAX_BYTES)) {
        give_up_probing(d, df);
        return;
    }
    if (gap)
        df->buf_len[dir] = 0; /* probe on bytes that follow each other */
    size_t room = DISPATCH_PROBE_MAX_BYTES - df->buf_len[dir];
    size_t take = len < room ? len : room;
    memcpy(df->buf[dir] + df->buf_len[dir], data, take);
    df->buf_len[dir] += take;
    if (df->first_dir < 0)
        df->first_dir = (int8_t)dir;
    df->probe_packets++;

    int chosen = run_probes(d, df, dir, df->buf[dir], df->buf_len[dir]);
    if (chosen < 0) {
        bool undecidable = !df->candidates || df->probe_packets >= DISPATCH_PROBE_MAX_PACKETS ||
                           df->buf_len[dir] == DISPATCH_PROBE_MAX_BYTES;
        if (!undecidable)
            return;
        if ((chosen = df->fallback) < 0) {
            give_up_probing(d, df);
            return;
        }
    }
    attach(d, df, (size_t)chosen);
    if (df->status != DISPATCH_ATTACHED) {
        give_up_probing(d, df);
        return;
    }
    /* Replay what was buffered, first direction first, then the rest of data. */
    uint8_t *held[2] = { df->buf[0], df->buf[1] };
    size_t held_len[2] = { df->buf_len[0], df->buf_len[1] };
    size_t held_cap[2] = { df->buf_cap[0], df->buf_cap[1] };
    for (int i = 0; i < 2; i++) {
        df->buf[i] = NULL;
        df->buf_len[i] = 0;
    }
    enum mamori_direction order[2] = { (enum mamori_direction)df->first_dir,
                                       (enum mamori_direction)!df->first_dir };
    for (int i = 0; i < 2; i++) {
        enum mamori_direction o = order[i];
        if (held_len[o] > 0) {
            d->current_dir = o;
            feed_stream(d, df, o, held[o], held_len[o]);
        }
        release_buffer(d, held[o], held_cap[o]);
    }
    d->current_dir = dir;
    if (len > take)
        feed_stream(d, df, dir, data + take, len - take);
}

void dispatch_stream(struct dispatcher *d, struct dispatch_flow *df, const struct mamori_endpoints *where,
                     enum mamori_direction dir, const uint8_t *data, size_t len, bool gap, uint64_t time_us)
{
    if (df->status == DISPATCH_NONE || len == 0)
        return;
    set_context(d, where, dir, time_us);
    if (df->status == DISPATCH_UNDECIDED) {
        probe_stream(d, df, dir, data, len, gap);
        return;
    }
    if (gap) {
        /* what was held cannot be continued */
        df->buf_len[dir] = 0;
        df->gap_pending[dir] = true;
    }
    feed_stream(d, df, dir, data, len);
}

void dispatch_datagram(struct dispatcher *d, struct dispatch_flow *df, const struct mamori_endpoints *where,
                       enum mamori_direction dir, const uint8_t *data, size_t len, uint64_t time_us)
{
    if (df->status == DISPATCH_NONE)
        return;
    set_context(d, where, dir, time_us);
    if (df->status == DISPATCH_UNDECIDED) {
        int chosen = run_probes(d, df, dir, data, len);
        bool undecidable = !df->candidates || ++df->probe_packets >= DISPATCH_PROBE_MAX_PACKETS;
        if (chosen < 0 && undecidable)
            chosen = df->fallback;
        if (chosen < 0) {
            if (undecidable)
                give_up_probing(d, df);
            return;
        }
        attach(d, df, (size_t)chosen);
        if (df->status != DISPATCH_ATTACHED)
            return;
    }
    call_parse(d, df, dir, data, len, false);
}

void dispatch_emit_anomaly(struct dispatcher *d, const struct mamori_endpoints *where, enum mamori_direction dir,
                           uint64_t time_us, const char *protocol, const char *anomaly)
{
    set_context(d, where, dir, time_us);
    mamori_emit_anomaly(&d->sink, protocol, anomaly);
}

void dispatch_tick(struct dispatcher *d, uint64_t now_us)
{
    set_context(d, NULL, MAMORI_DIR_TO_SERVER, now_us);
    struct mamori_parse_ctx ctx = {.dir = MAMORI_DIR_TO_SERVER, .time_us = now_us, .sink = &d->sink};
    for (size_t i = 0; i < d->reg->count; i++) {
        if (!d->reg->decoders[i]->tick)
            continue;
        ctx.shared = d->shared[i];
        d->reg->decoders[i]->tick(d->shared[i], &ctx);
    }
}

void dispatch_flow_end(struct dispatcher *d, struct dispatch_flow *df, const struct mamori_endpoints *where,
                       uint64_t time_us)
{
    if (df->status == DISPATCH_ATTACHED) {
        set_context(d, where, MAMORI_DIR_TO_SERVER, time_us);
        if (df->decoder->finish) {
            struct mamori_parse_ctx ctx = {
                .dir = MAMORI_DIR_TO_SERVER,
                .transport = (enum mamori_transport)df->transport,
                .time_us = time_us,
                .sink = &d->sink,
                .shared = d->shared[df->decoder_index],
            };
            df->decoder->finish(df->state, &ctx);
        }
        if (df->decoder->state_free)
            df->decoder->state_free(df->state);
    }
    for (int dir = 0; dir < 2; dir++)
        release_buffer(d, df->buf[dir], df->buf_cap[dir]);
    memset(df, 0, sizeof *df);
    df->status = DISPATCH_NONE;
}
