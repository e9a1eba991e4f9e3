/* dnp3.c — the DNP3 decoder (IEEE 1815) over TCP and UDP: the decoder struct,
 * per-flow state, and the path from link frames to events.
 *
 * parse() cuts the byte run into link frames (resynchronising on the start
 * bytes), hands user data to transport reassembly, and turns each complete
 * application fragment into one operation event with the Wireshark-named
 * `dnp3` detail, followed by its anomaly events and, when the outstation
 * reported group 0 device attributes, one identity event. Link frames without
 * user data (link status, resets, acknowledgements) are events of their own.
 * Nothing here allocates after state_new. */
#include <stdlib.h>
#include <string.h>

#include "../builtin.h"
#include "../cursor.h"
#include "dnp3_app.h"
#include "dnp3_link.h"
#include "dnp3_objects.h"
#include "dnp3_session.h"
#include "dnp3_transport.h"

#define DNP3_PORT 20000
#define DNP3_GROUP_TIME 50 /* a write of it sets the outstation's clock */
#define DNP3_REASSEMBLY_SLOTS 4        /* link-address pairs reassembled at once per flow */
/* Bytes of one reassembled application fragment: 64 full segments, beyond
 * which the 6-bit transport sequence number wraps and order is ambiguous. */
#define DNP3_FRAGMENT_MAX (DNP3_TR_SEQ_MODULO * (DNP3_LINK_USER_MAX - 1))
#define DNP3_MAX_POINTS_PER_FRAGMENT 16384
/* Points written into an event's detail (its buffer is 8 KiB); the rest are
 * decoded and counted as points_omitted, so every object header still shows. */
#define DNP3_DETAIL_POINTS_PER_FRAGMENT 100

static const char dnp3_name[] = "dnp3";

struct dnp3_state {
    struct dnp3_transport transport;
    struct dnp3_session session;
    struct dnp3_link_frame frame; /* scratch: the frame being decoded */
    struct dnp3_reassembly slots[DNP3_REASSEMBLY_SLOTS];
    uint8_t buffers[]; /* transport.n_slots * DNP3_FRAGMENT_MAX */
};

/* ---- per-flow state ---- */

static void *dnp3_state_new(const struct mamori_decoder_options *opts)
{
    size_t base = sizeof(struct dnp3_state);
    if (opts->state_budget < base + DNP3_FRAGMENT_MAX)
        return NULL;
    size_t slots = (opts->state_budget - base) / DNP3_FRAGMENT_MAX;
    if (slots > DNP3_REASSEMBLY_SLOTS)
        slots = DNP3_REASSEMBLY_SLOTS;
    struct dnp3_state *st = malloc(base + slots * DNP3_FRAGMENT_MAX);
    if (!st)
        return NULL;
    dnp3_transport_init(&st->transport, st->slots, slots, st->buffers, DNP3_FRAGMENT_MAX);
    dnp3_session_init(&st->session, opts->response_timeout_us);
    return st;
}

static void dnp3_state_free(void *state)
{
    free(state);
}

/* ---- events ---- */

static void link_detail(struct mamori_detail *d, const struct dnp3_link_frame *f)
{
    detail_uint(d, "len", f->len);
    detail_uint(d, "ctl", f->ctl);
    detail_uint(d, "dst", f->dst);
    detail_uint(d, "src", f->src);
}

/* The application function an event is about; its info, NULL when unknown. */
static const struct dnp3_function_info *event_function(struct mamori_event *ev, uint8_t fc)
{
    const struct dnp3_function_info *info = dnp3_function_lookup(fc);
    ev->has_function = true;
    ev->function_code = fc;
    ev->function_name = info ? info->name : NULL;
    return info;
}

/* An anomaly about a frame or fragment; `fc` < 0 when there is no function. */
static void emit_anomaly(const struct mamori_parse_ctx *ctx, const char *name, enum mamori_op op,
                         const struct dnp3_link_frame *f, bool from_outstation, int fc)
{
    struct mamori_event ev;
    mamori_event_init(&ev, ctx->sink, dnp3_name);
    ev.kind = MAMORI_EVENT_ANOMALY;
    ev.anomaly = name;
    ev.op = op;
    if (f) {
        ev.has_unit = true;
        ev.unit = from_outstation ? f->src : f->dst;
        link_detail(ev.detail, f);
    }
    if (fc >= 0)
        event_function(&ev, (uint8_t)fc);
    mamori_emit(ctx->sink, &ev);
}

