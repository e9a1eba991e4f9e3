/* mms_stack.c — walks one COTP TPDU up the ISO stack to the MMS PDU:
 * COTP (connection set-up and release become session events, DT user data is
 * joined into TSDUs), ISO session, presentation, ACSE, MMS. Tells MMS from
 * S7comm and other TPKT users by the first octet of the first TSDU, and
 * decodes an MMS PDU sent straight on COTP without session and presentation
 * (seen in the wild). Every layer's malformation is a counted anomaly. */
#include <stdio.h>

#include "acse.h"
#include "mms_flow.h"
#include "mms_pdu.h"
#include "presentation.h"
#include "session.h"

#define OID_TEXT_MAX 64
/* Wireshark's name for the context of the PDV an event came from. */
#define PRES_CONTEXT_KEY "presentation_context_identifier"

static const char *user_name(enum mms_tpkt_user user)
{
    switch (user) {
    case MMS_USER_MMS: return "mms";
    case MMS_USER_S7COMM: return "s7comm";
    case MMS_USER_S7COMM_PLUS: return "s7comm_plus";
    case MMS_USER_OTHER: return "other";
    default: return "unknown";
    }
}

/* The first TSDU decides what the connection carries; a non-MMS user is
 * reported once. */
static void note_user(struct mms_flow *flow, const struct mamori_parse_ctx *ctx, enum mms_tpkt_user user)
{
    if (flow->user != MMS_USER_UNKNOWN)
        return;
    flow->user = user;
    if (user != MMS_USER_MMS)
        mms_report_anomaly(flow, ctx, MMS_ANOMALY_TPKT_NOT_MMS, user_name(user));
}

/* A session-level event (COTP, session or ACSE set-up and tear-down). */
static void emit_session_event(const struct mamori_parse_ctx *ctx, enum mamori_role role, enum mamori_op op,
                               const char *function_name, struct mamori_event *ev)
{
    ev->role = role;
    ev->op = op;
    ev->function_name = function_name;
    mamori_emit(ctx->sink, ev);
}

static void cotp_event(const struct mamori_parse_ctx *ctx, const struct cotp_tpdu *t)
{
    struct mamori_event ev;
    mamori_event_init(&ev, ctx->sink, MMS_PROTOCOL);
    detail_object_begin(ev.detail, "cotp");
    detail_cstring(ev.detail, "type", cotp_type_name(t->type));
    detail_uint(ev.detail, "dstref", t->dst_ref);
    switch (t->type) {
    case COTP_CR:
    case COTP_CC:
        detail_uint(ev.detail, "srcref", t->src_ref);
        detail_uint(ev.detail, "class", t->class_option >> 4);
        detail_end(ev.detail);
        if (t->type == COTP_CR)
            emit_session_event(ctx, MAMORI_ROLE_REQUEST, MAMORI_OP_SESSION, "cotp_connection_request", &ev);
        else
            emit_session_event(ctx, MAMORI_ROLE_RESPONSE, MAMORI_OP_SESSION, "cotp_connection_confirm", &ev);
        break;
    case COTP_DR:
        detail_uint(ev.detail, "srcref", t->src_ref);
        detail_uint(ev.detail, "reason", t->reason);
        detail_end(ev.detail);
        emit_session_event(ctx, MAMORI_ROLE_REQUEST, MAMORI_OP_SESSION, "cotp_disconnect_request", &ev);
        break;
    default: /* ER */
        detail_uint(ev.detail, "cause", t->reason);
        detail_end(ev.detail);
        ev.has_status = true;
        ev.status = t->reason;
        emit_session_event(ctx, MAMORI_ROLE_RESPONSE, MAMORI_OP_EXCEPTION, "cotp_error", &ev);
        break;
    }
}

/* Authentication-value CHOICE alternatives; the value itself is never logged. */
static const char *authentication_name(uint32_t kind)
{
    switch (kind) {
    case 0: return "password";
    case 1: return "bitstring";
    case 2: return "external";
    default: return "other";
    }
}

