/* goose.c — IEC 61850-8-1 GOOSE decoder (ethertype 0x88B8).
 *
 * One frame in, one publish event out (object = gocbRef, values = the scalar
 * allData members), with the whole goosePdu in the detail under the names
 * Wireshark uses. A frame that is not a well-formed goosePdu gives one
 * malformed event instead. Per control block (the core keys the flow by
 * source MAC and APPID; a flow may carry a few gocbRefs) the decoder follows
 * stNum/sqNum, timeAllowedtoLive, confRev, simulation and ndsCom and reports
 * what protection engineers watch as anomaly events; the worker-wide registry
 * notices a second flow publishing the same gocbRef. A publisher that falls
 * silent is found by tick(): the worker's shared state watches every GOOSE
 * flow and wakes at the earliest timeAllowedtoLive deadline. It does not
 * decode the GSE management PDU beyond naming it. */
#include <stdlib.h>
#include <string.h>

#include "../builtin.h"
#include "goose_sv_common.h"
#include "mms_data.h"

#define GOOSE_ETHERTYPE 0x88b8
#define GOOSE_MAX_CONTROL_BLOCKS 4
#define GOOSE_MIN_STALE_US 1000000u /* a gocbRef changes publisher only after this much silence */
#define US_PER_MS 1000u
#define GOOSE_PDU_DEPTH 1           /* goosePdu members sit one level inside the APDU */
#define GOOSE_WATCH_MAX 4096        /* publisher flows a worker watches for silence */
#define GOOSE_NOTHING_DUE UINT64_MAX

/* APDU CHOICE (IEC 61850-8-1 Annex A). */
#define GOOSE_TAG_GSE_MNGT_PDU 0
#define GOOSE_TAG_GOOSE_PDU 1

/* IECGoosePdu members, context-specific tags in SEQUENCE order. */
enum goose_field {
    GOOSE_GOCB_REF = 0,
    GOOSE_TIME_ALLOWED_TO_LIVE,
    GOOSE_DAT_SET,
    GOOSE_GO_ID,
    GOOSE_T,
    GOOSE_ST_NUM,
    GOOSE_SQ_NUM,
    GOOSE_SIMULATION,
    GOOSE_CONF_REV,
    GOOSE_NDS_COM,
    GOOSE_NUM_DAT_SET_ENTRIES,
    GOOSE_ALL_DATA,
    GOOSE_FIELD_COUNT
};

static const char *const goose_field_names[GOOSE_FIELD_COUNT] = {
    "gocbRef", "timeAllowedtoLive", "datSet", "goID", "t", "stNum", "sqNum",
    "simulation", "confRev", "ndsCom", "numDatSetEntries", "allData",
};

/* goID is OPTIONAL; simulation and ndsCom have DEFAULT FALSE. */
#define GOOSE_MANDATORY                                                                                      \
    ((1u << GOOSE_GOCB_REF) | (1u << GOOSE_TIME_ALLOWED_TO_LIVE) | (1u << GOOSE_DAT_SET) | (1u << GOOSE_T) | \
     (1u << GOOSE_ST_NUM) | (1u << GOOSE_SQ_NUM) | (1u << GOOSE_CONF_REV) |                                 \
     (1u << GOOSE_NUM_DAT_SET_ENTRIES) | (1u << GOOSE_ALL_DATA))

struct goose_pdu {
    uint32_t present; /* bit per enum goose_field */
    struct mamori_text gocb_ref;
    uint32_t time_allowed_to_live, st_num, sq_num, conf_rev, num_dat_set_entries;
    bool simulation, nds_com;
    struct iec61850_utc_time t;
    uint32_t all_data_count;
    enum mms_data_error data_error; /* first error inside allData */
};

/* Why a frame is malformed: the anomaly name plus what to say about it. */
struct goose_error {
    const char *anomaly;
    const char *error; /* BER or Data error name, or NULL */
    const char *field; /* goosePdu member concerned, or NULL */
    int32_t tag;       /* unexpected tag number, or -1 */
};

/* What the decoder remembers about one control block. */
struct goose_cb {
    struct goose_sv_slot slot; /* first: name = gocbRef, last_us */
    uint32_t st_num, sq_num, conf_rev, time_allowed_to_live;
    bool simulation, nds_com;
    bool second_source_reported;
    bool silence_reported;
};

struct goose_shared;

