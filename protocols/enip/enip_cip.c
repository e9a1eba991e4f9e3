/* enip_cip.c — CIP message router requests and responses carried by
 * SendRRData and SendUnitData: service, request path, general and additional
 * status, the services inside a Multiple Service Packet and the message inside
 * an Unconnected Send, each named by the object it addresses. The message sets
 * the event's function (the CIP service), operation class (the strongest of
 * embedded services), object (tag or "@class/instance/attribute") and status,
 * and pairs responses with requests. */
#include "enip_private.h"

#include <string.h>

/* Nesting allowed below the top message: an Unconnected Send holding a
 * Multiple Service Packet holding the services. */
#define CIP_NESTING_MAX 2
#define CIP_RESPONSE_HEADER_LEN 4 /* service, reserved, general status, additional status size */
/* Partial transfer: a fragmented read returned one fragment, not a failure. */
#define CIP_STATUS_PARTIAL_TRANSFER 0x06
#define UNCONNECTED_SEND_HEADER_LEN 4 /* priority/tick, timeout ticks, message size */

struct cip_result {
    uint8_t service; /* without the response flag */
    enum cip_object_kind kind;
    enum mamori_op op;
    uint8_t status;
    /* What the response to this request will carry. */
    uint8_t reply_service;
    enum cip_object_kind reply_kind;
};

struct cip_walk {
    struct enip_message *msg;
    char *text;
    size_t text_size;
};

static void decode_message(struct cip_walk *w, cursor *c, enum cip_object_kind kind, int depth,
                           struct cip_result *out, const struct enip_pending *req, struct enip_pending *rec);

/* Any class above read and other wins; the first one found is kept. */
static int op_rank(enum mamori_op op)
{
    return op == MAMORI_OP_NONE ? 0 : op == MAMORI_OP_OTHER ? 1 : op == MAMORI_OP_READ ? 2 : 3;
}

static enum mamori_op op_combine(enum mamori_op a, enum mamori_op b)
{
    return op_rank(b) > op_rank(a) ? b : a;
}

static void text_separator(struct cip_walk *w)
{
    size_t used = strlen(w->text);
    if (used > 0 && used + 2 < w->text_size) {
        w->text[used] = ',';
        w->text[used + 1] = '\0';
    }
}

/* Number of services, offsets from the count, then the services. */
static void multiple_services(struct cip_walk *w, cursor *c, bool response, int depth, struct cip_result *out,
                              const struct enip_pending *req, struct enip_pending *rec)
{
    struct mamori_detail *d = w->msg->ev->detail;
    cursor body = cursor_rest(c);
    cursor head = body;
    uint16_t count = cursor_le16(&head);
    detail_uint(d, "num_services", count);
    size_t total = cursor_left(&body), first = 2 + (size_t)count * 2;
    if (!cursor_ok(&head) || first > total) {
        enip_flag(w->msg, ENIP_ANOMALY_INVALID_LENGTH, "service_offsets_beyond_message");
        return;
    }
    enum mamori_op op = MAMORI_OP_NONE;
    detail_array_begin(d, "services");
    for (uint16_t i = 0; i < count; i++) {
        cursor next = head;
        cursor_skip(&next, 2);
        size_t start = cursor_le16(&head), end = i + 1 < count ? cursor_le16(&next) : total;
        if (start < first || end < start || end > total) {
            enip_flag(w->msg, ENIP_ANOMALY_INVALID_LENGTH, "service_offset_out_of_range");
            break;
        }
        cursor service = body;
        cursor_skip(&service, start);
        service = cursor_sub(&service, end - start);
        bool paired = i < ENIP_PAIRED_SERVICES_MAX;
        enum cip_object_kind kind = req && paired && i < req->n_embedded ? req->embedded_kind[i] : CIP_KIND_GENERIC;
        struct cip_result r;
        detail_object_begin(d, NULL);
        text_separator(w);
        decode_message(w, &service, kind, depth + 1, &r, NULL, NULL);
        detail_end(d);
        op = op_combine(op, r.op);
        if (rec && paired && !response) {
            rec->embedded_service[i] = r.service;
            rec->embedded_kind[i] = (uint8_t)r.kind;
            rec->n_embedded = (uint8_t)(i + 1);
        }
    }
    detail_end(d);
    out->op = op;
}

