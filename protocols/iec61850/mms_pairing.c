/* mms_pairing.c — MMS request/response pairing by invokeID, per direction,
 * in a fixed table per flow (mms_flow.h). When the table is full the oldest
 * request is evicted and reported; requests unanswered past the response
 * timeout are reported as they expire and at the end of the flow. */
#include "mms_flow.h"

#include "mms_services.h"

void mms_report_unanswered(struct mms_flow *flow, const struct mamori_parse_ctx *ctx,
                           const struct mms_pending *req, enum mms_anomaly a)
{
    flow->anomalies[a]++;
    const struct mms_service *svc = mms_confirmed_service(req->service);
    struct mamori_event ev;
    mamori_event_init(&ev, ctx->sink, MMS_PROTOCOL);
    ev.kind = MAMORI_EVENT_ANOMALY;
    ev.anomaly = mms_anomaly_name(a);
    ev.role = MAMORI_ROLE_REQUEST;
    ev.has_function = true;
    ev.function_code = req->service;
    ev.function_name = svc ? svc->function_name : NULL;
    detail_uint(ev.detail, "invokeID", req->invoke_id);
    detail_uint(ev.detail, "confirmedServiceRequest", req->service);
    detail_uint(ev.detail, "request_time_us", req->time_us);
    detail_uint(ev.detail, "count", flow->anomalies[a]);
    mamori_emit(ctx->sink, &ev);
}

bool mms_pairing_request(struct mms_flow *flow, const struct mamori_parse_ctx *ctx,
                         const struct mms_pdu_info *request, struct mms_pending *evicted)
{
    uint32_t invoke_id = request->invoke_id;
    bool did_evict = false;
    struct mms_pending *slot = NULL, *oldest = &flow->pending[0];
    for (size_t i = 0; i < MMS_PENDING_MAX; i++) {
        struct mms_pending *p = &flow->pending[i];
        if (p->used && p->dir == ctx->dir && p->invoke_id == invoke_id) {
            slot = p; /* the invokeID was reused: the newer request replaces it */
            break;
        }
        if (!p->used && !slot)
            slot = p;
        if (p->used && p->time_us < oldest->time_us)
            oldest = p;
    }
    if (!slot) {
        *evicted = *oldest;
        did_evict = true;
        slot = oldest;
    } else if (!slot->used) {
        flow->pending_count++;
    }
    slot->used = true;
    slot->dir = (uint8_t)ctx->dir;
    slot->invoke_id = invoke_id;
    slot->service = request->service;
    slot->operate = request->operate;
    slot->time_us = ctx->time_us;
    slot->nameplate.n = 0;
    if (request->nameplate.n) /* most requests name none: copy the table only when used */
        slot->nameplate = request->nameplate;
    return did_evict;
}

bool mms_pairing_response(struct mms_flow *flow, const struct mamori_parse_ctx *ctx, uint32_t invoke_id,
                          struct mms_pending *request)
{
    for (size_t i = 0; i < MMS_PENDING_MAX; i++) {
        struct mms_pending *p = &flow->pending[i];
        if (p->used && p->dir != ctx->dir && p->invoke_id == invoke_id) {
            *request = *p;
            p->used = false;
            flow->pending_count--;
            return true;
        }
    }
    return false;
}

void mms_pairing_expire(struct mms_flow *flow, const struct mamori_parse_ctx *ctx, bool all)
{
    for (size_t i = 0; i < MMS_PENDING_MAX && flow->pending_count > 0; i++) {
        struct mms_pending *p = &flow->pending[i];
        if (!p->used)
            continue;
        bool expired = ctx->time_us > p->time_us && ctx->time_us - p->time_us > flow->response_timeout_us;
        if (all || expired) {
            mms_report_unanswered(flow, ctx, p, MMS_ANOMALY_UNANSWERED_REQUEST);
            p->used = false;
            flow->pending_count--;
        }
    }
}
