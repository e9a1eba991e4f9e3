/* sv.c — IEC 61850-9-2 Sampled Values decoder (ethertype 0x88BA).
 *
 * One publish event per ASDU (object = svID, values = the eight 9-2LE
 * measurements when seqData has that shape), with the ASDU and the frame
 * header in the detail under Wireshark's names. A frame that is not a
 * well-formed savPdu gives one malformed event. Per svID the decoder follows
 * smpCnt (with its wrap at the samples-per-second count) and smpSynch, and the
 * worker-wide registry notices a second flow publishing the same svID.
 *
 * This is the hottest decoder (4000-4800 frames/s per merging unit): nothing
 * is allocated, and a merging unit sends the same frame layout every time, so
 * each flow keeps the last well-formed frame as a template. A frame whose
 * octets equal the template's everywhere but in the values that change per
 * sample (smpCnt, refrTm, smpSynch, seqData) has the same structure, so it is
 * decoded from the template's layout without walking the BER again, its ASDUs
 * followed in the streams the template remembers; any other
 * frame takes the full walk. The optional `security` member of the savPdu is
 * skipped. */
#include <stdlib.h>
#include <string.h>

#include "../builtin.h"
#include "goose_sv_common.h"
#include "mms_data.h"

#define SV_ETHERTYPE 0x88ba
#define SV_MAX_STREAMS 4
#define SV_STALE_US 1000000u /* an svID changes publisher only after this much silence */
#define SV_CLAIM_INTERVAL_US 100000u /* a stream re-asserts its svID in the registry this often */

/* seqData as the IEC 61850-9-2LE dataset: 8 x (INT32 value, 32-bit quality) */
#define SV_LE_MEASUREMENTS 8
#define SV_LE_MEASUREMENT_LEN 8 /* value, then quality */
#define SV_LE_QUALITY_AT 4
#define SV_LE_SEQDATA_LEN (SV_LE_MEASUREMENTS * SV_LE_MEASUREMENT_LEN)
_Static_assert(SV_LE_MEASUREMENTS <= MAMORI_EVENT_MAX_VALUES, "an ASDU's measurements fit one event");

/* smpCnt wraps each second: at smpRate x 50 or 60 Hz when smpRate counts per
 * nominal period, at smpRate when it counts per second. Without smpRate the
 * wrap point is learned from the first wrap at or above SV_MIN_WRAP. */
#define SV_NOMINAL_HZ_50 50u
#define SV_NOMINAL_HZ_60 60u
#define SV_MIN_WRAP 1000u
#define SV_LATE_WINDOW 480u /* a sample at most this far behind is late, not a jump */
#define SV_SMP_CNT_OCTETS 2
#define SV_CONF_REV_OCTETS 4
#define SV_SMP_SYNCH_OCTETS 1
#define SV_GMID_LEN 8

/* Templates: frames up to this long with up to this many ASDUs (9-2LE at 256
 * samples per period sends 8 ASDUs of about 110 octets). */
#define SV_TEMPLATE_MAX 1024
#define SV_TEMPLATE_ASDUS 8

#define SV_TAG_SAV_PDU 0 /* [APPLICATION 0] */

enum sv_pdu_field { SV_NO_ASDU = 0, SV_SECURITY = 1, SV_SEQ_ASDU = 2 };

/* ASDU members, context-specific tags in SEQUENCE order (the type is extensible). */
enum sv_asdu_field {
    SV_SV_ID = 0,
    SV_DAT_SET,
    SV_SMP_CNT,
    SV_CONF_REV,
    SV_REFR_TM,
    SV_SMP_SYNCH,
    SV_SMP_RATE,
    SV_SEQ_DATA,
    SV_SMP_MOD,
    SV_GMID_DATA,
    SV_ASDU_FIELD_COUNT
};

static const char *const sv_asdu_field_names[SV_ASDU_FIELD_COUNT] = {
    "svID", "datSet", "smpCnt", "confRev", "refrTm", "smpSynch", "smpRate", "seqData", "smpMod", "gmidData",
};

#define SV_ASDU_MANDATORY ((1u << SV_SV_ID) | (1u << SV_SMP_CNT) | (1u << SV_CONF_REV) | (1u << SV_SEQ_DATA))