/* Priority/tick, timeout, the embedded request, a pad byte, the route path. */
static void unconnected_send(struct cip_walk *w, cursor *c, int depth, struct cip_result *out)
{
    struct mamori_detail *d = w->msg->ev->detail;
    uint8_t tick = cursor_u8(c), timeout = cursor_u8(c);
    uint16_t size = cursor_le16(c);
    cursor embedded = cursor_sub(c, size);
    if (size & 1)
        cursor_skip(c, 1);
    uint8_t route_words = cursor_u8(c);
    cursor_skip(c, 1); /* reserved */
    if (!cursor_ok(c))
        return;
    detail_uint(d, "priority_tick", tick);
    detail_uint(d, "timeout_ticks", timeout);
    detail_uint(d, "msg_req_size", size);
    struct cip_result r;
    detail_object_begin(d, "message");
    decode_message(w, &embedded, CIP_KIND_GENERIC, depth + 1, &r, NULL, NULL);
    detail_end(d);
    struct cip_path route;
    char route_text[ENIP_OBJECT_TEXT_MAX];
    detail_object_begin(d, "route");
    cip_path_decode(w->msg, c, route_words, &route, route_text, sizeof route_text);
    detail_end(d);
    out->op = r.op;
    out->reply_service = r.service;
    out->reply_kind = r.kind;
}

static void request(struct cip_walk *w, cursor *c, uint8_t service, int depth, struct cip_result *out,
                    struct enip_pending *rec)
{
    struct mamori_detail *d = w->msg->ev->detail;
    uint8_t words = cursor_u8(c);
    detail_uint(d, "path_len", words);
    struct cip_path path;
    size_t used = strlen(w->text);
    cip_path_decode(w->msg, c, words, &path, w->text + used, w->text_size - used);
    out->kind = out->reply_kind = cip_path_kind(&path);
    out->op = cip_service_op(service, out->kind);
    detail_cstring(d, "service_name", cip_service_name(service, out->kind));
    if (service == CIP_MULTIPLE_SERVICE_PACKET && depth < CIP_NESTING_MAX)
        multiple_services(w, c, false, depth, out, NULL, rec);
    else if (service == CIP_CM_UNCONNECTED_SEND && out->kind == CIP_KIND_CONNECTION_MANAGER &&
             depth < CIP_NESTING_MAX) {
        w->text[used] = '\0'; /* the object is the embedded request's target */
        unconnected_send(w, c, depth, out);
    }
    else
        detail_uint(d, "data_len", cursor_left(c));
    cursor_skip(c, cursor_left(c));
}

static void response(struct cip_walk *w, cursor *c, uint8_t service, int depth, struct cip_result *out,
                     const struct enip_pending *req)
{
    struct mamori_detail *d = w->msg->ev->detail;
    cursor_skip(c, 1); /* reserved */
    out->status = cursor_u8(c);
    uint8_t words = cursor_u8(c);
    if (!cursor_ok(c))
        return;
    detail_uint(d, "genstat", out->status);
    const char *status_name = cip_status_name(out->status);
    if (status_name)
        detail_cstring(d, "genstat_name", status_name);
    detail_uint(d, "addstat_size", words);
    detail_array_begin(d, "addstat");
    for (uint8_t i = 0; i < words && cursor_ok(c); i++) {
        uint16_t status = cursor_le16(c);
        if (cursor_ok(c))
            detail_uint(d, NULL, status);
    }
    detail_end(d);
    detail_cstring(d, "service_name", cip_service_name(service, out->kind));
    out->op = cip_service_op(service, out->kind);
    bool embedded_follow = cursor_left(c) > 0;
    if (service == CIP_MULTIPLE_SERVICE_PACKET && embedded_follow && depth < CIP_NESTING_MAX)
        multiple_services(w, c, true, depth, out, req, NULL);
    else
        detail_uint(d, "data_len", cursor_left(c));
    cursor_skip(c, cursor_left(c));
    if (out->status != 0 && out->status != CIP_STATUS_PARTIAL_TRANSFER)
        out->op = MAMORI_OP_EXCEPTION;
}

