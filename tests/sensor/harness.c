/* harness.c — see harness.h. */
#include "harness.h"

#include <stdlib.h>
#include <string.h>

#include "frame_builder.h"
#include "sensor/packet.h"

struct recorder_log recorder_finished[HARNESS_MAX_FINISHED];
size_t recorder_n_finished;
unsigned recorder_shared_created, recorder_shared_freed, recorder_parses_without_shared;
uint64_t recorder_tick_times[RECORDER_MAX_TICKS];
size_t recorder_n_ticks;
bool recorder_tick_emits;
static int recorder_shared_instance;

static void *recorder_shared_new(const struct mamori_decoder_options *opts)
{
    (void)opts;
    recorder_shared_created++;
    return &recorder_shared_instance;
}

static void recorder_shared_free(void *shared)
{
    if (shared == &recorder_shared_instance)
        recorder_shared_freed++;
}

/* The recorder consumes whole lines ('\n'-terminated) on streams, and all of
 * a datagram; it emits one event per line or datagram with function_code = length. */
static void *recorder_new(const struct mamori_decoder_options *opts)
{
    if (opts->state_budget < sizeof(struct recorder_log))
        return NULL;
    return calloc(1, sizeof(struct recorder_log));
}

static void recorder_free(void *state) { free(state); }

static void record(struct recorder_log *log, const uint8_t *data, size_t len, const struct mamori_parse_ctx *ctx)
{
    int dir = ctx->dir;
    log->parses[dir]++;
    log->transports |= ctx->transport;
    if (ctx->gap && log->gaps[dir] < 8)
        log->gap_at[dir][log->gaps[dir]++] = log->len[dir];
    size_t room = RECORDER_BYTES - log->len[dir];
    size_t n = len < room ? len : room;
    memcpy(log->bytes[dir] + log->len[dir], data, n);
    log->len[dir] += n;
    struct mamori_event ev;
    mamori_event_init(&ev, ctx->sink, "recorder");
    ev.has_function = true;
    ev.function_code = (uint32_t)len;
    mamori_emit(ctx->sink, &ev);
}

static size_t recorder_parse(void *state, const uint8_t *data, size_t len, const struct mamori_parse_ctx *ctx)
{
    struct recorder_log *log = state;
    if (ctx->shared != &recorder_shared_instance)
        recorder_parses_without_shared++;
    if (len == 0)
        return 0;
    if (ctx->gap && log->gaps[ctx->dir] < 8)
        log->gap_at[ctx->dir][log->gaps[ctx->dir]++] = log->len[ctx->dir];
    struct mamori_parse_ctx no_gap = *ctx;
    no_gap.gap = false;
    const uint8_t *nl = NULL;
    for (size_t i = len; i > 0 && !nl; i--)
        if (data[i - 1] == '\n')
            nl = data + i - 1;
    if (data[0] == '!') {
        /* a line starting with '!' is datagram-style: take everything */
        record(log, data, len, &no_gap);
        return len;
    }
    if (!nl)
        return 0;
    size_t used = (size_t)(nl - data) + 1;
    record(log, data, used, &no_gap);
    return used;
}

static enum mamori_probe recorder_probe(const uint8_t *data, size_t len, enum mamori_direction dir)
{
    (void)dir;
    static const char magic[] = "REC";
    size_t n = len < 3 ? len : 3;
    if (memcmp(data, magic, n) != 0)
        return MAMORI_PROBE_NO;
    return len < 3 ? MAMORI_PROBE_MORE : MAMORI_PROBE_YES;
}

static void recorder_finish(void *state, const struct mamori_parse_ctx *ctx)
{
    struct recorder_log *log = state;
    log->finished = true;
    if (recorder_n_finished < HARNESS_MAX_FINISHED)
        recorder_finished[recorder_n_finished++] = *log;
    mamori_emit_anomaly(ctx->sink, "recorder", "finished");
}

/* Keeps the time of every tick; when asked, emits a "tick" anomaly whose
 * flow id the decoder sets itself, as a silent-publisher report would. */