static void emit_link_only(const struct mamori_parse_ctx *ctx, const struct dnp3_link_frame *f)
{
    struct mamori_event ev;
    mamori_event_init(&ev, ctx->sink, dnp3_name);
    bool primary = f->ctl & DNP3_CTL_PRM;
    ev.role = primary ? MAMORI_ROLE_REQUEST : MAMORI_ROLE_RESPONSE;
    ev.op = MAMORI_OP_SESSION;
    ev.has_unit = true;
    ev.unit = (f->ctl & DNP3_CTL_DIR) ? f->dst : f->src;
    link_detail(ev.detail, f);
    detail_uint(ev.detail, primary ? "ctl.prifunc" : "ctl.secfunc", f->ctl & DNP3_CTL_FUNC);
    detail_cstring(ev.detail, "link_function", dnp3_link_function_name(f->ctl));
    mamori_emit(ctx->sink, &ev);
}

static void iin_detail(struct mamori_detail *d, uint16_t iin)
{
    detail_uint(d, "al.iin", iin);
    detail_array_begin(d, "al.iin.bits");
    for (uint16_t bit = 0x8000; bit; bit >>= 1)
        if (iin & bit)
            detail_cstring(d, NULL, dnp3_iin_bit_name(bit));
    detail_end(d);
}

static bool is_broadcast(uint16_t addr)
{
    return addr >= DNP3_ADDR_BROADCAST_MIN;
}

/* What a fragment did, for the anomalies that follow its event. */
struct fragment_facts {
    struct dnp3_app_header h;
    const struct dnp3_function_info *info;
    bool from_outstation;
    bool malformed;
    bool operate_without_select;
    bool flood_starts;
};

/* Pairs requests and responses, tracks select-before-operate. */
static int64_t track_transaction(struct dnp3_state *st, const struct mamori_parse_ctx *ctx,
                                 const struct dnp3_link_frame *f, struct fragment_facts *facts, cursor objects)
{
    const struct dnp3_app_header *h = &facts->h;
    uint8_t seq = h->ctl & DNP3_AL_SEQ;
    uint16_t outstation = facts->from_outstation ? f->src : f->dst;
    uint16_t master = facts->from_outstation ? f->dst : f->src;
    if (h->func == DNP3_FC_RESPONSE)
        return dnp3_session_answer(&st->session, DNP3_PENDING_REQUEST, master, outstation, seq, ctx->time_us);
    if (h->func == DNP3_FC_UNSOLICITED_RESPONSE) {
        if (h->ctl & DNP3_AL_CON)
            dnp3_session_expect(&st->session, DNP3_PENDING_UNSOLICITED, h->func, master, outstation, seq,
                                ctx->time_us);
        return -1;
    }
    if (h->func == DNP3_FC_CONFIRM)
        return (h->ctl & DNP3_AL_UNS) ? dnp3_session_answer(&st->session, DNP3_PENDING_UNSOLICITED, master,
                                                            outstation, seq, ctx->time_us)
                                      : -1;
    if (facts->from_outstation)
        return -1;
    size_t n = cursor_left(&objects);
    uint32_t hash = dnp3_objects_hash(cursor_bytes(&objects, n), n);
    if (h->func == DNP3_FC_SELECT)
        dnp3_session_select(&st->session, master, outstation, seq, hash, ctx->time_us);
    else if (h->func == DNP3_FC_OPERATE)
        facts->operate_without_select = !dnp3_session_operate(&st->session, master, outstation, seq, hash,
                                                              ctx->time_us);
    if (facts->info && facts->info->expects_response && !is_broadcast(f->dst))
        facts->flood_starts =
            dnp3_session_expect(&st->session, DNP3_PENDING_REQUEST, h->func, master, outstation, seq, ctx->time_us);
    return -1;
}

static enum mamori_op fragment_op(const struct fragment_facts *facts, const struct dnp3_walk *walk)
{
    if (!facts->info)
        return MAMORI_OP_MALFORMED;
    if (facts->h.func == DNP3_FC_WRITE && walk->n_objects > 0 && walk->first_group == DNP3_GROUP_TIME)
        return MAMORI_OP_TIME_SYNC;
    if (facts->h.func == DNP3_FC_RESPONSE && (facts->h.iin & DNP3_IIN_REQUEST_ERRORS))
        return MAMORI_OP_EXCEPTION;
    return facts->info->op;
}

