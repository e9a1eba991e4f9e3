/* mms_flow.h — per-flow state of the MMS decoder and what its files share:
 * the stream loop (mms_decoder.c), the ISO stack walk from COTP TSDU to MMS
 * PDU (mms_stack.c), request/response pairing (mms_pairing.c) and the
 * anomaly events (mms_anomaly.c). Private to protocols/iec61850/mms*.c. */
#ifndef MAMORI_MMS_FLOW_H
#define MAMORI_MMS_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../decoder.h"
#include "cotp.h"
#include "mms_pdu.h"

#define MMS_PROTOCOL "mms"
#define MMS_TCP_PORT 102
#define MMS_PENDING_MAX 16      /* outstanding confirmed requests tracked per flow */
#define MMS_OBJECT_TEXT_MAX 160 /* "domain/item" of an event's object */
#define MMS_TSDU_MAX 65536      /* most bytes of a TSDU joined from several DT TPDUs */
#define MMS_TSDU_MIN 1024       /* below this the state budget is too small */
#define MMS_PDV_MAX 16          /* presentation data values decoded per PPDU */
#define MMS_DEFAULT_RESPONSE_TIMEOUT_US 5000000u
/* First octet of a COTP DT's user data for Siemens S7comm and S7comm-plus. */
#define S7COMM_PROTOCOL_ID 0x32
#define S7COMM_PLUS_PROTOCOL_ID 0x72

enum mms_anomaly {
    MMS_ANOMALY_TPKT_BAD_HEADER,
    MMS_ANOMALY_COTP_MALFORMED,
    MMS_ANOMALY_COTP_REASSEMBLY_OVERFLOW,
    MMS_ANOMALY_SESSION_MALFORMED,
    MMS_ANOMALY_PRESENTATION_MALFORMED,
    MMS_ANOMALY_ACSE_MALFORMED,
    MMS_ANOMALY_MMS_MALFORMED,
    MMS_ANOMALY_TPKT_NOT_MMS,        /* S7comm or another TPKT user on this flow */
    MMS_ANOMALY_UNKNOWN_PAYLOAD,     /* an MMS flow carried a TSDU that is none of the ISO layers */
    MMS_ANOMALY_STREAM_GAP,          /* bytes were lost; partial TSDU dropped */
    MMS_ANOMALY_PENDING_TABLE_FULL,  /* a request was evicted unanswered to make room */
    MMS_ANOMALY_UNANSWERED_REQUEST,
    MMS_ANOMALY_UNMATCHED_RESPONSE,  /* a response or error to no request seen (also mid-stream starts) */
    MMS_ANOMALY__COUNT
};

/* What the TPKT connection carries, as far as the decoder could tell. */
enum mms_tpkt_user {
    MMS_USER_UNKNOWN,
    MMS_USER_MMS,
    MMS_USER_S7COMM,
    MMS_USER_S7COMM_PLUS,
    MMS_USER_OTHER,
};

struct mms_pending {
    bool used;
    uint8_t dir;        /* direction the request travelled */
    uint32_t invoke_id;
    uint32_t service;
    bool operate;       /* the request wrote a control object */
    uint64_t time_us;
    struct mms_nameplate nameplate; /* a read's variables naming a nameplate */
};

struct mms_flow {
    struct cotp_reassembly tsdu[2]; /* per direction */
    bool resyncing[2];              /* inside a run of bytes that are not TPKT */
    enum mms_tpkt_user user;
    uint64_t response_timeout_us;
    struct mms_pending pending[MMS_PENDING_MAX];
    unsigned pending_count;
    uint64_t anomalies[MMS_ANOMALY__COUNT];
    char object_text[MMS_OBJECT_TEXT_MAX];
    size_t tsdu_cap; /* per direction, within the state budget */
};

/* Gives direction `dir` its TSDU buffer the first time a TSDU spans several
 * DT TPDUs (most never do); false when it cannot be had. */
bool mms_flow_reassembly_buffer(struct mms_flow *flow, enum mamori_direction dir);

const char *mms_anomaly_name(enum mms_anomaly a);
/* Emits an anomaly event with a `reason` and the per-flow count. */
void mms_report_anomaly(struct mms_flow *flow, const struct mamori_parse_ctx *ctx, enum mms_anomaly a,
                        const char *reason);

/* One COTP TSDU (session SPDU, or an MMS PDU sent straight on COTP). */
void mms_stack_tsdu(struct mms_flow *flow, cursor tsdu, const struct mamori_parse_ctx *ctx);
/* One COTP TPDU (a TPKT payload). */
void mms_stack_tpdu(struct mms_flow *flow, cursor tpdu, const struct mamori_parse_ctx *ctx);

/* Pairing. A request is remembered; when the table is full the oldest is
 * evicted into *evicted (returns true) for the caller to report once its own
 * event is out. A response or error takes its request back out (false when
 * none was pending). Neither emits: the sink's detail buffer may be in use. */
bool mms_pairing_request(struct mms_flow *flow, const struct mamori_parse_ctx *ctx,
                         const struct mms_pdu_info *request, struct mms_pending *evicted);
bool mms_pairing_response(struct mms_flow *flow, const struct mamori_parse_ctx *ctx, uint32_t invoke_id,
                          struct mms_pending *request);
/* Emits anomaly `a` (unanswered_request, pending_table_full) for req. */
void mms_report_unanswered(struct mms_flow *flow, const struct mamori_parse_ctx *ctx,
                           const struct mms_pending *req, enum mms_anomaly a);
/* Reports requests older than the response timeout (all when `all`). */
void mms_pairing_expire(struct mms_flow *flow, const struct mamori_parse_ctx *ctx, bool all);

#endif