enum sv_smp_mod { SV_SAMPLES_PER_PERIOD = 0, SV_SAMPLES_PER_SECOND = 1 };

/* One ASDU as read from the wire; only the members in `present` are set. */
struct sv_asdu {
    uint32_t present;
    struct mamori_text sv_id, dat_set;
    uint16_t smp_cnt, smp_rate, smp_mod;
    uint8_t smp_synch;
    uint32_t conf_rev;
    struct iec61850_utc_time refr_tm;
    cursor gmid_data, seq_data;
};

/* Where each member's value sits in the frame (octets from its start). */
struct sv_layout {
    uint16_t at[SV_ASDU_FIELD_COUNT], len[SV_ASDU_FIELD_COUNT];
};

/* The members that change from sample to sample; all else is the template. */
#define SV_PER_SAMPLE ((1u << SV_SMP_CNT) | (1u << SV_REFR_TM) | (1u << SV_SMP_SYNCH) | (1u << SV_SEQ_DATA))

typedef uint64_t sv_word; /* the template is compared a word at a time */
#define SV_TEMPLATE_WORDS (SV_TEMPLATE_MAX / sizeof(sv_word))

struct sv_stream;

/* The last well-formed frame of a flow, up to its header's Length, with its
 * per-sample octets zeroed (mask 0x00 there, 0xff elsewhere), the offsets of
 * the words holding any other octet, and each ASDU's stream, which the full
 * walk found by its svID. Each ASDU's strings point into `octets`. */
struct sv_template {
    uint16_t len; /* 0: none */
    uint16_t n_asdu;
    uint16_t n_words;
    struct goose_sv_header h;
    uint16_t word[SV_TEMPLATE_WORDS];
    struct sv_stream *stream[SV_TEMPLATE_ASDUS];
    struct sv_asdu asdu[SV_TEMPLATE_ASDUS];
    struct sv_layout layout[SV_TEMPLATE_ASDUS];
    uint8_t octets[SV_TEMPLATE_MAX];
    uint8_t mask[SV_TEMPLATE_MAX];
};

struct sv_error {
    const char *anomaly;
    const char *error;
    const char *field;
    int32_t tag;
};

struct sv_stream {
    struct goose_sv_slot slot; /* first: name = svID, last_us */
    uint16_t smp_cnt;          /* highest in-sequence sample seen */
    uint32_t wrap;             /* learned samples per second, 0 until known */
    uint8_t smp_synch;
    uint32_t conf_rev;
    bool second_source_reported;
    uint64_t claimed_us; /* last registry claim: once per SV_CLAIM_INTERVAL_US, not per sample */
};

struct sv_state {
    uint64_t owner;
    struct sv_stream streams[SV_MAX_STREAMS];
    struct sv_template template;
};

static void set_error(struct sv_error *err, const char *anomaly, const char *error, const char *field, int32_t tag)
{
    err->anomaly = anomaly;
    err->error = error;
    err->field = field;
    err->tag = tag;
}

/* ---- ASDU ---------------------------------------------------------------- */

static int32_t be32_at(const uint8_t *p) { return (int32_t)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]); }

/* seqData into the event's values (9-2LE) and, when wanted, the detail: the
 * 64 octets are checked once, then read in one tight loop each. */
static inline void seq_data(cursor v, struct mamori_event *ev)
{
    struct mamori_detail *d = ev->detail;
    size_t n = cursor_left(&v);
    const uint8_t *m = cursor_bytes(&v, n);
    if (n != SV_LE_SEQDATA_LEN) {
        detail_bytes(d, "seqData", m, n);
        return;
    }
    for (uint32_t i = 0; i < SV_LE_MEASUREMENTS; i++) /* the event was just started: its values are free */
        ev->values[i] = be32_at(m + SV_LE_MEASUREMENT_LEN * i);
    ev->n_values = SV_LE_MEASUREMENTS;
    if (!d)
        return;
    detail_array_begin(d, "seqData");
    for (uint32_t i = 0; i < SV_LE_MEASUREMENTS; i++) {
        const uint8_t *pair = m + SV_LE_MEASUREMENT_LEN * i;
        detail_object_begin(d, NULL);
        detail_int(d, "value", be32_at(pair));
        detail_uint(d, "quality", (uint32_t)be32_at(pair + SV_LE_QUALITY_AT));
        detail_end(d);
    }
    detail_end(d);
}