static void emit_request_anomalies(const struct mamori_parse_ctx *ctx, const struct dnp3_link_frame *f,
                                   const struct fragment_facts *facts, const struct dnp3_walk *walk)
{
    uint8_t fc = facts->h.func;
    enum mamori_op op = facts->info ? facts->info->op : MAMORI_OP_OTHER;
    if (is_broadcast(f->dst))
        emit_anomaly(ctx, "broadcast_destination", op, f, false, fc);
    if (fc == DNP3_FC_COLD_RESTART || fc == DNP3_FC_WARM_RESTART)
        emit_anomaly(ctx, "restart_command", op, f, false, fc);
    if (fc == DNP3_FC_STOP_APPLICATION)
        emit_anomaly(ctx, "stop_application", op, f, false, fc);
    if (fc == DNP3_FC_DISABLE_UNSOLICITED)
        emit_anomaly(ctx, "disable_unsolicited", op, f, false, fc);
    if ((fc >= DNP3_FC_OPEN_FILE && fc <= DNP3_FC_ABORT_FILE) || walk->file_objects)
        emit_anomaly(ctx, "file_transfer", MAMORI_OP_FILE, f, false, fc);
    if (fc == DNP3_FC_ACTIVATE_CONFIG)
        emit_anomaly(ctx, "activate_configuration", op, f, false, fc);
    if (facts->operate_without_select)
        emit_anomaly(ctx, "operate_without_select", op, f, false, fc);
}

static void emit_identity(const struct mamori_parse_ctx *ctx, const struct dnp3_link_frame *f,
                          const struct dnp3_walk *walk)
{
    struct mamori_event ev;
    mamori_event_init(&ev, ctx->sink, dnp3_name);
    ev.kind = MAMORI_EVENT_IDENTITY;
    ev.role = MAMORI_ROLE_RESPONSE;
    ev.op = MAMORI_OP_IDENTIFY;
    ev.has_unit = true;
    ev.unit = f->src;
    for (size_t i = 0; i < walk->identity.count; i++)
        mamori_event_add_identity(&ev, walk->identity.fields[i].name, walk->identity.fields[i].value.ptr,
                                  walk->identity.fields[i].value.len);
    detail_uint(ev.detail, "src", f->src);
    detail_uint(ev.detail, "dst", f->dst);
    mamori_emit(ctx->sink, &ev);
}

/* One complete application fragment, carried last by link frame `f`. */
static void fragment_process(struct dnp3_state *st, const struct mamori_parse_ctx *ctx,
                             const struct dnp3_link_frame *f, const struct dnp3_fragment *frag)
{
    cursor c = cursor_make(frag->data, frag->len);
    struct fragment_facts facts = { 0 };
    struct mamori_event ev;
    mamori_event_init(&ev, ctx->sink, dnp3_name);
    struct mamori_detail *d = ev.detail;
    link_detail(d, f);
    detail_uint(d, "al.fragment.count", frag->segments);

    if (!dnp3_app_header_read(&c, &facts.h)) {
        ev.kind = MAMORI_EVENT_ANOMALY;
        ev.anomaly = "malformed";
        ev.op = MAMORI_OP_MALFORMED;
        ev.has_unit = true;
        ev.unit = (f->ctl & DNP3_CTL_DIR) ? f->dst : f->src;
        mamori_emit(ctx->sink, &ev);
        return;
    }
    facts.info = event_function(&ev, facts.h.func);
    facts.from_outstation = dnp3_function_is_response(facts.h.func);
    ev.role = facts.h.func == DNP3_FC_UNSOLICITED_RESPONSE ? MAMORI_ROLE_UNSOLICITED
              : facts.from_outstation                      ? MAMORI_ROLE_RESPONSE
                                                           : MAMORI_ROLE_REQUEST;
    ev.has_unit = true;
    ev.unit = facts.from_outstation ? f->src : f->dst;
    detail_uint(d, "al.ctl", facts.h.ctl);
    detail_uint(d, "al.seq", facts.h.ctl & DNP3_AL_SEQ);
    detail_uint(d, "al.func", facts.h.func);
    if (facts.h.has_iin) {
        iin_detail(d, facts.h.iin);
        ev.has_status = true;
        ev.status = facts.h.iin;
    }

    struct dnp3_walk walk = { 0 };
    walk.mode = facts.info ? facts.info->objects : DNP3_OBJECTS_NONE;
    walk.max_points = DNP3_MAX_POINTS_PER_FRAGMENT;
    walk.detail_points_left = DNP3_DETAIL_POINTS_PER_FRAGMENT;
    walk.ev = &ev;
    cursor objects = c;
    if (walk.mode == DNP3_OBJECTS_NONE) {
        facts.malformed = !cursor_empty(&c) && facts.info != NULL;
    } else {
        detail_array_begin(d, "objects");
        dnp3_objects_walk(&c, &walk);
        detail_end(d);
    }
    facts.malformed = facts.malformed || walk.malformed || !facts.info;
    if (walk.has_range) {
        ev.has_range = true;
        ev.range_start = walk.range_start;
        ev.range_count = walk.range_count;
    }
    if (walk.n_objects > 0) {
        ev.object.ptr = walk.first_object;
        ev.object.len = walk.first_object_len;
    }
    ev.op = fragment_op(&facts, &walk);
    ev.latency_us = track_transaction(st, ctx, f, &facts, objects);
    mamori_emit(ctx->sink, &ev);

    int fc = facts.h.func;
    bool out = facts.from_outstation;
    if (facts.malformed)
        emit_anomaly(ctx, "malformed", MAMORI_OP_MALFORMED, f, out, fc);
    if (walk.unknown_object)
        emit_anomaly(ctx, "unknown_object", MAMORI_OP_MALFORMED, f, out, fc);
    if (walk.too_many_points)
        emit_anomaly(ctx, "too_many_points", MAMORI_OP_MALFORMED, f, out, fc);
    if (facts.flood_starts)
        emit_anomaly(ctx, "flooded", facts.info ? facts.info->op : MAMORI_OP_OTHER, f, out, fc);
    if (!out)
        emit_request_anomalies(ctx, f, &facts, &walk);
    if (walk.identity.count > 0 && out)
        emit_identity(ctx, f, &walk);
}