struct goose_state {
    uint64_t owner; /* registry owner id, 0 until the first frame */
    struct goose_cb cbs[GOOSE_MAX_CONTROL_BLOCKS];
    struct mamori_endpoints where; /* the publisher's addresses, for tick()'s events */
    struct goose_shared *watched_by; /* NULL: not (yet) watched */
    uint32_t watch_index;
    bool unwatched_reported; /* the watch list was full for this flow */
};

/* A worker's GOOSE state: the second-publisher registry, and the flows whose
 * silence tick() watches. */
struct goose_shared {
    struct goose_sv_registry *registry;
    uint64_t next_due_us;  /* no deadline of a watched flow comes before this */
    uint64_t watch_full;   /* flows left unwatched because the table was full */
    uint32_t n_watched;
    struct goose_state *watched[GOOSE_WATCH_MAX];
};

/* ---- goosePdu ------------------------------------------------------------ */

static bool read_u32(cursor v, uint32_t *out)
{
    uint64_t u;
    if (!ber_uint(v, &u) || u > UINT32_MAX)
        return false;
    *out = (uint32_t)u;
    return true;
}

static void set_error(struct goose_error *err, const char *anomaly, const char *error, const char *field)
{
    err->anomaly = anomaly;
    err->error = error;
    err->field = field;
}

/* Decodes one member into pdu and the detail; false (err filled) when its
 * value does not fit the type. */
static bool read_field(struct goose_pdu *pdu, enum goose_field f, const struct ber_tlv *tlv,
                       struct mamori_event *ev, struct goose_error *err)
{
    struct mamori_detail *d = ev->detail;
    const char *name = goose_field_names[f];
    cursor v = tlv->value;
    size_t n = cursor_left(&v);
    bool ok = !tlv->constructed || f == GOOSE_ALL_DATA;
    switch (f) {
    case GOOSE_GOCB_REF:
    case GOOSE_DAT_SET:
    case GOOSE_GO_ID: {
        struct mamori_text text = { (const char *)cursor_bytes(&v, n), n };
        if (f == GOOSE_GOCB_REF)
            pdu->gocb_ref = text;
        detail_string(d, name, text.ptr, text.len);
        break;
    }
    case GOOSE_TIME_ALLOWED_TO_LIVE:
    case GOOSE_ST_NUM:
    case GOOSE_SQ_NUM:
    case GOOSE_CONF_REV:
    case GOOSE_NUM_DAT_SET_ENTRIES: {
        uint32_t *slot = f == GOOSE_TIME_ALLOWED_TO_LIVE ? &pdu->time_allowed_to_live
                       : f == GOOSE_ST_NUM               ? &pdu->st_num
                       : f == GOOSE_SQ_NUM               ? &pdu->sq_num
                       : f == GOOSE_CONF_REV             ? &pdu->conf_rev
                                                         : &pdu->num_dat_set_entries;
        ok = ok && read_u32(v, slot);
        if (ok)
            detail_uint(d, name, *slot);
        break;
    }
    case GOOSE_SIMULATION:
    case GOOSE_NDS_COM: {
        bool *slot = f == GOOSE_SIMULATION ? &pdu->simulation : &pdu->nds_com;
        ok = ok && ber_bool(v, slot);
        if (ok)
            detail_bool(d, name, *slot);
        break;
    }
    case GOOSE_T:
        ok = ok && iec61850_utc_time_read(v, &pdu->t);
        if (ok)
            iec61850_utc_time_detail(d, name, "t_quality", &pdu->t);
        break;
    case GOOSE_ALL_DATA: {
        if (!tlv->constructed) {
            ok = false;
            break;
        }
        /* allData is framed by the goosePdu, so a broken value inside it
         * still leaves a usable PDU: the caller reports it separately. */
        struct mms_data_out out = { d, ev };
        pdu->data_error = mms_data_read_list(&out, name, v, GOOSE_PDU_DEPTH, &pdu->all_data_count);
        break;
    }
    case GOOSE_FIELD_COUNT:
        ok = false;
        break;
    }
    if (!ok)
        set_error(err, "malformed_field", NULL, name);
    return ok;
}