/* Decodes one member's value into a; false when it does not fit the type. */
static bool read_asdu_field(struct sv_asdu *a, enum sv_asdu_field f, cursor v)
{
    size_t n = cursor_left(&v);
    uint64_t u;
    switch (f) {
    case SV_SV_ID:
    case SV_DAT_SET:
        *(f == SV_SV_ID ? &a->sv_id : &a->dat_set) = (struct mamori_text){ (const char *)cursor_bytes(&v, n), n };
        return true;
    case SV_SMP_CNT:
    case SV_SMP_RATE:
    case SV_SMP_MOD:
        if (!goose_sv_fixed_uint(v, SV_SMP_CNT_OCTETS, &u))
            return false;
        *(f == SV_SMP_CNT ? &a->smp_cnt : f == SV_SMP_RATE ? &a->smp_rate : &a->smp_mod) = (uint16_t)u;
        return true;
    case SV_CONF_REV:
        if (!goose_sv_fixed_uint(v, SV_CONF_REV_OCTETS, &u))
            return false;
        a->conf_rev = (uint32_t)u;
        return true;
    case SV_SMP_SYNCH:
        if (!goose_sv_fixed_uint(v, SV_SMP_SYNCH_OCTETS, &u))
            return false;
        a->smp_synch = (uint8_t)u;
        return true;
    case SV_REFR_TM:
        return iec61850_utc_time_read(v, &a->refr_tm);
    case SV_SEQ_DATA:
        a->seq_data = v;
        return true;
    case SV_GMID_DATA:
        a->gmid_data = v;
        return n == SV_GMID_LEN;
    case SV_ASDU_FIELD_COUNT:
        break;
    }
    return false;
}

/* The members read, in SEQUENCE order, into the detail when it is wanted;
 * seqData's 9-2LE measurements then also into the event's values. */
static void asdu_output(struct mamori_event *ev, const struct sv_asdu *a)
{
    struct mamori_detail *d = ev->detail;
    if (!d)
        return;
    for (uint32_t bits = a->present; bits; bits &= bits - 1) {
        enum sv_asdu_field f = (enum sv_asdu_field)__builtin_ctz(bits);
        const char *name = sv_asdu_field_names[f];
        switch (f) {
        case SV_SV_ID: detail_string(d, name, a->sv_id.ptr, a->sv_id.len); break;
        case SV_DAT_SET: detail_string(d, name, a->dat_set.ptr, a->dat_set.len); break;
        case SV_SMP_CNT: detail_uint(d, name, a->smp_cnt); break;
        case SV_CONF_REV: detail_uint(d, name, a->conf_rev); break;
        case SV_REFR_TM: iec61850_utc_time_detail(d, name, "refrTm_quality", &a->refr_tm); break;
        case SV_SMP_SYNCH: detail_uint(d, name, a->smp_synch); break;
        case SV_SMP_RATE: detail_uint(d, name, a->smp_rate); break;
        case SV_SEQ_DATA: seq_data(a->seq_data, ev); break;
        case SV_SMP_MOD: detail_uint(d, name, a->smp_mod); break;
        case SV_GMID_DATA: {
            cursor g = a->gmid_data;
            detail_bytes(d, name, cursor_bytes(&g, SV_GMID_LEN), SV_GMID_LEN);
            break;
        }
        case SV_ASDU_FIELD_COUNT: break;
        }
    }
}

/* Walks one ASDU; with `layout` non-NULL, notes where each value sits
 * relative to `frame`. */