static void recorder_tick(void *shared, const struct mamori_parse_ctx *ctx)
{
    if (shared != &recorder_shared_instance)
        recorder_parses_without_shared++;
    if (recorder_n_ticks < RECORDER_MAX_TICKS)
        recorder_tick_times[recorder_n_ticks++] = ctx->time_us;
    if (!recorder_tick_emits)
        return;
    struct mamori_event ev;
    mamori_event_init(&ev, ctx->sink, "recorder");
    ev.kind = MAMORI_EVENT_ANOMALY;
    ev.anomaly = "tick";
    ev.where.flow_id = RECORDER_TICK_FLOW_ID;
    mamori_emit(ctx->sink, &ev);
}

const struct mamori_decoder recorder_decoder = {
    .abi = MAMORI_DECODER_ABI,
    .name = "recorder",
    .description = "test decoder that records what it is fed",
    .transports = MAMORI_TRANSPORT_TCP | MAMORI_TRANSPORT_UDP | MAMORI_TRANSPORT_ETHER,
    .tcp_ports = { RECORDER_TCP_PORT },
    .udp_ports = { RECORDER_UDP_PORT },
    .ethertypes = { RECORDER_ETHERTYPE },
    .max_pdu = RECORDER_MAX_PDU,
    .probe = recorder_probe,
    .shared_new = recorder_shared_new,
    .shared_free = recorder_shared_free,
    .state_new = recorder_new,
    .state_free = recorder_free,
    .parse = recorder_parse,
    .finish = recorder_finish,
    .tick = recorder_tick,
};

static void copy_text(char *dst, size_t cap, const char *src)
{
    if (!src) {
        dst[0] = 0;
        return;
    }
    strncpy(dst, src, cap - 1);
    dst[cap - 1] = 0;
}

static void on_flow(void *ctx, const struct flow_record *rec)
{
    struct harness *h = ctx;
    if (h->n_flows >= HARNESS_MAX_FLOWS)
        return;
    struct recorded_flow *f = &h->flows[h->n_flows++];
    f->rec = *rec;
    copy_text(f->state, sizeof f->state, rec->state);
    copy_text(f->reason, sizeof f->reason, rec->end_reason);
    copy_text(f->app, sizeof f->app, rec->app_protocol);
    copy_text(f->ndpi, sizeof f->ndpi, rec->ndpi);
    copy_text(f->category, sizeof f->category, rec->category);
    copy_text(f->decoder, sizeof f->decoder, rec->decoder);
}

static void on_event(void *ctx, const struct mamori_event *ev)
{
    struct harness *h = ctx;
    if (h->n_events >= HARNESS_MAX_EVENTS)
        return;
    struct recorded_event *e = &h->events[h->n_events++];
    e->ev = *ev;
    e->ev.detail = NULL;
    copy_text(e->protocol, sizeof e->protocol, ev->protocol);
    copy_text(e->anomaly, sizeof e->anomaly, ev->anomaly);
}

static void on_tick(void *ctx, uint64_t now_us)
{
    struct harness *h = ctx;
    h->output_ticks++;
    h->last_output_tick_us = now_us;
}

void harness_config(struct harness *h)
{
    memset(h, 0, sizeof *h);
    recorder_n_finished = 0;
    recorder_shared_created = recorder_shared_freed = recorder_parses_without_shared = 0;
    recorder_n_ticks = 0;
    recorder_tick_emits = false;
    memset(recorder_finished, 0, sizeof recorder_finished);
    h->reg.decoders[0] = &recorder_decoder;
    h->reg.count = 1;
    pipeline_config_defaults(&h->cfg);
    h->cfg.classify = false;
}

void harness_start(struct harness *h)
{
    struct pipeline_output out = { .on_event = on_event, .on_flow = on_flow, .on_tick = on_tick, .ctx = h };
    h->pl = pipeline_new(&h->cfg, &h->reg, &out);
}

void harness_stop(struct harness *h)
{
    pipeline_free(h->pl);
    h->pl = NULL;
}

const struct pipeline_stats *harness_stats(const struct harness *h) { return pipeline_get_stats(h->pl); }

void harness_frame(struct harness *h, uint64_t time_us, const void *spec)
{
    static uint8_t frame[FRAME_MAX];
    size_t n = frame_build(frame, spec);
    pipeline_packet(h->pl, LINKTYPE_ETHERNET, time_us, frame, (uint32_t)n, (uint32_t)n);
}