static void decode_message(struct cip_walk *w, cursor *c, enum cip_object_kind kind, int depth,
                           struct cip_result *out, const struct enip_pending *req, struct enip_pending *rec)
{
    struct mamori_detail *d = w->msg->ev->detail;
    memset(out, 0, sizeof *out);
    uint8_t code = cursor_u8(c);
    out->service = code & CIP_SERVICE_MASK;
    out->kind = kind;
    if (!cursor_ok(c)) {
        enip_flag(w->msg, ENIP_ANOMALY_INVALID_LENGTH, "cip_message_empty");
        return;
    }
    detail_uint(d, "service", code);
    if (code & CIP_RESPONSE_FLAG)
        response(w, c, out->service, depth, out, req);
    else
        request(w, c, out->service, depth, out, rec);
    if (!cursor_ok(c))
        enip_flag(w->msg, ENIP_ANOMALY_INVALID_LENGTH, "cip_message_shorter_than_its_fields");
}

/* The kind of object a response's service refers to, from its request. */
static enum cip_object_kind reply_kind(const struct enip_pending *req, uint8_t service)
{
    if (!req)
        return CIP_KIND_GENERIC;
    if (service == req->service)
        return (enum cip_object_kind)req->kind;
    /* An Unconnected Send that could not be routed answers for itself. */
    return service == CIP_CM_UNCONNECTED_SEND ? CIP_KIND_CONNECTION_MANAGER : CIP_KIND_GENERIC;
}

static uint64_t pairing_key(const struct enip_message *msg)
{
    if (msg->connected)
        return msg->sequence;
    cursor c = cursor_make(msg->h.context, ENIP_CONTEXT_LEN);
    return cursor_le64(&c);
}

static void pair(struct enip_message *msg, uint64_t key, struct enip_pending *taken, const struct enip_pending **req)
{
    struct enip_flow *flow = msg->flow;
    *req = NULL;
    if (!enip_tx_take(&flow->tx, msg->connected, key, taken)) {
        enip_flag(msg, ENIP_ANOMALY_UNSOLICITED_RESPONSE, "no_request_with_this_context_or_sequence");
        return;
    }
    *req = taken;
    if (msg->time_us >= taken->time_us)
        msg->ev->latency_us = (int64_t)(msg->time_us - taken->time_us);
}

void enip_decode_cip(struct enip_message *msg, cursor *c)
{
    struct mamori_event *ev = msg->ev;
    struct cip_walk w = { msg, msg->object, sizeof msg->object };
    uint64_t key = pairing_key(msg);
    struct enip_pending taken;
    const struct enip_pending *req = NULL;
    uint8_t code = 0;
    bool is_response = cursor_peek_u8(c, 0, &code) && (code & CIP_RESPONSE_FLAG);
    if (is_response)
        pair(msg, key, &taken, &req);
    msg->object[0] = '\0';
    struct cip_result r;
    detail_object_begin(ev->detail, "cip");
    decode_message(&w, c, reply_kind(req, code & CIP_SERVICE_MASK), 0, &r, req, &msg->record);
    detail_end(ev->detail);
    ev->has_function = true;
    ev->function_code = r.service;
    ev->function_name = cip_service_name(r.service, r.kind);
    ev->op = r.op;
    ev->object = (struct mamori_text){ msg->object, strlen(msg->object) };
    if (is_response) {
        ev->has_status = true;
        ev->status = r.status;
        return;
    }
    msg->record.time_us = msg->time_us;
    msg->record.key = key;
    msg->record.connected = msg->connected;
    msg->record.command = msg->h.command;
    msg->record.service = r.reply_service ? r.reply_service : r.service;
    msg->record.kind = (uint8_t)r.reply_kind;
    msg->has_record = true;
}