static bool read_asdu(cursor body, struct sv_asdu *a, struct sv_error *err, bool truncated, const uint8_t *frame,
                      struct sv_layout *layout)
{
    struct ber_tlv tlv;
    enum ber_status st;
    bool stop;
    int last = -1;
    while ((st = goose_sv_next(&body, &tlv, truncated, &stop)) == BER_OK) {
        if (stop) {
            set_error(err, "truncated_frame", NULL, "ASDU", -1);
            return false;
        }
        if (tlv.cls != BER_CLASS_CONTEXT || (int)tlv.tag <= last) {
            set_error(err, "unexpected_field", NULL, "ASDU", (int32_t)tlv.tag);
            return false;
        }
        last = (int)tlv.tag;
        if (tlv.tag >= SV_ASDU_FIELD_COUNT)
            continue; /* a later extension */
        enum sv_asdu_field f = (enum sv_asdu_field)tlv.tag;
        if (tlv.constructed || !read_asdu_field(a, f, tlv.value)) {
            set_error(err, "malformed_field", NULL, sv_asdu_field_names[f], -1);
            return false;
        }
        a->present |= 1u << f;
        if (layout) {
            layout->at[f] = (uint16_t)(tlv.value.ptr - frame);
            layout->len[f] = (uint16_t)cursor_left(&tlv.value);
        }
    }
    if (st != BER_END) {
        set_error(err, "malformed_ber", ber_status_name(st), "ASDU", -1);
        return false;
    }
    uint32_t missing = SV_ASDU_MANDATORY & ~a->present;
    if (missing) {
        set_error(err, "missing_field", NULL, sv_asdu_field_names[__builtin_ctz(missing)], -1);
        return false;
    }
    return true;
}

/* ---- per stream tracking -------------------------------------------------- */

static void sample_anomaly(const struct mamori_parse_ctx *ctx, const struct sv_asdu *a, const char *anomaly,
                           const struct sv_stream *s)
{
    struct mamori_event ev;
    goose_sv_anomaly_begin(&ev, ctx->sink, sv_decoder.name, anomaly, MAMORI_OP_REPORT, &a->sv_id);
    detail_uint(ev.detail, "smpCnt", a->smp_cnt);
    detail_uint(ev.detail, "prev_smpCnt", s->smp_cnt);
    if (a->present & (1u << SV_SMP_SYNCH))
        detail_uint(ev.detail, "smpSynch", a->smp_synch);
    mamori_emit(ctx->sink, &ev);
}

/* True when smpCnt going from `prev` to 0 is the once-a-second wrap. */
static bool is_wrap(struct sv_stream *s, const struct sv_asdu *a)
{
    uint32_t count = (uint32_t)s->smp_cnt + 1;
    if (s->wrap)
        return count == s->wrap;
    bool has_rate = (a->present & (1u << SV_SMP_RATE)) && a->smp_rate;
    uint32_t mod = (a->present & (1u << SV_SMP_MOD)) ? a->smp_mod : SV_SAMPLES_PER_PERIOD;
    bool ok;
    if (has_rate && mod == SV_SAMPLES_PER_PERIOD)
        ok = count == a->smp_rate * SV_NOMINAL_HZ_50 || count == a->smp_rate * SV_NOMINAL_HZ_60;
    else if (has_rate && mod == SV_SAMPLES_PER_SECOND)
        ok = count == a->smp_rate;
    else
        ok = count >= SV_MIN_WRAP;
    if (ok)
        s->wrap = count;
    return ok;
}

/* How far `now` is behind the stream's highest sample, or 0 when it is not. */
static uint32_t behind(const struct sv_stream *s, uint16_t now)
{
    if (now < s->smp_cnt)
        return (uint32_t)s->smp_cnt - now;
    if (s->wrap && now < s->wrap && now > s->smp_cnt) /* late from before the last wrap */
        return (uint32_t)s->smp_cnt + s->wrap - now;
    return 0;
}

static inline void check_samples(const struct mamori_parse_ctx *ctx, struct sv_stream *s, const struct sv_asdu *a)
{
    if (a->smp_cnt == (uint16_t)(s->smp_cnt + 1) && (uint32_t)s->smp_cnt + 1 != s->wrap) {
        s->smp_cnt = a->smp_cnt;
        return;
    }
    if (a->smp_cnt == s->smp_cnt) {
        sample_anomaly(ctx, a, "duplicate_sample", s);
        return;
    }
    if (a->smp_cnt == 0 && is_wrap(s, a)) {
        s->smp_cnt = 0;
        return;
    }
    uint32_t late = behind(s, a->smp_cnt);
    if (late && late <= SV_LATE_WINDOW) {
        sample_anomaly(ctx, a, "late_sample", s);
        return;
    }
    sample_anomaly(ctx, a, "smp_cnt_discontinuity", s);
    s->smp_cnt = a->smp_cnt;
}