/* Walks the goosePdu SEQUENCE: members in order, each at most once. */
static bool read_goose_pdu(cursor body, struct goose_pdu *pdu, struct mamori_event *ev, struct goose_error *err,
                           bool truncated)
{
    struct ber_tlv tlv;
    enum ber_status st;
    bool stop;
    int last = -1;
    while ((st = goose_sv_next(&body, &tlv, truncated, &stop)) == BER_OK) {
        if (stop) {
            set_error(err, "truncated_frame", NULL, "goosePdu");
            return false;
        }
        if (tlv.cls != BER_CLASS_CONTEXT || tlv.tag >= GOOSE_FIELD_COUNT || (int)tlv.tag <= last) {
            set_error(err, "unexpected_field", NULL, NULL);
            err->tag = (int32_t)tlv.tag;
            return false;
        }
        last = (int)tlv.tag;
        if (!read_field(pdu, (enum goose_field)tlv.tag, &tlv, ev, err))
            return false;
        pdu->present |= 1u << tlv.tag;
    }
    if (st != BER_END) {
        set_error(err, "malformed_ber", ber_status_name(st), "goosePdu");
        return false;
    }
    uint32_t missing = GOOSE_MANDATORY & ~pdu->present;
    if (missing) {
        set_error(err, "missing_field", NULL, goose_field_names[__builtin_ctz(missing)]);
        return false;
    }
    return true;
}

/* ---- per control block tracking ------------------------------------------ */

/* An anomaly about the numbers of this frame against the control block's last ones. */
static void sequence_anomaly(const struct mamori_parse_ctx *ctx, const struct goose_pdu *pdu,
                             const struct goose_cb *cb, const char *anomaly)
{
    struct mamori_event ev;
    goose_sv_anomaly_begin(&ev, ctx->sink, goose_decoder.name, anomaly, MAMORI_OP_REPORT, &pdu->gocb_ref);
    detail_uint(ev.detail, "stNum", pdu->st_num);
    detail_uint(ev.detail, "sqNum", pdu->sq_num);
    detail_uint(ev.detail, "prev_stNum", cb->st_num);
    detail_uint(ev.detail, "prev_sqNum", cb->sq_num);
    if (pdu->conf_rev != cb->conf_rev) {
        detail_uint(ev.detail, "confRev", pdu->conf_rev);
        detail_uint(ev.detail, "prev_confRev", cb->conf_rev);
    }
    mamori_emit(ctx->sink, &ev);
}

/* `where`: the publisher's addresses when no packet of it is current (tick). */
static void silence_anomaly(const struct mamori_parse_ctx *ctx, const struct goose_cb *cb, uint64_t silence_us,
                            const struct mamori_endpoints *where)
{
    struct mamori_event ev;
    struct mamori_text ref = { (const char *)cb->slot.name.text,
                               cb->slot.name.len < GOOSE_SV_NAME_MAX ? cb->slot.name.len : GOOSE_SV_NAME_MAX };
    goose_sv_anomaly_begin(&ev, ctx->sink, goose_decoder.name, "time_allowed_to_live_expired", MAMORI_OP_REPORT,
                           &ref);
    if (where)
        ev.where = *where;
    detail_uint(ev.detail, "timeAllowedtoLive", cb->time_allowed_to_live);
    detail_uint(ev.detail, "silence_ms", silence_us / US_PER_MS);
    detail_uint(ev.detail, "stNum", cb->st_num);
    detail_uint(ev.detail, "sqNum", cb->sq_num);
    mamori_emit(ctx->sink, &ev);
}

static void flag_anomaly(const struct mamori_parse_ctx *ctx, const struct goose_pdu *pdu, const char *anomaly)
{
    struct mamori_event ev;
    goose_sv_anomaly_begin(&ev, ctx->sink, goose_decoder.name, anomaly, MAMORI_OP_REPORT, &pdu->gocb_ref);
    detail_uint(ev.detail, "stNum", pdu->st_num);
    detail_uint(ev.detail, "sqNum", pdu->sq_num);
    mamori_emit(ctx->sink, &ev);
}

/* stNum and sqNum are INT32U that roll over (to 1 per IEC 61850-8-1; 0 accepted). */
static bool rolled_over(uint32_t prev, uint32_t now) { return prev == UINT32_MAX && now <= 1; }

static void check_sequence(const struct mamori_parse_ctx *ctx, const struct goose_cb *cb, const struct goose_pdu *pdu)
{
    if (pdu->st_num != cb->st_num) {
        if (rolled_over(cb->st_num, pdu->st_num) || pdu->st_num == cb->st_num + 1)
            return;
        sequence_anomaly(ctx, pdu, cb, pdu->st_num > cb->st_num ? "st_num_jump" : "st_num_back");
        return;
    }
    if (pdu->sq_num >= cb->sq_num || rolled_over(cb->sq_num, pdu->sq_num))
        return;
    /* sqNum went down while the state stayed the same */
    sequence_anomaly(ctx, pdu, cb, pdu->sq_num <= 1 ? "sq_num_reset" : "sq_num_back");
}