static void acse_detail(struct mamori_detail *d, const struct acse_apdu *a)
{
    char oid[OID_TEXT_MAX];
    detail_object_begin(d, "acse");
    detail_cstring(d, "apdu", acse_type_name(a->type));
    size_t n = acse_oid_text(a->context_name, oid, sizeof oid);
    if (n)
        detail_string(d, "aSO_context_name", oid, n);
    n = acse_oid_text(a->mechanism_name, oid, sizeof oid);
    if (n)
        detail_string(d, "mechanism_name", oid, n);
    if (a->has_authentication)
        detail_cstring(d, "authentication", authentication_name(a->authentication_kind));
    if (a->has_result)
        detail_int(d, "result", a->result);
    if (a->has_reason)
        detail_int(d, "reason", a->reason);
    if (a->has_abort_source)
        detail_int(d, "abort_source", a->abort_source);
    detail_end(d);
}

/* What pairing found for one PDU; reported after the PDU's own event. */
struct pairing_outcome {
    bool evicted;
    struct mms_pending evicted_request;
    bool unmatched;
};

/* Remembers requests; gives responses and errors their latency, errors the
 * service of their request, responses to control writes the operate class
 * and read responses of nameplates their identity facts (qualified names in
 * `names`). Emits nothing. */
static void pair(struct mms_flow *flow, const struct mamori_parse_ctx *ctx, struct mamori_event *ev,
                 const struct mms_pdu_info *info, struct pairing_outcome *out, struct mms_fact_names *names)
{
    struct mms_pending req;
    if (!info->has_invoke_id)
        return;
    if (info->type == MMS_CONFIRMED_REQUEST && info->has_service) {
        out->evicted = mms_pairing_request(flow, ctx, info, &out->evicted_request);
        return;
    }
    if (info->type != MMS_CONFIRMED_RESPONSE && info->type != MMS_CONFIRMED_ERROR)
        return;
    if (!mms_pairing_response(flow, ctx, info->invoke_id, &req)) {
        out->unmatched = true;
        return;
    }
    ev->latency_us = ctx->time_us >= req.time_us ? (int64_t)(ctx->time_us - req.time_us) : 0;
    if (req.operate && ev->op == MAMORI_OP_WRITE)
        ev->op = MAMORI_OP_OPERATE; /* the outcome of a control */
    if (req.nameplate.n && info->has_results && !info->error &&
        mms_read_nameplate(&req.nameplate, info->results, ev, names))
        ev->kind = MAMORI_EVENT_IDENTITY; /* the device's nameplate */
    const struct mms_service *svc = mms_confirmed_service(req.service);
    if (info->type == MMS_CONFIRMED_ERROR && svc) {
        ev->has_function = true;
        ev->function_code = req.service;
        ev->function_name = svc->function_name;
    }
}

/* Decodes and emits one MMS PDU; `pdv` is the presentation data value and
 * `acse` the APDU that carried it, if any. */
static void emit_mms(struct mms_flow *flow, const struct mamori_parse_ctx *ctx, const struct pres_pdv *pdv,
                     cursor pdu, const struct acse_apdu *acse)
{
    struct mamori_event ev;
    struct mms_pdu_info info;
    struct pairing_outcome paired; /* evicted_request is only read when evicted */
    paired.evicted = paired.unmatched = false;
    struct mms_fact_names fact_names; /* the event's qualified identity names, until it is emitted */
    note_user(flow, ctx, MMS_USER_MMS);
    mamori_event_init(&ev, ctx->sink, MMS_PROTOCOL);
    if (pdv)
        detail_int(ev.detail, PRES_CONTEXT_KEY, pdv->context_id);
    if (acse)
        acse_detail(ev.detail, acse);
    mms_pdu_decode(pdu, &ev, flow->object_text, sizeof flow->object_text, &info);
    if (acse && acse->has_result && acse->result != 0)
        ev.op = MAMORI_OP_EXCEPTION; /* association rejected */
    if (info.error) {
        /* The event still carries what was decoded before the fault. */
        flow->anomalies[MMS_ANOMALY_MMS_MALFORMED]++;
        ev.kind = MAMORI_EVENT_ANOMALY;
        ev.anomaly = mms_anomaly_name(MMS_ANOMALY_MMS_MALFORMED);
        ev.op = MAMORI_OP_MALFORMED;
        detail_cstring(ev.detail, "reason", info.error);
        detail_uint(ev.detail, "count", flow->anomalies[MMS_ANOMALY_MMS_MALFORMED]);
    }
    pair(flow, ctx, &ev, &info, &paired, &fact_names);
    mamori_emit(ctx->sink, &ev);
    if (paired.evicted)
        mms_report_unanswered(flow, ctx, &paired.evicted_request, MMS_ANOMALY_PENDING_TABLE_FULL);
    if (paired.unmatched)
        mms_report_anomaly(flow, ctx, MMS_ANOMALY_UNMATCHED_RESPONSE, mms_pdu_name(info.type));
}