/* Follows ASDU a in stream s, which is `fresh` when it holds no history yet. */
static inline void track(struct sv_state *state, struct sv_stream *s, bool fresh, const struct sv_asdu *a,
                  const struct mamori_parse_ctx *ctx)
{
    if (fresh)
        s->smp_cnt = a->smp_cnt;
    else
        check_samples(ctx, s, a);
    if (fresh || a->conf_rev != s->conf_rev) {
        s->conf_rev = a->conf_rev;
        goose_sv_conf_rev_identity(ctx->sink, sv_decoder.name, &a->sv_id, a->conf_rev);
    }
    if (a->present & (1u << SV_SMP_SYNCH)) {
        if (!fresh && s->smp_synch && !a->smp_synch) {
            struct mamori_event ev;
            goose_sv_anomaly_begin(&ev, ctx->sink, sv_decoder.name, "smp_synch_lost", MAMORI_OP_REPORT, &a->sv_id);
            detail_uint(ev.detail, "smpCnt", a->smp_cnt);
            detail_uint(ev.detail, "smpSynch", a->smp_synch);
            detail_uint(ev.detail, "prev_smpSynch", s->smp_synch);
            mamori_emit(ctx->sink, &ev);
        }
        s->smp_synch = a->smp_synch;
    }
    bool claim_due = fresh || ctx->time_us < s->claimed_us || ctx->time_us - s->claimed_us >= SV_CLAIM_INTERVAL_US;
    if (ctx->shared && claim_due) {
        if (!state->owner)
            state->owner = goose_sv_registry_owner(ctx->shared);
        s->claimed_us = ctx->time_us;
        if (goose_sv_registry_claim(ctx->shared, &a->sv_id, state->owner, ctx->time_us, SV_STALE_US) &&
            !s->second_source_reported) {
            s->second_source_reported = true;
            struct mamori_event ev;
            goose_sv_anomaly_begin(&ev, ctx->sink, sv_decoder.name, "second_source", MAMORI_OP_REPORT, &a->sv_id);
            detail_uint(ev.detail, "smpCnt", a->smp_cnt);
            mamori_emit(ctx->sink, &ev);
        }
    }
    s->slot.last_us = ctx->time_us;
}

/* ---- decoder -------------------------------------------------------------- */

static void frame_start(struct mamori_event *ev, const struct mamori_parse_ctx *ctx, const struct goose_sv_header *h,
                        bool has_header)
{
    mamori_event_init(ev, ctx->sink, sv_decoder.name);
    ev->role = MAMORI_ROLE_PUBLISH;
    ev->op = MAMORI_OP_REPORT;
    if (has_header && ev->detail)
        goose_sv_header_detail(ev->detail, h);
}

/* In a frame cut short by the capture every error is a consequence of the cut:
 * the anomaly is truncated_frame, the detail says where the walk stopped. */
static void emit_malformed(struct mamori_event *ev, const struct mamori_parse_ctx *ctx, const struct sv_error *err,
                           const struct mamori_text *sv_id, bool truncated)
{
    ev->kind = MAMORI_EVENT_ANOMALY;
    ev->op = MAMORI_OP_MALFORMED;
    ev->anomaly = truncated ? "truncated_frame" : err->anomaly;
    ev->n_values = 0;
    if (sv_id && sv_id->len)
        ev->object = *sv_id;
    if (err->error)
        detail_cstring(ev->detail, "error", err->error);
    if (err->field)
        detail_cstring(ev->detail, "field", err->field);
    if (err->tag >= 0)
        detail_uint(ev->detail, "tag", (uint64_t)err->tag);
    mamori_emit(ctx->sink, ev);
}