/* Problems inside a usable goosePdu: a broken allData value, or an entry
 * count that does not match allData. */
static void check_pdu(const struct mamori_parse_ctx *ctx, const struct goose_pdu *pdu)
{
    if (pdu->data_error != MMS_DATA_OK) {
        struct mamori_event ev;
        goose_sv_anomaly_begin(&ev, ctx->sink, goose_decoder.name, "malformed_data", MAMORI_OP_MALFORMED,
                               &pdu->gocb_ref);
        detail_cstring(ev.detail, "error", mms_data_error_name(pdu->data_error));
        detail_cstring(ev.detail, "field", goose_field_names[GOOSE_ALL_DATA]);
        detail_uint(ev.detail, "stNum", pdu->st_num);
        detail_uint(ev.detail, "sqNum", pdu->sq_num);
        mamori_emit(ctx->sink, &ev);
    } else if (pdu->num_dat_set_entries != pdu->all_data_count) {
        struct mamori_event ev;
        goose_sv_anomaly_begin(&ev, ctx->sink, goose_decoder.name, "num_dat_set_entries_mismatch",
                               MAMORI_OP_MALFORMED, &pdu->gocb_ref);
        detail_uint(ev.detail, "numDatSetEntries", pdu->num_dat_set_entries);
        detail_uint(ev.detail, "allData", pdu->all_data_count);
        mamori_emit(ctx->sink, &ev);
    }
}

/* ---- silence --------------------------------------------------------------- */

/* When the control block counts as lost if nothing comes: just past its last
 * frame's timeAllowedtoLive (the sector profile adds its own tolerance), or
 * never when that is already reported or it has no timeAllowedtoLive. */
static uint64_t lost_after(const struct goose_cb *cb)
{
    if (!cb->slot.used || !cb->time_allowed_to_live || cb->silence_reported)
        return GOOSE_NOTHING_DUE;
    return cb->slot.last_us + (uint64_t)cb->time_allowed_to_live * US_PER_MS;
}

/* Reports each control block of the flow silent beyond its deadline at `now`,
 * once per silence; returns the flow's next deadline. */
static uint64_t report_silences(struct goose_state *state, const struct mamori_parse_ctx *ctx, uint64_t now,
                                const struct mamori_endpoints *where)
{
    uint64_t next = GOOSE_NOTHING_DUE;
    for (size_t i = 0; i < GOOSE_MAX_CONTROL_BLOCKS; i++) {
        struct goose_cb *cb = &state->cbs[i];
        uint64_t due = lost_after(cb);
        if (due < now) {
            cb->silence_reported = true;
            silence_anomaly(ctx, cb, now - cb->slot.last_us, where);
        } else if (due < next) {
            next = due;
        }
    }
    return next;
}

/* Puts the flow on the worker's watch list (once) and moves the wake-up
 * earlier if its new deadline comes first. False when the list is full: the
 * flow's silence is then only found by its next frame or its end. */
static bool watch(struct goose_shared *sh, struct goose_state *state, uint64_t due)
{
    if (!state->watched_by) {
        if (sh->n_watched == GOOSE_WATCH_MAX) {
            sh->watch_full++;
            return false;
        }
        state->watched_by = sh;
        state->watch_index = sh->n_watched;
        sh->watched[sh->n_watched++] = state;
    }
    if (due < sh->next_due_us)
        sh->next_due_us = due;
    return true;
}

static void unwatch(struct goose_state *state)
{
    struct goose_shared *sh = state->watched_by;
    if (!sh)
        return;
    struct goose_state *last = sh->watched[--sh->n_watched];
    sh->watched[state->watch_index] = last;
    last->watch_index = state->watch_index;
    state->watched_by = NULL;
}

/* ---- a frame against its control block ------------------------------------ */

