/* enip_decoder.c — the EtherNet/IP decoder: per-flow state, the framing loop
 * over TCP streams and UDP datagrams on port 44818 (encapsulation messages,
 * several per segment or datagram or one split over many, resynchronisation
 * after garbage or a gap), one event per message, and the anomaly events,
 * each counted per flow. Command data lives in enip_cpf.c, CIP in enip_cip.c,
 * pairing in enip_transactions.c. */
#include "enip_private.h"

#include <stdlib.h>
#include <string.h>

#include "protocols/builtin.h"

static bool anomaly_is_malformed(enum enip_anomaly a)
{
    return a == ENIP_ANOMALY_INVALID_LENGTH || a == ENIP_ANOMALY_INVALID_COMMAND ||
           a == ENIP_ANOMALY_INVALID_ITEM_COUNT || a == ENIP_ANOMALY_TRUNCATED_IDENTITY ||
           a == ENIP_ANOMALY_INVALID_PATH || a == ENIP_ANOMALY_TRUNCATED_MESSAGE;
}

static void anomaly_event(struct enip_flow *flow, struct mamori_sink *sink, struct mamori_event *ev,
                          enum enip_anomaly a)
{
    flow->anomalies[a]++;
    mamori_event_init(ev, sink, ENIP_PROTOCOL);
    ev->kind = MAMORI_EVENT_ANOMALY;
    ev->anomaly = enip_anomaly_name(a);
    if (anomaly_is_malformed(a))
        ev->op = MAMORI_OP_MALFORMED;
}

void enip_report_anomaly(struct enip_flow *flow, struct mamori_sink *sink, enum enip_anomaly a,
                         const struct enip_header *h, const char *why)
{
    struct mamori_event ev;
    anomaly_event(flow, sink, &ev, a);
    if (h) {
        ev.has_function = true;
        ev.function_code = h->command;
        ev.function_name = enip_command_name(h->command);
        enip_header_detail(ev.detail, h);
    }
    detail_cstring(ev.detail, "reason", why);
    detail_uint(ev.detail, "count", flow->anomalies[a]);
    mamori_emit(sink, &ev);
}

void enip_report_unanswered(struct enip_flow *flow, struct mamori_sink *sink, const struct enip_pending *req)
{
    struct mamori_event ev;
    anomaly_event(flow, sink, &ev, ENIP_ANOMALY_UNANSWERED_REQUEST);
    ev.role = MAMORI_ROLE_REQUEST;
    ev.has_function = true;
    ev.function_code = req->service;
    ev.function_name = cip_service_name(req->service, (enum cip_object_kind)req->kind);
    detail_uint(ev.detail, "command", req->command);
    detail_cstring(ev.detail, "paired_on", req->connected ? "seqcnt" : "context");
    detail_uint(ev.detail, "key", req->key);
    detail_uint(ev.detail, "request_time_us", req->time_us);
    detail_uint(ev.detail, "count", flow->anomalies[ENIP_ANOMALY_UNANSWERED_REQUEST]);
    mamori_emit(sink, &ev);
}

/* List requests carry no data, so a List* message with data is a reply
 * whichever way it travels (some devices answer from port 44818 to 44818). */
static bool is_response(const struct enip_header *h, enum mamori_direction dir)
{
    bool list = h->command == ENIP_LIST_SERVICES || h->command == ENIP_LIST_IDENTITY ||
                h->command == ENIP_LIST_INTERFACES;
    return dir == MAMORI_DIR_TO_CLIENT || (list && h->length > 0);
}

/* One complete message of ENIP_HEADER_LEN + h->length bytes. */
static void decode_message(struct enip_flow *flow, const struct mamori_parse_ctx *ctx, const struct enip_header *h,
                           const uint8_t *data, size_t len)
{
    struct mamori_event ev;
    struct enip_message msg = { .h = *h, .is_response = is_response(h, ctx->dir), .ev = &ev, .flow = flow,
                                .time_us = ctx->time_us };
    cursor c = cursor_make(data, len);
    cursor_skip(&c, ENIP_HEADER_LEN);
    msg.data = cursor_rest(&c);
    mamori_event_init(&ev, ctx->sink, ENIP_PROTOCOL);
    ev.kind = MAMORI_EVENT_OPERATION;
    ev.role = msg.is_response ? MAMORI_ROLE_RESPONSE : MAMORI_ROLE_REQUEST;
    ev.op = enip_command_op(h->command);
    ev.has_function = true;
    ev.function_code = h->command;
    ev.function_name = enip_command_name(h->command);
    enip_header_detail(ev.detail, h);
    enip_decode_command(&msg);
    if (h->status != 0) {
        ev.has_status = true;
        ev.status = (int32_t)h->status;
        ev.op = MAMORI_OP_EXCEPTION;
        detail_cstring(ev.detail, "status_name", enip_status_name(h->status) ? enip_status_name(h->status)
                                                                             : "unknown");
    }
    if (msg.problem[ENIP_ANOMALY_INVALID_LENGTH] || msg.problem[ENIP_ANOMALY_TRUNCATED_IDENTITY])
        ev.op = MAMORI_OP_MALFORMED;
    mamori_emit(ctx->sink, &ev);
    if (msg.has_record)
        enip_tx_add(flow, ctx->sink, &msg.record);
    for (int a = 0; a < ENIP_ANOMALY__COUNT; a++)
        if (msg.problem[a])
            enip_report_anomaly(flow, ctx->sink, (enum enip_anomaly)a, h, msg.problem[a]);
}