/* Reads the savPdu members before seqASDU: noASDU and the skipped security. */
static bool read_sav_pdu_head(cursor *pdu, uint64_t *no_asdu, cursor *seq, struct sv_error *err, bool truncated)
{
    struct ber_tlv tlv;
    enum ber_status st;
    bool have_no_asdu = false, stop;
    int last = -1;
    while ((st = goose_sv_next(pdu, &tlv, truncated, &stop)) == BER_OK) {
        if (stop) {
            set_error(err, "truncated_frame", NULL, "savPdu", -1);
            return false;
        }
        if (tlv.cls != BER_CLASS_CONTEXT || (int)tlv.tag <= last || tlv.tag > SV_SEQ_ASDU) {
            set_error(err, "unexpected_field", NULL, "savPdu", (int32_t)tlv.tag);
            return false;
        }
        last = (int)tlv.tag;
        if (tlv.tag == SV_NO_ASDU) {
            if (tlv.constructed || !ber_uint(tlv.value, no_asdu) || *no_asdu > UINT16_MAX) {
                set_error(err, "malformed_field", NULL, "noASDU", -1);
                return false;
            }
            have_no_asdu = true;
        } else if (tlv.tag == SV_SEQ_ASDU) {
            if (!tlv.constructed) {
                set_error(err, "malformed_field", NULL, "seqASDU", -1);
                return false;
            }
            if (!have_no_asdu) {
                set_error(err, "missing_field", NULL, "noASDU", -1);
                return false;
            }
            *seq = tlv.value;
            return true;
        }
    }
    if (st != BER_END)
        set_error(err, "malformed_ber", ber_status_name(st), "savPdu", -1);
    else
        set_error(err, "missing_field", NULL, have_no_asdu ? "seqASDU" : "noASDU", -1);
    return false;
}

/* One well-formed ASDU: its publish event, then the checks of its stream:
 * `s` when the template knows it, otherwise found by svID. Returns the
 * stream (NULL without state). */
static inline struct sv_stream *emit_asdu(struct sv_state *state, const struct mamori_parse_ctx *ctx,
                                   const struct goose_sv_header *h, uint64_t no_asdu, uint32_t index,
                                   const struct sv_asdu *a, struct sv_stream *s)
{
    struct mamori_event ev;
    frame_start(&ev, ctx, h, true);
    if (ev.detail) {
        detail_uint(ev.detail, "noASDU", no_asdu);
        detail_uint(ev.detail, "asdu", index);
        asdu_output(&ev, a);
    } else if (a->present & (1u << SV_SEQ_DATA)) {
        seq_data(a->seq_data, &ev);
    }
    ev.object = a->sv_id;
    mamori_emit(ctx->sink, &ev);
    if (!state)
        return NULL;
    bool fresh = false;
    if (!s)
        s = (struct sv_stream *)goose_sv_slot_find(state->streams, sizeof state->streams[0], SV_MAX_STREAMS,
                                                   &a->sv_id, &fresh);
    track(state, s, fresh, a, ctx);
    return s;
}

/* ---- template ------------------------------------------------------------- */

static sv_word word_at(const uint8_t *p)
{
    sv_word w;
    memcpy(&w, p, sizeof w);
    return w;
}

/* Zeroes the per-sample octets of the template and its mask, and lists the
 * words that hold any other octet; the last word overlaps the one before. */
static void template_words(struct sv_template *t)
{
    memset(t->mask, 0xff, t->len);
    for (uint32_t i = 0; i < t->n_asdu; i++) {
        for (uint32_t bits = t->asdu[i].present & SV_PER_SAMPLE; bits; bits &= bits - 1) {
            enum sv_asdu_field f = (enum sv_asdu_field)__builtin_ctz(bits);
            memset(t->mask + t->layout[i].at[f], 0, t->layout[i].len[f]);
            memset(t->octets + t->layout[i].at[f], 0, t->layout[i].len[f]);
        }
    }
    uint32_t n = 0;
    for (uint32_t at = 0; at < t->len; at += sizeof(sv_word)) {
        uint32_t w = at + sizeof(sv_word) <= t->len ? at : t->len - (uint32_t)sizeof(sv_word);
        if (word_at(t->mask + w))
            t->word[n++] = (uint16_t)w;
    }
    t->n_words = (uint16_t)n;
}

/* Points the ASDU's members that are not per-sample at the template's octets. */
static void template_rebase(struct sv_template *t, struct sv_asdu *a, const struct sv_layout *l)
{
    a->sv_id.ptr = (const char *)t->octets + l->at[SV_SV_ID];
    if (a->present & (1u << SV_DAT_SET))
        a->dat_set.ptr = (const char *)t->octets + l->at[SV_DAT_SET];
    if (a->present & (1u << SV_GMID_DATA))
        a->gmid_data = cursor_make(t->octets + l->at[SV_GMID_DATA], l->len[SV_GMID_DATA]);
}