static const char *acse_function_name(enum acse_type type)
{
    switch (type) {
    case ACSE_AARQ: return "associate_request";
    case ACSE_AARE: return "associate_response";
    case ACSE_RLRQ: return "release_request";
    case ACSE_RLRE: return "release_response";
    case ACSE_ABRT: return "abort";
    }
    return NULL;
}

static void handle_acse(struct mms_flow *flow, const struct mamori_parse_ctx *ctx, const struct pres_pdv *pdv)
{
    struct acse_apdu apdu;
    if (acse_parse(pdv->value, &apdu) != ACSE_OK) {
        mms_report_anomaly(flow, ctx, MMS_ANOMALY_ACSE_MALFORMED, "acse_malformed");
        return;
    }
    uint8_t first;
    if (apdu.has_user_data && cursor_peek_u8(&apdu.user_data, 0, &first) && mms_pdu_first_octet(first)) {
        emit_mms(flow, ctx, pdv, apdu.user_data, &apdu);
        return;
    }
    note_user(flow, ctx, MMS_USER_MMS);
    struct mamori_event ev;
    mamori_event_init(&ev, ctx->sink, MMS_PROTOCOL);
    detail_int(ev.detail, PRES_CONTEXT_KEY, pdv->context_id);
    acse_detail(ev.detail, &apdu);
    bool is_request = apdu.type == ACSE_AARQ || apdu.type == ACSE_RLRQ || apdu.type == ACSE_ABRT;
    enum mamori_op op = MAMORI_OP_SESSION;
    if (apdu.has_result && apdu.result != 0) {
        op = MAMORI_OP_EXCEPTION;
        ev.has_status = true;
        ev.status = (int32_t)apdu.result;
    }
    emit_session_event(ctx, is_request ? MAMORI_ROLE_REQUEST : MAMORI_ROLE_RESPONSE, op,
                       acse_function_name(apdu.type), &ev);
}

/* Presentation user data: each PDV an ACSE APDU or an MMS PDU, at most
 * MMS_PDV_MAX of them. True when it produced an event. */
static bool handle_presentation(struct mms_flow *flow, const struct mamori_parse_ctx *ctx, cursor ppdu)
{
    struct pres_user_data pres;
    struct pres_pdv pdv;
    enum pres_error e = pres_parse(ppdu, &pres);
    unsigned n = 0;
    while (e == PRES_OK && (e = pres_next_pdv(&pres, &pdv)) == PRES_OK) {
        uint8_t first;
        if (++n > MMS_PDV_MAX) {
            mms_report_anomaly(flow, ctx, MMS_ANOMALY_PRESENTATION_MALFORMED, "pres_too_many_pdvs");
            return true;
        }
        if (!cursor_peek_u8(&pdv.value, 0, &first))
            mms_report_anomaly(flow, ctx, MMS_ANOMALY_PRESENTATION_MALFORMED, "pres_empty_pdv");
        else if (acse_is_apdu(first))
            handle_acse(flow, ctx, &pdv);
        else if (mms_pdu_first_octet(first))
            emit_mms(flow, ctx, &pdv, pdv.value, NULL);
        else
            mms_report_anomaly(flow, ctx, MMS_ANOMALY_PRESENTATION_MALFORMED, "pres_user_data_not_acse_or_mms");
    }
    if (e == PRES_NO_USER_DATA)
        return n > 0;
    mms_report_anomaly(flow, ctx, MMS_ANOMALY_PRESENTATION_MALFORMED, pres_error_name(e));
    return true;
}