static void frame_process(struct dnp3_state *st, const struct mamori_parse_ctx *ctx, const struct dnp3_link_frame *f)
{
    if (!dnp3_link_has_user_data(f)) {
        emit_link_only(ctx, f);
        return;
    }
    struct dnp3_fragment frag = { NULL, 0, 0 };
    bool evicted = false;
    enum dnp3_tr_result r = dnp3_transport_add(&st->transport, (uint8_t)ctx->dir, f->src, f->dst, f->user,
                                               f->user_len, &frag, &evicted);
    bool from_outstation = !(f->ctl & DNP3_CTL_DIR);
    if (evicted)
        emit_anomaly(ctx, "reassembly_evicted", MAMORI_OP_MALFORMED, f, from_outstation, -1);
    switch (r) {
    case DNP3_TR_COMPLETE: fragment_process(st, ctx, f, &frag); break;
    case DNP3_TR_OUT_OF_SEQUENCE:
        emit_anomaly(ctx, "out_of_sequence", MAMORI_OP_MALFORMED, f, from_outstation, -1);
        break;
    case DNP3_TR_TOO_LONG:
        emit_anomaly(ctx, "fragment_too_long", MAMORI_OP_MALFORMED, f, from_outstation, -1);
        break;
    default: break;
    }
}

/* A request that got no response in time, or before the flow ended. */
static void emit_unanswered(const struct dnp3_state *st, const struct mamori_parse_ctx *ctx,
                            const struct dnp3_pending *req)
{
    struct mamori_event ev;
    mamori_event_init(&ev, ctx->sink, dnp3_name);
    ev.kind = MAMORI_EVENT_ANOMALY;
    ev.anomaly = "unanswered_request";
    ev.role = MAMORI_ROLE_REQUEST;
    const struct dnp3_function_info *info = event_function(&ev, req->func);
    ev.op = info ? info->op : MAMORI_OP_OTHER;
    ev.has_unit = true;
    ev.unit = req->outstation;
    detail_uint(ev.detail, "dst", req->outstation);
    detail_uint(ev.detail, "src", req->master);
    detail_uint(ev.detail, "al.seq", req->seq);
    detail_uint(ev.detail, "al.func", req->func);
    detail_uint(ev.detail, "request_time_us", req->time_us);
    detail_uint(ev.detail, "count", st->session.unanswered);
    mamori_emit(ctx->sink, &ev);
}

/* ---- the byte path ---- */