static void track(struct goose_state *state, const struct goose_pdu *pdu, const struct goose_sv_header *h,
                  const struct mamori_parse_ctx *ctx)
{
    struct goose_shared *sh = ctx->shared;
    uint64_t now = ctx->time_us;
    bool fresh;
    struct goose_cb *cb = (struct goose_cb *)goose_sv_slot_find(state->cbs, sizeof state->cbs[0],
                                                               GOOSE_MAX_CONTROL_BLOCKS, &pdu->gocb_ref, &fresh);
    bool simulated = pdu->simulation || (h->reserve1 & GOOSE_SV_S_BIT);
    if (!fresh) {
        if (lost_after(cb) < now) {
            cb->silence_reported = true;
            silence_anomaly(ctx, cb, now - cb->slot.last_us, NULL);
        }
        check_sequence(ctx, cb, pdu);
        if (pdu->conf_rev != cb->conf_rev) {
            sequence_anomaly(ctx, pdu, cb, "conf_rev_changed");
            goose_sv_conf_rev_identity(ctx->sink, goose_decoder.name, &pdu->gocb_ref, pdu->conf_rev);
        }
    } else {
        goose_sv_conf_rev_identity(ctx->sink, goose_decoder.name, &pdu->gocb_ref, pdu->conf_rev);
    }
    if (simulated && (fresh || !cb->simulation))
        flag_anomaly(ctx, pdu, "simulation_set");
    if (pdu->nds_com && (fresh || !cb->nds_com))
        flag_anomaly(ctx, pdu, "nds_com_set");
    if (sh) {
        if (!state->owner)
            state->owner = goose_sv_registry_owner(sh->registry);
        uint64_t stale = 2 * (uint64_t)pdu->time_allowed_to_live * US_PER_MS;
        if (stale < GOOSE_MIN_STALE_US)
            stale = GOOSE_MIN_STALE_US;
        if (goose_sv_registry_claim(sh->registry, &pdu->gocb_ref, state->owner, now, stale) &&
            !cb->second_source_reported) {
            cb->second_source_reported = true;
            flag_anomaly(ctx, pdu, "second_source");
        }
    }
    cb->slot.last_us = now;
    cb->st_num = pdu->st_num;
    cb->sq_num = pdu->sq_num;
    cb->conf_rev = pdu->conf_rev;
    cb->time_allowed_to_live = pdu->time_allowed_to_live;
    cb->simulation = simulated;
    cb->nds_com = pdu->nds_com;
    cb->silence_reported = false;
    if (sh && !watch(sh, state, lost_after(cb)) && !state->unwatched_reported) {
        state->unwatched_reported = true;
        flag_anomaly(ctx, pdu, "publisher_watch_full");
    }
}

/* ---- decoder ------------------------------------------------------------- */

static void malformed(struct mamori_event *ev, const struct goose_error *err, const struct goose_pdu *pdu)
{
    ev->kind = MAMORI_EVENT_ANOMALY;
    ev->op = MAMORI_OP_MALFORMED;
    ev->anomaly = err->anomaly;
    ev->n_values = 0;
    if (pdu && (pdu->present & (1u << GOOSE_GOCB_REF)))
        ev->object = pdu->gocb_ref;
    if (err->error)
        detail_cstring(ev->detail, "error", err->error);
    if (err->field)
        detail_cstring(ev->detail, "field", err->field);
    if (err->tag >= 0)
        detail_uint(ev->detail, "tag", (uint64_t)err->tag);
}

