/* modbus_decoder.c — the Modbus/TCP decoder: per-flow state, the framing loop
 * over the reassembled stream (MBAP frames, several per segment or one split
 * over many, resynchronisation after garbage or a gap), one event per ADU,
 * and the anomaly events, each counted per flow. Field decoding lives in the
 * per-family files, pairing in modbus_transactions.c. */
#include "modbus_private.h"

#include <stdlib.h>
#include <string.h>

#include "protocols/builtin.h"

/* The fields every event of an ADU carries; returns the function's name and class. */
static const struct modbus_function_info *adu_header(struct mamori_event *ev, const struct modbus_adu *adu)
{
    uint8_t function = adu->func_code & MODBUS_FUNCTION_MASK;
    const struct modbus_function_info *info = modbus_function_info(function);
    ev->role = adu->is_response ? MAMORI_ROLE_RESPONSE : MAMORI_ROLE_REQUEST;
    ev->has_unit = true;
    ev->unit = adu->unit_id;
    ev->has_function = true;
    ev->function_code = function;
    ev->function_name = info->name;
    struct mamori_detail *d = ev->detail;
    if (d) {
        detail_uint(d, "trans_id", adu->trans_id);
        detail_uint(d, "prot_id", adu->prot_id);
        detail_uint(d, "len", adu->length);
        detail_uint(d, "unit_id", adu->unit_id);
        detail_uint(d, "func_code", function);
    }
    return info;
}

void modbus_report_anomaly(struct modbus_flow *flow, struct mamori_sink *sink, enum modbus_anomaly a,
                           const struct modbus_adu *adu, const char *why)
{
    flow->anomalies[a]++;
    struct mamori_event ev;
    mamori_event_init(&ev, sink, MODBUS_PROTOCOL);
    ev.kind = MAMORI_EVENT_ANOMALY;
    ev.anomaly = modbus_anomaly_name(a);
    if (a == MODBUS_ANOMALY_INVALID_LENGTH || a == MODBUS_ANOMALY_INVALID_PROTOCOL_ID)
        ev.op = MAMORI_OP_MALFORMED;
    if (adu) {
        adu_header(&ev, adu);
        if (adu->ev)
            ev.function_name = adu->ev->function_name; /* e.g. read_device_identification */
    }
    detail_cstring(ev.detail, "reason", why);
    detail_uint(ev.detail, "count", flow->anomalies[a]);
    if (a == MODBUS_ANOMALY_FLOODED)
        detail_uint(ev.detail, "dropped_requests", flow->tx.dropped);
    mamori_emit(sink, &ev);
}

void modbus_report_unanswered(struct modbus_flow *flow, struct mamori_sink *sink,
                              const struct modbus_pending *req)
{
    flow->anomalies[MODBUS_ANOMALY_UNANSWERED_REQUEST]++;
    struct mamori_event ev;
    mamori_event_init(&ev, sink, MODBUS_PROTOCOL);
    ev.kind = MAMORI_EVENT_ANOMALY;
    ev.anomaly = modbus_anomaly_name(MODBUS_ANOMALY_UNANSWERED_REQUEST);
    ev.role = MAMORI_ROLE_REQUEST;
    ev.has_unit = true;
    ev.unit = req->unit_id;
    ev.has_function = true;
    ev.function_code = req->func_code;
    ev.function_name = modbus_function_name(req->func_code);
    if (req->quantity) {
        ev.has_range = true;
        ev.range_start = req->start;
        ev.range_count = req->quantity;
    }
    detail_uint(ev.detail, "trans_id", req->trans_id);
    detail_uint(ev.detail, "unit_id", req->unit_id);
    detail_uint(ev.detail, "func_code", req->func_code);
    detail_uint(ev.detail, "request_time_us", req->time_us);
    detail_uint(ev.detail, "count", flow->anomalies[MODBUS_ANOMALY_UNANSWERED_REQUEST]);
    mamori_emit(sink, &ev);
}

static void start_event(struct modbus_adu *adu, struct mamori_event *ev, struct mamori_sink *sink)
{
    mamori_event_init(ev, sink, MODBUS_PROTOCOL);
    adu->ev = ev;
    ev->kind = MAMORI_EVENT_OPERATION;
    ev->op = adu_header(ev, adu)->op;
}

/* A PDU whose fields do not fill its length is malformed: what it says about
 * the device is not trusted, so no identity reaches the inventory. */