/* Keeps a well-formed frame of n_asdu ASDUs (read into asdus, laid out as
 * layouts, followed in streams) as the flow's template, when it fits and each
 * ASDU's stream still holds its svID (more svIDs than streams in one frame
 * take slots from each other). */
static void template_keep(struct sv_template *t, const uint8_t *data, size_t len, const struct goose_sv_header *h,
                          const struct sv_asdu *asdus, const struct sv_layout *layouts, struct sv_stream *const *streams,
                          uint32_t n_asdu)
{
    cursor c = cursor_make(data, len);
    const uint8_t *octets = h->length <= SV_TEMPLATE_MAX ? cursor_bytes(&c, h->length) : NULL;
    t->len = 0;
    if (!octets || n_asdu == 0 || n_asdu > SV_TEMPLATE_ASDUS)
        return;
    for (uint32_t i = 0; i < n_asdu; i++)
        if (!goose_sv_name_eq(&streams[i]->slot.name, &asdus[i].sv_id))
            return;
    memcpy(t->octets, octets, h->length);
    memcpy(t->asdu, asdus, n_asdu * sizeof asdus[0]);
    memcpy(t->layout, layouts, n_asdu * sizeof layouts[0]);
    memcpy(t->stream, streams, n_asdu * sizeof streams[0]);
    for (uint32_t i = 0; i < n_asdu; i++)
        template_rebase(t, &t->asdu[i], &t->layout[i]);
    t->h = *h;
    t->n_asdu = (uint16_t)n_asdu;
    t->len = h->length;
    template_words(t);
}

/* True when `octets` (t->len of them) equal the template outside the
 * per-sample values, which are the only octets left unchecked. */
static bool template_matches(const struct sv_template *t, const uint8_t *octets)
{
    sv_word diff = 0;
    for (uint32_t i = 0; i < t->n_words; i++) {
        uint32_t w = t->word[i];
        diff |= (word_at(octets + w) & word_at(t->mask + w)) ^ word_at(t->octets + w);
    }
    return diff == 0;
}

/* The value of member f of ASDU i in the frame `octets`. */
static cursor template_value(const struct sv_template *t, const uint8_t *octets, uint32_t i, enum sv_asdu_field f)
{
    return cursor_make(octets + t->layout[i].at[f], t->layout[i].len[f]);
}

/* Decodes a frame laid out as the flow's template; false when it is not. The
 * per-sample values have the template's lengths, which the full walk found
 * valid, so they decode here exactly as they would there; the other members
 * are the template's own. */
static bool template_parse(struct sv_state *state, const uint8_t *data, size_t len,
                           const struct mamori_parse_ctx *ctx)
{
    struct sv_template *t = &state->template;
    cursor c = cursor_make(data, len);
    const uint8_t *octets = t->len ? cursor_bytes(&c, t->len) : NULL;
    if (!octets || !template_matches(t, octets))
        return false;
    for (uint32_t i = 0; i < t->n_asdu; i++) {
        struct sv_asdu *a = &t->asdu[i];
        uint64_t u = 0;
        a->seq_data = template_value(t, octets, i, SV_SEQ_DATA);
        goose_sv_fixed_uint(template_value(t, octets, i, SV_SMP_CNT), SV_SMP_CNT_OCTETS, &u);
        a->smp_cnt = (uint16_t)u;
        if (a->present & (1u << SV_SMP_SYNCH)) {
            goose_sv_fixed_uint(template_value(t, octets, i, SV_SMP_SYNCH), SV_SMP_SYNCH_OCTETS, &u);
            a->smp_synch = (uint8_t)u;
        }
        if (a->present & (1u << SV_REFR_TM))
            iec61850_utc_time_read(template_value(t, octets, i, SV_REFR_TM), &a->refr_tm);
        emit_asdu(state, ctx, &t->h, t->n_asdu, i, a, t->stream[i]);
    }
    return true;
}

/* ---- decoder -------------------------------------------------------------- */