static size_t goose_parse(void *state_ptr, const uint8_t *data, size_t len, const struct mamori_parse_ctx *ctx)
{
    struct goose_state *state = state_ptr;
    struct mamori_event ev;
    mamori_event_init(&ev, ctx->sink, goose_decoder.name);
    ev.role = MAMORI_ROLE_PUBLISH;
    ev.op = MAMORI_OP_REPORT;
    struct goose_error err = { NULL, NULL, NULL, -1 };
    struct goose_sv_header h;
    cursor apdu;
    const char *frame_error = goose_sv_header_read(data, len, &h, &apdu);
    /* A frame the capture cut short is decoded as far as it goes, then reported. */
    bool truncated = frame_error && strcmp(frame_error, "truncated_frame") == 0;
    if (frame_error && strcmp(frame_error, "truncated_header") != 0)
        goose_sv_header_detail(ev.detail, &h);
    if (frame_error && !truncated) {
        set_error(&err, frame_error, NULL, NULL);
        malformed(&ev, &err, NULL);
        mamori_emit(ctx->sink, &ev);
        return len;
    }
    if (!frame_error)
        goose_sv_header_detail(ev.detail, &h);

    struct ber_tlv tlv;
    bool stop;
    enum ber_status st = goose_sv_next(&apdu, &tlv, truncated, &stop);
    struct goose_pdu pdu;
    memset(&pdu, 0, sizeof pdu);
    if (st != BER_OK) {
        set_error(&err, "malformed_ber", ber_status_name(st), "goosePdu");
    } else if (ber_is(&tlv, BER_CLASS_APPLICATION, GOOSE_TAG_GSE_MNGT_PDU) && tlv.constructed && !truncated) {
        ev.op = MAMORI_OP_OTHER;
        ev.role = MAMORI_ROLE_NONE;
        ev.function_name = "gse_mngt_pdu";
        mamori_emit(ctx->sink, &ev);
        return len;
    } else if (!ber_is(&tlv, BER_CLASS_APPLICATION, GOOSE_TAG_GOOSE_PDU) || !tlv.constructed) {
        set_error(&err, "unexpected_pdu", NULL, NULL);
        err.tag = (int32_t)tlv.tag;
    } else if (read_goose_pdu(tlv.value, &pdu, &ev, &err, truncated) && !truncated) {
        ev.object = pdu.gocb_ref;
        mamori_emit(ctx->sink, &ev);
        check_pdu(ctx, &pdu);
        if (state) {
            state->where = ev.where; /* as the core filled it in for this frame */
            track(state, &pdu, &h, ctx);
        }
        return len;
    }
    if (truncated) /* every error in a cut frame comes from the cut */
        set_error(&err, "truncated_frame", err.error, err.field);
    malformed(&ev, &err, &pdu);
    mamori_emit(ctx->sink, &ev);
    return len;
}

/* The flow ended (idle, evicted, end of capture). The core gives the flow's
 * own last time, so "now" is the latest GOOSE frame this worker has seen:
 * a control block silent for longer than its timeAllowedtoLive by then has
 * lost its publisher (tick() usually said so already). The core fills the
 * addresses from the flow. */
static void goose_finish(void *state_ptr, const struct mamori_parse_ctx *ctx)
{
    struct goose_state *state = state_ptr;
    struct goose_shared *sh = ctx->shared;
    if (!state)
        return;
    uint64_t now = ctx->time_us;
    if (sh && goose_sv_registry_latest(sh->registry) > now)
        now = goose_sv_registry_latest(sh->registry);
    report_silences(state, ctx, now, NULL);
    unwatch(state);
}

/* Time passed: reports the watched publishers silent beyond their deadline.
 * Nothing to do before the earliest deadline; past it, one pass over the
 * watch list finds the silent ones and the next deadline. */
static void goose_tick(void *shared, const struct mamori_parse_ctx *ctx)
{
    struct goose_shared *sh = shared;
    if (!sh || ctx->time_us <= sh->next_due_us)
        return;
    uint64_t next = GOOSE_NOTHING_DUE;
    for (uint32_t i = 0; i < sh->n_watched; i++) {
        struct goose_state *state = sh->watched[i];
        uint64_t due = report_silences(state, ctx, ctx->time_us, &state->where);
        if (due < next)
            next = due;
    }
    sh->next_due_us = next;
}

static void *goose_shared_new(const struct mamori_decoder_options *opts)
{
    struct goose_shared *sh = calloc(1, sizeof *sh);
    if (sh && !(sh->registry = goose_sv_registry_new(opts))) {
        free(sh);
        return NULL;
    }
    if (sh)
        sh->next_due_us = GOOSE_NOTHING_DUE;
    return sh;
}

static void goose_shared_free(void *shared)
{
    struct goose_shared *sh = shared;
    if (sh)
        goose_sv_registry_free(sh->registry);
    free(sh);
}

static void *goose_state_new(const struct mamori_decoder_options *opts)
{
    return goose_sv_state_new(opts, sizeof(struct goose_state));
}

static void goose_state_free(void *state) { free(state); }

const struct mamori_decoder goose_decoder = {
    .abi = MAMORI_DECODER_ABI,
    .name = "goose",
    .description = "IEC 61850 GOOSE (ethertype 0x88B8): publish events, stNum/sqNum and liveness checks",
    .transports = MAMORI_TRANSPORT_ETHER,
    .ethertypes = { GOOSE_ETHERTYPE },
    .shared_new = goose_shared_new,
    .shared_free = goose_shared_free,
    .state_new = goose_state_new,
    .state_free = goose_state_free,
    .parse = goose_parse,
    .finish = goose_finish,
    .tick = goose_tick,
};