static void withdraw_identity(struct mamori_event *ev)
{
    ev->op = MAMORI_OP_MALFORMED;
    ev->kind = MAMORI_EVENT_OPERATION;
    ev->n_identity = 0;
}

/* Finds the request a response answers; reports what does not fit. */
static void pair_response(struct modbus_flow *flow, struct modbus_adu *adu, struct modbus_pending *request,
                          uint64_t now_us, enum modbus_anomaly *pairing_problem)
{
    if (!modbus_tx_take(&flow->tx, adu->trans_id, request)) {
        *pairing_problem = MODBUS_ANOMALY_UNSOLICITED_RESPONSE;
        return;
    }
    if (now_us >= request->time_us)
        adu->ev->latency_us = (int64_t)(now_us - request->time_us);
    if (request->func_code != (adu->func_code & MODBUS_FUNCTION_MASK)) {
        *pairing_problem = MODBUS_ANOMALY_FUNCTION_CODE_MISMATCH;
        return;
    }
    adu->request = request;
    if (request->unit_id != adu->unit_id)
        modbus_pdu_flag_mismatch(adu, "unit_id_differs_from_request");
}

static void report_problems(struct modbus_flow *flow, struct mamori_sink *sink, const struct modbus_adu *adu,
                            enum modbus_anomaly pairing_problem)
{
    if (adu->function_problem)
        modbus_report_anomaly(flow, sink, MODBUS_ANOMALY_INVALID_FUNCTION_CODE, adu, adu->function_problem);
    if (adu->length_problem)
        modbus_report_anomaly(flow, sink, MODBUS_ANOMALY_INVALID_LENGTH, adu, adu->length_problem);
    if (adu->value_problem) {
        bool exception = adu->is_response && (adu->func_code & MODBUS_EXCEPTION_FLAG);
        modbus_report_anomaly(flow, sink,
                              exception ? MODBUS_ANOMALY_INVALID_EXCEPTION_CODE : MODBUS_ANOMALY_INVALID_VALUE,
                              adu, adu->value_problem);
    }
    if (adu->mismatch_problem)
        modbus_report_anomaly(flow, sink, MODBUS_ANOMALY_VALUE_MISMATCH, adu, adu->mismatch_problem);
    if (pairing_problem == MODBUS_ANOMALY_UNSOLICITED_RESPONSE)
        modbus_report_anomaly(flow, sink, pairing_problem, adu, "no_request_with_this_trans_id");
    else if (pairing_problem == MODBUS_ANOMALY_FUNCTION_CODE_MISMATCH)
        modbus_report_anomaly(flow, sink, pairing_problem, adu, "response_function_differs_from_request");
}

/* One complete ADU of `len` bytes whose header modbus_read_header() accepted. */
static void decode_adu(struct modbus_flow *flow, const struct mamori_parse_ctx *ctx, const struct mbap_header *h,
                       const uint8_t *data, size_t len)
{
    struct modbus_adu adu = {
        .trans_id = h->trans_id, .prot_id = h->prot_id, .length = h->length,
        .unit_id = h->unit_id, .func_code = h->func_code,
    };
    cursor c = cursor_make(data, len);
    cursor_skip(&c, MBAP_HEADER_LEN + 1);
    adu.body = cursor_rest(&c);
    adu.is_response = modbus_orient(flow, ctx->dir, h, &adu.body);
    struct mamori_event ev;
    start_event(&adu, &ev, ctx->sink);

    struct modbus_pending request, record = {
        .time_us = ctx->time_us, .trans_id = adu.trans_id, .unit_id = adu.unit_id,
        .func_code = adu.func_code & MODBUS_FUNCTION_MASK,
    };
    enum modbus_anomaly pairing_problem = MODBUS_ANOMALY__COUNT;
    if (adu.is_response)
        pair_response(flow, &adu, &request, ctx->time_us, &pairing_problem);
    else
        adu.record = &record;

    modbus_pdu_decode(&adu);
    if (!cursor_ok(&adu.body))
        modbus_pdu_flag_length(&adu, "pdu_shorter_than_its_fields");
    else if (!cursor_empty(&adu.body))
        modbus_pdu_flag_length(&adu, "bytes_left_after_fields");
    if (adu.length_problem)
        withdraw_identity(&ev);
    mamori_emit(ctx->sink, &ev);

    if (!adu.is_response) {
        record.response_optional = adu.no_response_expected;
        modbus_tx_add(flow, ctx->sink, &record);
    }
    report_problems(flow, ctx->sink, &adu, pairing_problem);
}

