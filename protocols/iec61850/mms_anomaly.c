/* mms_anomaly.c — anomaly names and events of the MMS decoder, counted per
 * flow (mms_flow.h). */
#include "mms_flow.h"

static const char *const anomaly_names[MMS_ANOMALY__COUNT] = {
    [MMS_ANOMALY_TPKT_BAD_HEADER] = "tpkt_bad_header",
    [MMS_ANOMALY_COTP_MALFORMED] = "cotp_malformed",
    [MMS_ANOMALY_COTP_REASSEMBLY_OVERFLOW] = "cotp_reassembly_overflow",
    [MMS_ANOMALY_SESSION_MALFORMED] = "session_malformed",
    [MMS_ANOMALY_PRESENTATION_MALFORMED] = "presentation_malformed",
    [MMS_ANOMALY_ACSE_MALFORMED] = "acse_malformed",
    [MMS_ANOMALY_MMS_MALFORMED] = "mms_malformed",
    [MMS_ANOMALY_TPKT_NOT_MMS] = "tpkt_not_mms",
    [MMS_ANOMALY_UNKNOWN_PAYLOAD] = "cotp_unknown_payload",
    [MMS_ANOMALY_STREAM_GAP] = "stream_gap",
    [MMS_ANOMALY_PENDING_TABLE_FULL] = "pending_table_full",
    [MMS_ANOMALY_UNANSWERED_REQUEST] = "unanswered_request",
    [MMS_ANOMALY_UNMATCHED_RESPONSE] = "unmatched_response",
};

const char *mms_anomaly_name(enum mms_anomaly a)
{
    return (unsigned)a < MMS_ANOMALY__COUNT ? anomaly_names[a] : "unknown";
}

static bool is_malformed(enum mms_anomaly a)
{
    return a <= MMS_ANOMALY_MMS_MALFORMED && a != MMS_ANOMALY_COTP_REASSEMBLY_OVERFLOW;
}

void mms_report_anomaly(struct mms_flow *flow, const struct mamori_parse_ctx *ctx, enum mms_anomaly a,
                        const char *reason)
{
    flow->anomalies[a]++;
    struct mamori_event ev;
    mamori_event_init(&ev, ctx->sink, MMS_PROTOCOL);
    ev.kind = MAMORI_EVENT_ANOMALY;
    ev.anomaly = mms_anomaly_name(a);
    if (is_malformed(a))
        ev.op = MAMORI_OP_MALFORMED;
    detail_cstring(ev.detail, "reason", reason);
    detail_uint(ev.detail, "count", flow->anomalies[a]);
    mamori_emit(ctx->sink, &ev);
}