static void session_event(const struct mamori_parse_ctx *ctx, const struct ses_spdu *s)
{
    struct mamori_event ev;
    mamori_event_init(&ev, ctx->sink, MMS_PROTOCOL);
    detail_object_begin(ev.detail, "ses");
    detail_uint(ev.detail, "type", s->si);
    if (s->has_reason)
        detail_uint(ev.detail, "reason_code", s->reason);
    detail_end(ev.detail);
    if (s->si == SES_RF) {
        ev.has_status = s->has_reason;
        ev.status = s->reason;
        emit_session_event(ctx, MAMORI_ROLE_RESPONSE, MAMORI_OP_EXCEPTION, "session_refuse", &ev);
    } else {
        emit_session_event(ctx, MAMORI_ROLE_NONE, MAMORI_OP_SESSION, "session_abort", &ev);
    }
}

static void handle_session(struct mms_flow *flow, const struct mamori_parse_ctx *ctx, cursor tsdu)
{
    struct ses_spdu spdu;
    enum ses_error e = ses_parse(tsdu, &spdu);
    if (e != SES_OK) {
        mms_report_anomaly(flow, ctx, MMS_ANOMALY_SESSION_MALFORMED, ses_error_name(e));
        return;
    }
    note_user(flow, ctx, MMS_USER_MMS);
    bool emitted = false;
    if (spdu.has_user_data && !cursor_empty(&spdu.user_data))
        emitted = handle_presentation(flow, ctx, spdu.user_data);
    if (!emitted && (spdu.si == SES_RF || spdu.si == SES_AB))
        session_event(ctx, &spdu);
}

void mms_stack_tsdu(struct mms_flow *flow, cursor tsdu, const struct mamori_parse_ctx *ctx)
{
    uint8_t first;
    if (!cursor_peek_u8(&tsdu, 0, &first))
        return;
    if (ses_si_known(first)) {
        handle_session(flow, ctx, tsdu);
    } else if (mms_pdu_first_octet(first)) {
        emit_mms(flow, ctx, NULL, tsdu, NULL);
    } else if (flow->user == MMS_USER_UNKNOWN) {
        note_user(flow, ctx,
                  first == S7COMM_PROTOCOL_ID        ? MMS_USER_S7COMM
                  : first == S7COMM_PLUS_PROTOCOL_ID ? MMS_USER_S7COMM_PLUS
                                                     : MMS_USER_OTHER);
    } else if (flow->user == MMS_USER_MMS) {
        char reason[32];
        snprintf(reason, sizeof reason, "first_octet_0x%02x", first);
        mms_report_anomaly(flow, ctx, MMS_ANOMALY_UNKNOWN_PAYLOAD, reason);
    }
}

void mms_stack_tpdu(struct mms_flow *flow, cursor tpdu, const struct mamori_parse_ctx *ctx)
{
    struct cotp_tpdu t;
    enum cotp_error e = cotp_parse(tpdu, &t);
    if (e != COTP_OK) {
        mms_report_anomaly(flow, ctx, MMS_ANOMALY_COTP_MALFORMED, cotp_error_name(e));
        return;
    }
    struct cotp_reassembly *r = &flow->tsdu[ctx->dir];
    cursor tsdu;
    switch (t.type) {
    case COTP_CR:
    case COTP_CC:
    case COTP_DR:
    case COTP_ER:
        if (flow->user == MMS_USER_UNKNOWN || flow->user == MMS_USER_MMS)
            cotp_event(ctx, &t);
        break;
    case COTP_DT:
        if (flow->user != MMS_USER_UNKNOWN && flow->user != MMS_USER_MMS)
            break; /* not ours: reported once already */
        if (!t.eot)
            mms_flow_reassembly_buffer(flow, ctx->dir); /* without it the TSDU overflows */
        switch (cotp_reassembly_add(r, t.user_data, t.eot, &tsdu)) {
        case COTP_TSDU_COMPLETE:
            mms_stack_tsdu(flow, tsdu, ctx);
            break;
        case COTP_TSDU_OVERFLOW:
            mms_report_anomaly(flow, ctx, MMS_ANOMALY_COTP_REASSEMBLY_OVERFLOW, "tsdu_larger_than_buffer");
            break;
        default:
            break;
        }
        break;
    default:
        break; /* DC, AK, ED, EA, RJ: classes above 0, nothing MMS needs */
    }
}