static size_t dnp3_parse(void *state, const uint8_t *data, size_t len, const struct mamori_parse_ctx *ctx)
{
    struct dnp3_state *st = state;
    struct dnp3_link_frame *f = &st->frame;
    if (ctx->gap)
        dnp3_transport_reset_dir(&st->transport, (uint8_t)ctx->dir);
    struct dnp3_pending late; /* later traffic shows the response timeout has passed */
    while (dnp3_session_take_expired(&st->session, ctx->time_us, &late))
        emit_unanswered(st, ctx, &late);
    size_t used = 0;
    while (used < len) {
        size_t garbage = dnp3_link_skip_to_start(data + used, len - used);
        if (garbage > 0) {
            emit_anomaly(ctx, "link_resync", MAMORI_OP_MALFORMED, NULL, false, -1);
            used += garbage;
            continue;
        }
        enum dnp3_link_status s = dnp3_link_read(data + used, len - used, f);
        switch (s) {
        case DNP3_LINK_NEED_MORE:
            if (ctx->transport != MAMORI_TRANSPORT_UDP)
                return used; /* the stream brings the rest */
            /* A datagram holds whole frames: nothing will complete this one. */
            emit_anomaly(ctx, "truncated_frame", MAMORI_OP_MALFORMED, len - used >= DNP3_LINK_HEADER_LEN ? f : NULL,
                         !(f->ctl & DNP3_CTL_DIR), -1);
            return len;
        case DNP3_LINK_OK: frame_process(st, ctx, f); break;
        case DNP3_LINK_BAD_HEADER_CRC:
            emit_anomaly(ctx, "bad_link_crc", MAMORI_OP_MALFORMED, NULL, false, -1);
            break;
        case DNP3_LINK_LEN_TOO_SMALL:
            emit_anomaly(ctx, "len_too_small", MAMORI_OP_MALFORMED, f, !(f->ctl & DNP3_CTL_DIR), -1);
            break;
        case DNP3_LINK_BAD_BLOCK_CRC:
            emit_anomaly(ctx, "bad_transport_crc", MAMORI_OP_MALFORMED, f, !(f->ctl & DNP3_CTL_DIR), -1);
            break;
        }
        used += f->wire_len;
    }
    return used;
}

/* The flow ended: every request still awaiting its response is reported. */
static void dnp3_finish(void *state, const struct mamori_parse_ctx *ctx)
{
    struct dnp3_state *st = state;
    struct dnp3_pending req;
    while (dnp3_session_take_unanswered(&st->session, &req))
        emit_unanswered(st, ctx, &req);
}

static enum mamori_probe dnp3_probe(const uint8_t *data, size_t len, enum mamori_direction dir)
{
    (void)dir;
    cursor c = cursor_make(data, len);
    uint8_t first, second;
    if (!cursor_peek_u8(&c, 0, &first))
        return MAMORI_PROBE_MORE;
    if (first != DNP3_START_FIRST)
        return MAMORI_PROBE_NO;
    if (!cursor_peek_u8(&c, 1, &second))
        return MAMORI_PROBE_MORE;
    if (second != DNP3_START_SECOND)
        return MAMORI_PROBE_NO;
    struct dnp3_link_frame frame;
    switch (dnp3_link_read(data, len, &frame)) {
    case DNP3_LINK_BAD_HEADER_CRC:
    case DNP3_LINK_LEN_TOO_SMALL: return MAMORI_PROBE_NO;
    case DNP3_LINK_NEED_MORE: return len < DNP3_LINK_HEADER_LEN ? MAMORI_PROBE_MORE : MAMORI_PROBE_YES;
    default: return MAMORI_PROBE_YES;
    }
}

const struct mamori_decoder dnp3_decoder = {
    .abi = MAMORI_DECODER_ABI,
    .name = dnp3_name,
    .description = "DNP3 (IEEE 1815) over TCP and UDP: link CRCs, transport reassembly, application objects",
    .transports = MAMORI_TRANSPORT_TCP | MAMORI_TRANSPORT_UDP,
    .tcp_ports = { DNP3_PORT },
    .udp_ports = { DNP3_PORT },
    .max_pdu = DNP3_LINK_FRAME_MAX,
    .probe = dnp3_probe,
    .state_new = dnp3_state_new,
    .state_free = dnp3_state_free,
    .parse = dnp3_parse,
    .finish = dnp3_finish,
};