static void report_bad_header(struct modbus_flow *flow, const struct mamori_parse_ctx *ctx,
                              const struct mbap_header *h, enum modbus_header_check check)
{
    struct modbus_adu adu = {
        .trans_id = h->trans_id, .prot_id = h->prot_id, .length = h->length,
        .unit_id = h->unit_id, .func_code = h->func_code,
        .is_response = modbus_from_server(flow, ctx->dir),
    };
    if (check == MBAP_HEADER_BAD_PROTOCOL)
        modbus_report_anomaly(flow, ctx->sink, MODBUS_ANOMALY_INVALID_PROTOCOL_ID, &adu, "protocol_id_not_0");
    else
        modbus_report_anomaly(flow, ctx->sink, MODBUS_ANOMALY_INVALID_LENGTH, &adu, "mbap_length_out_of_range");
}

static size_t modbus_parse(void *state, const uint8_t *data, size_t len, const struct mamori_parse_ctx *ctx)
{
    struct modbus_flow *flow = state;
    struct modbus_stream *stream = &flow->stream[ctx->dir == MAMORI_DIR_TO_CLIENT];
    if (flow->tx.count)
        modbus_tx_expire(flow, ctx, false);
    if (ctx->gap)
        stream->resyncing = true;
    size_t off = 0;
    while (off < len) {
        if (stream->resyncing) {
            size_t skip = modbus_find_header(data + off, len - off);
            off += skip;
            if (modbus_header_plausible(data + off, len - off) != MAMORI_PROBE_YES)
                return off; /* nothing plausible yet: wait for more bytes */
            stream->resyncing = false;
        }
        struct mbap_header h;
        enum modbus_header_check check = modbus_read_header(data + off, len - off, &h);
        if (check == MBAP_HEADER_SHORT)
            return off;
        if (check != MBAP_HEADER_OK) {
            report_bad_header(flow, ctx, &h, check);
            stream->resyncing = true;
            off += 1;
            continue;
        }
        size_t adu_len = MBAP_LENGTH_PREFIX + (size_t)h.length;
        if (len - off < adu_len)
            return off;
        decode_adu(flow, ctx, &h, data + off, adu_len);
        off += adu_len;
    }
    return off;
}

static void modbus_finish(void *state, const struct mamori_parse_ctx *ctx)
{
    modbus_tx_expire(state, ctx, true);
}

static void *modbus_state_new(const struct mamori_decoder_options *opts)
{
    if (opts && opts->state_budget && sizeof(struct modbus_flow) > opts->state_budget)
        return NULL;
    struct modbus_flow *flow = calloc(1, sizeof *flow);
    if (flow)
        modbus_tx_init(&flow->tx, opts && opts->response_timeout_us ? opts->response_timeout_us
                                                                    : MODBUS_DEFAULT_RESPONSE_TIMEOUT_US);
    return flow;
}

static void modbus_state_free(void *state)
{
    free(state);
}

/* Yes when the flow starts with one complete, plausible ADU followed by the
 * end of the data or another plausible header. */
static enum mamori_probe modbus_probe(const uint8_t *data, size_t len, enum mamori_direction dir)
{
    (void)dir;
    enum mamori_probe first = modbus_header_plausible(data, len);
    if (first != MAMORI_PROBE_YES)
        return first;
    struct mbap_header h;
    modbus_read_header(data, len, &h);
    size_t adu_len = MBAP_LENGTH_PREFIX + (size_t)h.length;
    if (len < adu_len)
        return MAMORI_PROBE_MORE;
    if (len == adu_len)
        return MAMORI_PROBE_YES;
    return modbus_header_plausible(data + adu_len, len - adu_len);
}

const struct mamori_decoder modbus_decoder = {
    .abi = MAMORI_DECODER_ABI,
    .name = MODBUS_PROTOCOL,
    .description = "Modbus/TCP: every public function, device identification, Schneider UMAS",
    .transports = MAMORI_TRANSPORT_TCP,
    .tcp_ports = { MODBUS_TCP_PORT },
    .max_pdu = MODBUS_ADU_MAX,
    .probe = modbus_probe,
    .state_new = modbus_state_new,
    .state_free = modbus_state_free,
    .parse = modbus_parse,
    .finish = modbus_finish,
};