static size_t sv_parse(void *state_ptr, const uint8_t *data, size_t len, const struct mamori_parse_ctx *ctx)
{
    struct sv_state *state = state_ptr;
    if (state && template_parse(state, data, len, ctx))
        return len;
    if (state) /* the walk may give the template's streams to other svIDs */
        state->template.len = 0;
    struct mamori_event ev;
    struct sv_error err = { NULL, NULL, NULL, -1 };
    struct goose_sv_header h;
    cursor apdu;
    const char *frame_error = goose_sv_header_read(data, len, &h, &apdu);
    bool truncated = frame_error && strcmp(frame_error, "truncated_frame") == 0;
    frame_start(&ev, ctx, &h, !frame_error || strcmp(frame_error, "truncated_header") != 0);
    if (frame_error && !truncated) {
        set_error(&err, frame_error, NULL, NULL, -1);
        emit_malformed(&ev, ctx, &err, NULL, false);
        return len;
    }
    struct ber_tlv tlv;
    bool stop;
    enum ber_status st = goose_sv_next(&apdu, &tlv, truncated, &stop);
    uint64_t no_asdu = 0;
    cursor seq;
    if (st != BER_OK)
        set_error(&err, "malformed_ber", ber_status_name(st), "savPdu", -1);
    else if (!ber_is(&tlv, BER_CLASS_APPLICATION, SV_TAG_SAV_PDU) || !tlv.constructed)
        set_error(&err, "unexpected_pdu", NULL, NULL, (int32_t)tlv.tag);
    if (err.anomaly || !read_sav_pdu_head(&tlv.value, &no_asdu, &seq, &err, truncated)) {
        emit_malformed(&ev, ctx, &err, NULL, truncated);
        return len;
    }
    /* the ASDUs are kept until the frame is known whole, for the template */
    struct sv_asdu asdus[SV_TEMPLATE_ASDUS];
    struct sv_layout layouts[SV_TEMPLATE_ASDUS];
    struct sv_stream *streams[SV_TEMPLATE_ASDUS];
    uint32_t count = 0;
    while ((st = goose_sv_next(&seq, &tlv, truncated, &stop)) == BER_OK) {
        struct sv_asdu one, *a = count < SV_TEMPLATE_ASDUS ? &asdus[count] : &one;
        a->present = 0;
        bool ok = ber_is(&tlv, BER_CLASS_UNIVERSAL, 16) && tlv.constructed;
        if (!ok)
            set_error(&err, "unexpected_field", NULL, "seqASDU", (int32_t)tlv.tag);
        else
            ok = read_asdu(tlv.value, a, &err, truncated, data, count < SV_TEMPLATE_ASDUS ? &layouts[count] : NULL);
        if (!ok) {
            frame_start(&ev, ctx, &h, true);
            detail_uint(ev.detail, "noASDU", no_asdu);
            detail_uint(ev.detail, "asdu", count);
            asdu_output(&ev, a);
            emit_malformed(&ev, ctx, &err, (a->present & (1u << SV_SV_ID)) ? &a->sv_id : NULL, truncated);
            return len;
        }
        struct sv_stream *s = emit_asdu(state, ctx, &h, no_asdu, count, a, NULL);
        if (count < SV_TEMPLATE_ASDUS)
            streams[count] = s;
        count++;
    }
    if (st != BER_END || count != no_asdu || truncated) {
        frame_start(&ev, ctx, &h, true);
        detail_uint(ev.detail, "noASDU", no_asdu);
        detail_uint(ev.detail, "seqASDU", count);
        if (st != BER_END)
            set_error(&err, "malformed_ber", ber_status_name(st), "seqASDU", -1);
        else
            set_error(&err, "no_asdu_mismatch", NULL, NULL, -1);
        emit_malformed(&ev, ctx, &err, NULL, truncated);
    } else if (state) {
        template_keep(&state->template, data, len, &h, asdus, layouts, streams, count);
    }
    return len;
}

static void *sv_state_new(const struct mamori_decoder_options *opts)
{
    return goose_sv_state_new(opts, sizeof(struct sv_state));
}

static void sv_state_free(void *state) { free(state); }

const struct mamori_decoder sv_decoder = {
    .abi = MAMORI_DECODER_ABI,
    .name = "sv",
    .description = "IEC 61850-9-2 Sampled Values (ethertype 0x88BA): per-ASDU publish events, smpCnt checks",
    .transports = MAMORI_TRANSPORT_ETHER,
    .ethertypes = { SV_ETHERTYPE },
    .shared_new = goose_sv_registry_new,
    .shared_free = goose_sv_registry_free,
    .state_new = sv_state_new,
    .state_free = sv_state_free,
    .parse = sv_parse,
};