/* Whether what the last call left is presented again at the start of data. */
static bool held_presented(const struct enip_stream *s, const uint8_t *data, size_t len)
{
    size_t n = s->held < ENIP_HEADER_LEN ? s->held : ENIP_HEADER_LEN;
    cursor c = cursor_make(data, len);
    const uint8_t *start = cursor_bytes(&c, n);
    return len >= s->held && start && memcmp(start, s->held_start, n) == 0;
}

static void remember_held(struct enip_stream *s, const uint8_t *data, size_t len)
{
    cursor c = cursor_make(data, len);
    s->held = len;
    cursor_copy(&c, s->held_start, len < ENIP_HEADER_LEN ? len : ENIP_HEADER_LEN);
}

/* A message whose first bytes are `start` (`n` of them) ended before its length said. */
static void report_cut_short(struct enip_flow *flow, struct mamori_sink *sink, const uint8_t *start, size_t n,
                             const char *why)
{
    struct enip_header h;
    bool whole_header = enip_read_header(start, n, &h);
    enip_report_anomaly(flow, sink, ENIP_ANOMALY_TRUNCATED_MESSAGE, whole_header ? &h : NULL, why);
}

static void check_held(struct enip_flow *flow, struct enip_stream *s, const uint8_t *data, size_t len,
                       const struct mamori_parse_ctx *ctx)
{
    if (s->held == 0)
        return;
    if (ctx->gap || !held_presented(s, data, len))
        report_cut_short(flow, ctx->sink, s->held_start, s->held, "message_cut_short");
    s->held = 0;
}

static size_t frame(struct enip_flow *flow, struct enip_stream *s, const uint8_t *data, size_t len,
                    const struct mamori_parse_ctx *ctx)
{
    size_t off = 0;
    while (off < len) {
        if (s->resyncing) {
            off += enip_find_header(data + off, len - off);
            if (enip_header_plausible(data + off, len - off) != MAMORI_PROBE_YES)
                return off; /* nothing plausible yet: wait for more bytes */
            s->resyncing = false;
        }
        struct enip_header h;
        if (!enip_read_header(data + off, len - off, &h))
            return off;
        if (!enip_header_valid(&h)) {
            bool known = enip_command_name(h.command) != NULL;
            enip_report_anomaly(flow, ctx->sink, known ? ENIP_ANOMALY_INVALID_LENGTH : ENIP_ANOMALY_INVALID_COMMAND,
                                &h, known ? "length_over_limit" : "unknown_command");
            s->resyncing = true;
            off += 1;
            continue;
        }
        size_t message_len = ENIP_HEADER_LEN + (size_t)h.length;
        if (len - off < message_len)
            return off;
        decode_message(flow, ctx, &h, data + off, message_len);
        off += message_len;
    }
    return off;
}

static size_t enip_parse(void *state, const uint8_t *data, size_t len, const struct mamori_parse_ctx *ctx)
{
    struct enip_flow *flow = state;
    struct enip_stream *s = &flow->stream[ctx->dir == MAMORI_DIR_TO_CLIENT];
    enip_tx_expire(flow, ctx, false);
    if (ctx->transport == MAMORI_TRANSPORT_UDP) {
        /* a datagram holds whole messages: what it cuts short is truncated now,
         * and the next one starts clean */
        s->resyncing = false;
        size_t used = frame(flow, s, data, len, ctx);
        if (used < len && !s->resyncing)
            report_cut_short(flow, ctx->sink, data + used, len - used, "datagram_cut_short");
        return len;
    }
    check_held(flow, s, data, len, ctx);
    if (ctx->gap)
        s->resyncing = true;
    size_t used = frame(flow, s, data, len, ctx);
    if (used < len && !s->resyncing)
        remember_held(s, data + used, len - used);
    return used;
}

static void enip_finish(void *state, const struct mamori_parse_ctx *ctx)
{
    struct enip_flow *flow = state;
    enip_tx_expire(flow, ctx, true);
    for (int dir = 0; dir < 2; dir++) {
        struct enip_stream *s = &flow->stream[dir];
        struct enip_header h;
        if (s->held && !s->resyncing)
            enip_report_anomaly(flow, ctx->sink, ENIP_ANOMALY_TRUNCATED_MESSAGE,
                                enip_read_header(s->held_start, s->held, &h) ? &h : NULL, "flow_ended_in_message");
        s->held = 0;
    }
}

static void *enip_state_new(const struct mamori_decoder_options *opts)
{
    if (opts && opts->state_budget && sizeof(struct enip_flow) > opts->state_budget)
        return NULL;
    struct enip_flow *flow = calloc(1, sizeof *flow);
    if (flow)
        enip_tx_init(&flow->tx, opts && opts->response_timeout_us ? opts->response_timeout_us
                                                                  : ENIP_DEFAULT_RESPONSE_TIMEOUT_US);
    return flow;
}

static void enip_state_free(void *state)
{
    free(state);
}

const struct mamori_decoder enip_decoder = {
    .abi = MAMORI_DECODER_ABI,
    .name = ENIP_PROTOCOL,
    .description = "EtherNet/IP encapsulation and CIP: List Identity, sessions, CIP services, tag names",
    .transports = MAMORI_TRANSPORT_TCP | MAMORI_TRANSPORT_UDP,
    .tcp_ports = { ENIP_PORT },
    .udp_ports = { ENIP_PORT },
    .max_pdu = ENIP_MESSAGE_MAX,
    .state_new = enip_state_new,
    .state_free = enip_state_free,
    .parse = enip_parse,
    .finish = enip_finish,
};
