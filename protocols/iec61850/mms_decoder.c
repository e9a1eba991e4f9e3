/* mms_decoder.c — the MMS decoder (TCP/102): per-flow state within the state
 * budget, the TPKT framing loop over the reassembled stream (several frames
 * per segment or one split over many, resynchronisation after garbage or a
 * gap), the probe that tells MMS from S7comm and other TPKT users, and the
 * end-of-flow report of unanswered requests. The ISO stack walk lives in
 * mms_stack.c. */
#include <stdlib.h>
#include <string.h>

#include "../builtin.h"
#include "mms_flow.h"
#include "mms_pdu.h"
#include "session.h"
#include "tpkt.h"


/* The state is small; the two TSDU buffers (sized to what is left of the
 * budget, at most MMS_TSDU_MAX each) are only allocated when a TSDU first
 * spans several TPDUs in that direction. */
static void *mms_state_new(const struct mamori_decoder_options *opts)
{
    size_t per_direction = MMS_TSDU_MAX;
    if (opts && opts->state_budget) {
        if (opts->state_budget < sizeof(struct mms_flow) + 2 * MMS_TSDU_MIN)
            return NULL;
        size_t room = (opts->state_budget - sizeof(struct mms_flow)) / 2;
        if (room < per_direction)
            per_direction = room;
    }
    struct mms_flow *flow = calloc(1, sizeof *flow);
    if (!flow)
        return NULL;
    flow->tsdu_cap = per_direction;
    cotp_reassembly_init(&flow->tsdu[MAMORI_DIR_TO_SERVER], NULL, 0);
    cotp_reassembly_init(&flow->tsdu[MAMORI_DIR_TO_CLIENT], NULL, 0);
    flow->response_timeout_us =
        opts && opts->response_timeout_us ? opts->response_timeout_us : MMS_DEFAULT_RESPONSE_TIMEOUT_US;
    return flow;
}

bool mms_flow_reassembly_buffer(struct mms_flow *flow, enum mamori_direction dir)
{
    struct cotp_reassembly *r = &flow->tsdu[dir];
    if (r->buf)
        return true;
    uint8_t *buf = malloc(flow->tsdu_cap);
    if (!buf)
        return false;
    cotp_reassembly_init(r, buf, flow->tsdu_cap);
    return true;
}

static void mms_state_free(void *state)
{
    struct mms_flow *flow = state;
    if (!flow)
        return;
    free(flow->tsdu[MAMORI_DIR_TO_SERVER].buf);
    free(flow->tsdu[MAMORI_DIR_TO_CLIENT].buf);
    free(flow);
}

static size_t mms_parse(void *state, const uint8_t *data, size_t len, const struct mamori_parse_ctx *ctx)
{
    struct mms_flow *flow = state;
    enum mamori_direction dir = ctx->dir == MAMORI_DIR_TO_CLIENT ? MAMORI_DIR_TO_CLIENT : MAMORI_DIR_TO_SERVER;
    if (ctx->gap) {
        bool had_partial = flow->tsdu[dir].len > 0 || flow->tsdu[dir].overflow;
        cotp_reassembly_reset(&flow->tsdu[dir]);
        mms_report_anomaly(flow, ctx, MMS_ANOMALY_STREAM_GAP,
                           had_partial ? "partial_tsdu_dropped" : "bytes_lost");
    }
    mms_pairing_expire(flow, ctx, false);
    size_t off = 0;
    while (off < len) {
        size_t frame_len = 0;
        enum tpkt_status st = tpkt_frame(data + off, len - off, &frame_len);
        if (st == TPKT_NEED_MORE)
            break;
        if (st == TPKT_BAD) {
            if (!flow->resyncing[dir])
                mms_report_anomaly(flow, ctx, MMS_ANOMALY_TPKT_BAD_HEADER, tpkt_problem(data + off, len - off));
            flow->resyncing[dir] = true;
            off += tpkt_resync(data + off, len - off);
            continue;
        }
        flow->resyncing[dir] = false;
        cursor frame = cursor_make(data + off, frame_len);
        cursor_skip(&frame, TPKT_HEADER_LEN);
        mms_stack_tpdu(flow, frame, ctx);
        off += frame_len;
    }
    return off;
}

static void mms_finish(void *state, const struct mamori_parse_ctx *ctx)
{
    mms_pairing_expire(state, ctx, true);
}

/* Yes when the first TSDU is ISO session or an MMS PDU; no when it is
 * S7comm, another TPKT user, or not TPKT at all; more while only connection
 * set-up TPDUs have been seen. */
static enum mamori_probe mms_probe(const uint8_t *data, size_t len, enum mamori_direction dir)
{
    (void)dir;
    size_t off = 0;
    while (off < len) {
        size_t frame_len = 0;
        enum tpkt_status st = tpkt_frame(data + off, len - off, &frame_len);
        if (st == TPKT_BAD)
            return MAMORI_PROBE_NO;
        if (st == TPKT_NEED_MORE)
            return MAMORI_PROBE_MORE;
        cursor frame = cursor_make(data + off, frame_len);
        cursor_skip(&frame, TPKT_HEADER_LEN);
        struct cotp_tpdu t;
        if (cotp_parse(frame, &t) != COTP_OK)
            return MAMORI_PROBE_NO;
        uint8_t first;
        if (t.type == COTP_DT && cursor_peek_u8(&t.user_data, 0, &first)) {
            if (first == S7COMM_PROTOCOL_ID || first == S7COMM_PLUS_PROTOCOL_ID)
                return MAMORI_PROBE_NO;
            return ses_si_known(first) || mms_pdu_first_octet(first) ? MAMORI_PROBE_YES : MAMORI_PROBE_NO;
        }
        off += frame_len;
    }
    return MAMORI_PROBE_MORE;
}

const struct mamori_decoder mms_decoder = {
    .abi = MAMORI_DECODER_ABI,
    .name = MMS_PROTOCOL,
    .description = "IEC 61850 / ISO 9506 MMS over TPKT, COTP, ISO session, presentation and ACSE",
    .transports = MAMORI_TRANSPORT_TCP,
    .tcp_ports = {MMS_TCP_PORT},
    .max_pdu = TPKT_MAX_LEN,
    .probe = mms_probe,
    .state_new = mms_state_new,
    .state_free = mms_state_free,
    .parse = mms_parse,
    .finish = mms_finish,
};
