/* test_sv.c — the Sampled Values decoder on hand-built frames: the exact
 * detail of an ASDU (9-2LE seqData and the optional members), several ASDUs
 * per frame, the smpCnt checks (wrap per second, duplicate, late, jump),
 * smpSynch lost, a second source, and each kind of malformed frame. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "frame_builder.h"
#include "protocols/builtin.h"

#define MS 1000u

struct asdu_params {
    const char *sv_id;
    uint32_t smp_cnt;
    int smp_synch;    /* -1: absent */
    int smp_rate;     /* -1: absent */
    int smp_mod;      /* -1: absent */
    size_t seq_len;   /* 64 for 9-2LE */
    bool optional;    /* datSet, refrTm, gmidData */
    uint32_t conf_rev;
};

static struct l2_fixture fx;

static void setup(void) { l2_fixture_init(&fx, &sv_decoder); }
static void teardown(void) { l2_fixture_free(&fx); }

TestSuite(sv, .init = setup, .fini = teardown);

static struct asdu_params defaults(void)
{
    struct asdu_params a = { "MU01", 0, 2, -1, -1, 64, false, 1 };
    return a;
}

static void add_asdu(struct ber_buf *seq, const struct asdu_params *a)
{
    struct ber_buf asdu = { .n = 0 };
    uint8_t data[128];
    for (size_t i = 0; i < a->seq_len; i++)
        data[i] = (uint8_t)(i % 8 == 3 ? i / 8 + 1 : i % 8 == 0 && i / 8 == 2 ? 0xff : 0);
    ber_buf_str(&asdu, 0x80, a->sv_id);
    if (a->optional)
        ber_buf_str(&asdu, 0x81, "MU01LD0/LLN0$PhsMeas1");
    ber_buf_fixed(&asdu, 0x82, a->smp_cnt, 2);
    ber_buf_fixed(&asdu, 0x83, a->conf_rev, 4);
    if (a->optional)
        ber_buf_tlv(&asdu, 0x84, "\x65\x43\x00\x00\x40\x00\x00\x8a", 8);
    if (a->smp_synch >= 0)
        ber_buf_fixed(&asdu, 0x85, (uint64_t)a->smp_synch, 1);
    if (a->smp_rate >= 0)
        ber_buf_fixed(&asdu, 0x86, (uint64_t)a->smp_rate, 2);
    ber_buf_tlv(&asdu, 0x87, data, a->seq_len);
    if (a->smp_mod >= 0)
        ber_buf_fixed(&asdu, 0x88, (uint64_t)a->smp_mod, 2);
    if (a->optional)
        ber_buf_tlv(&asdu, 0x89, "\x00\x1b\x19\xff\xfe\x00\x00\x01", 8);
    ber_buf_child(seq, 0x30, &asdu);
}

static void build(struct ber_buf *frame, const struct asdu_params *asdus, size_t n, uint64_t no_asdu)
{
    struct ber_buf seq = { .n = 0 }, pdu = { .n = 0 }, apdu = { .n = 0 };
    for (size_t i = 0; i < n; i++)
        add_asdu(&seq, &asdus[i]);
    ber_buf_uint(&pdu, 0x80, no_asdu);
    ber_buf_child(&pdu, 0xa2, &seq);
    ber_buf_child(&apdu, 0x60, &pdu);
    frame_wrap(frame, 0x4000, 0, &apdu);
}

static void feed(void *st, const struct ber_buf *frame, uint64_t time_us)
{
    l2_fixture_feed(&fx, st, frame->b, frame->n, time_us);
}

static void send(const struct asdu_params *a, uint64_t time_us)
{
    struct ber_buf frame;
    build(&frame, a, 1, 1);
    feed(fx.state, &frame, time_us);
}

static void send_count(struct asdu_params *a, uint32_t smp_cnt)
{
    a->smp_cnt = smp_cnt;
    send(a, smp_cnt * 250u);
}

static size_t operations(void)
{
    size_t n = 0;
    for (size_t i = 0; i < fx.cap.n; i++)
        n += fx.cap.ev[i].kind == MAMORI_EVENT_OPERATION;
    return n;
}

Test(sv, decodes_9_2le_asdu_with_wireshark_names)
{
    struct asdu_params a = defaults();
    a.smp_cnt = 4799;
    a.optional = true;
    a.smp_rate = 80;
    a.smp_mod = 0;
    send(&a, 0);
    cr_assert_eq(fx.cap.n, 1);
    const struct captured_event *e = &fx.cap.ev[0];
    cr_assert_eq(e->kind, MAMORI_EVENT_OPERATION);
    cr_assert_eq(e->role, MAMORI_ROLE_PUBLISH);
    cr_assert_eq(e->op, MAMORI_OP_REPORT);
    cr_assert_str_eq(e->object, "MU01");
    cr_assert_eq(e->n_values, 8);
    cr_assert_float_eq(e->values[0], 1.0, 0);
    cr_assert_float_eq(e->values[2], -16777213.0, 0); /* ff 00 00 03 */
    cr_assert_float_eq(e->values[7], 8.0, 0);
    cr_assert_str_eq(e->json,
        "{\"appid\":16384,\"length\":156,\"reserve1\":0,\"s_bit\":false,\"reserve2\":0,\"noASDU\":1,\"asdu\":0,"
        "\"svID\":\"MU01\",\"datSet\":\"MU01LD0/LLN0$PhsMeas1\",\"smpCnt\":4799,\"confRev\":1,"
        "\"refrTm\":\"2023-11-02T01:48:48.250000000Z\",\"refrTm_quality\":{\"leapSecondsKnown\":true,"
        "\"clockFailure\":false,\"clockNotSynchronized\":false,\"timeAccuracy\":10},\"smpSynch\":2,\"smpRate\":80,"
        "\"seqData\":[{\"value\":1,\"quality\":0},{\"value\":2,\"quality\":0},{\"value\":-16777213,\"quality\":0},"
        "{\"value\":4,\"quality\":0},{\"value\":5,\"quality\":0},{\"value\":6,\"quality\":0},{\"value\":7,\"quality\":0},"
        "{\"value\":8,\"quality\":0}],\"smpMod\":0,\"gmidData\":\"001b19fffe000001\"}");
}

Test(sv, other_seq_data_lengths_stay_raw)
{
    struct asdu_params a = defaults();
    a.seq_len = 16;
    send(&a, 0);
    cr_assert_eq(fx.cap.n, 1);
    cr_assert_eq(fx.cap.ev[0].n_values, 0);
    cr_assert(strstr(fx.cap.ev[0].json, "\"seqData\":\"00000001000000000000000200000000\"") != NULL);
}

Test(sv, several_asdus_give_one_event_each)
{
    struct asdu_params a[3] = { defaults(), defaults(), defaults() };
    a[1].smp_cnt = 1;
    a[2].smp_cnt = 2;
    struct ber_buf frame;
    build(&frame, a, 3, 3);
    feed(fx.state, &frame, 0);
    cr_assert_eq(fx.cap.n, 3);
    for (size_t i = 0; i < 3; i++) {
        cr_assert_eq(fx.cap.ev[i].kind, MAMORI_EVENT_OPERATION);
        char want[32];
        snprintf(want, sizeof want, "\"asdu\":%zu,", i);
        cr_assert(strstr(fx.cap.ev[i].json, want) != NULL);
        cr_assert(strstr(fx.cap.ev[i].json, "\"noASDU\":3") != NULL);
    }
}

Test(sv, no_asdu_mismatch)
{
    struct asdu_params a = defaults();
    struct ber_buf frame;
    build(&frame, &a, 1, 2);
    feed(fx.state, &frame, 0);
    cr_assert_eq(fx.cap.n, 2);
    cr_assert_str_eq(fx.cap.ev[1].anomaly, "no_asdu_mismatch");
    cr_assert(strstr(fx.cap.ev[1].json, "\"noASDU\":2,\"seqASDU\":1") != NULL);
}

Test(sv, works_without_detail_or_state)
{
    capture_free(&fx.cap);
    capture_init(&fx.cap, false);
    struct asdu_params a = defaults();
    struct ber_buf frame;
    build(&frame, &a, 1, 1);
    feed(NULL, &frame, 0);
    cr_assert_eq(fx.cap.n, 1);
    cr_assert_str_eq(fx.cap.ev[0].object, "MU01");
    cr_assert_eq(fx.cap.ev[0].n_values, 8);
}

Test(sv, smp_cnt_wraps_at_rate_times_50_or_60_hz)
{
    struct asdu_params a = defaults();
    a.smp_rate = 80;
    for (uint32_t c = 3990; c < 4000; c++)
        send_count(&a, c);
    send_count(&a, 0); /* 80 x 50 Hz */
    send_count(&a, 1);
    cr_assert_eq(fx.cap.n, 12);
    cr_assert_eq(operations(), 12);
    /* the wrap point is now known: counting past it is a discontinuity */
    for (uint32_t c = 2; c < 4000; c++) {
        capture_clear(&fx.cap);
        send_count(&a, c);
        cr_assert_eq(fx.cap.n, 1, "at %u: %s", c, fx.cap.ev[fx.cap.n - 1].anomaly);
    }
    capture_clear(&fx.cap);
    send_count(&a, 4000);
    cr_assert_eq(capture_count(&fx.cap, "smp_cnt_discontinuity"), 1);
    cr_assert_str_eq(capture_find(&fx.cap, "smp_cnt_discontinuity")->json,
                     "{\"smpCnt\":4000,\"prev_smpCnt\":3999,\"smpSynch\":2}");
}

Test(sv, smp_cnt_wrap_is_learned_without_smp_rate)
{
    struct asdu_params a = defaults();
    for (uint32_t c = 4795; c < 4800; c++)
        send_count(&a, c);
    send_count(&a, 0);
    send_count(&a, 1);
    cr_assert_eq(operations(), fx.cap.n);
    /* smpCnt going back to 0 at another point later is a discontinuity */
    for (uint32_t c = 2000; c < 2005; c++)
        send_count(&a, c);
    send_count(&a, 0);
    cr_assert_eq(capture_count(&fx.cap, "smp_cnt_discontinuity"), 2); /* 1 -> 2000, 2004 -> 0 */
    /* just behind the stream, across the wrap, is a late sample */
    send_count(&a, 4799);
    cr_assert_eq(capture_count(&fx.cap, "late_sample"), 1);
}

Test(sv, duplicate_and_late_samples)
{
    struct asdu_params a = defaults();
    send_count(&a, 100);
    send_count(&a, 101);
    send_count(&a, 101);
    cr_assert_eq(capture_count(&fx.cap, "duplicate_sample"), 1);
    cr_assert_str_eq(capture_find(&fx.cap, "duplicate_sample")->json, "{\"smpCnt\":101,\"prev_smpCnt\":101,\"smpSynch\":2}");
    send_count(&a, 103); /* 102 missing */
    cr_assert_eq(capture_count(&fx.cap, "smp_cnt_discontinuity"), 1);
    send_count(&a, 102); /* 102 arrives late */
    cr_assert_eq(capture_count(&fx.cap, "late_sample"), 1);
    send_count(&a, 104); /* the stream goes on from 103 */
    cr_assert_eq(capture_count(&fx.cap, "smp_cnt_discontinuity"), 1);
    send_count(&a, 2000); /* far jump */
    cr_assert_eq(capture_count(&fx.cap, "smp_cnt_discontinuity"), 2);
    cr_assert_str_eq(capture_find(&fx.cap, "smp_cnt_discontinuity")->object, "MU01");
}

Test(sv, smp_synch_lost)
{
    struct asdu_params a = defaults();
    send_count(&a, 10);
    a.smp_synch = 0;
    send_count(&a, 11);
    send_count(&a, 12);
    cr_assert_eq(capture_count(&fx.cap, "smp_synch_lost"), 1);
    cr_assert_str_eq(capture_find(&fx.cap, "smp_synch_lost")->json, "{\"smpCnt\":11,\"smpSynch\":0,\"prev_smpSynch\":2}");
    a.smp_synch = 1;
    send_count(&a, 13);
    a.smp_synch = 0;
    send_count(&a, 14);
    cr_assert_eq(capture_count(&fx.cap, "smp_synch_lost"), 2);
}

/* The confRev is the merging unit's identity per svID: when a stream is first
 * seen and when it changes, never as a publication (nor per sample). */
Test(sv, conf_rev_is_an_identity_per_stream)
{
    struct asdu_params a = defaults(), b = defaults();
    b.sv_id = "MU02";
    b.conf_rev = 3;
    send_count(&a, 10);
    cr_assert_eq(fx.cap.n_identity, 1);
    capture_expect_identity(&fx.cap, 0, "conf_rev:MU01", "1");
    send_count(&a, 11);
    send_count(&a, 12);
    cr_assert_eq(fx.cap.n_identity, 1, "the template path says nothing either");
    struct asdu_params both[2] = { a, b };
    struct ber_buf frame;
    both[0].smp_cnt = both[1].smp_cnt = 13;
    build(&frame, both, 2, 2);
    feed(fx.state, &frame, 13 * 250u);
    cr_assert_eq(fx.cap.n_identity, 2);
    capture_expect_identity(&fx.cap, 1, "conf_rev:MU02", "3");
    a.conf_rev = 2;
    send_count(&a, 14);
    cr_assert_eq(fx.cap.n_identity, 3);
    capture_expect_identity(&fx.cap, 2, "conf_rev:MU01", "2");
    cr_assert_eq(fx.cap.n, 6, "six publish events and no anomaly");
    cr_assert_eq(operations(), 6);
}

Test(sv, second_source_for_one_sv_id)
{
    struct asdu_params a = defaults();
    struct ber_buf frame;
    build(&frame, &a, 1, 1);
    feed(fx.state, &frame, 0);
    feed(fx.state2, &frame, 250);
    feed(fx.state2, &frame, 500);
    cr_assert_eq(capture_count(&fx.cap, "second_source"), 1);
    cr_assert_str_eq(capture_find(&fx.cap, "second_source")->object, "MU01");
}

static void expect_malformed(const struct ber_buf *frame, const char *anomaly, const char *json_part)
{
    l2_fixture_expect_malformed(&fx, frame->b, frame->n, anomaly, json_part);
}

static void pdu_frame(struct ber_buf *frame, const void *pdu_bytes, size_t n)
{
    struct ber_buf pdu = { .n = 0 }, apdu = { .n = 0 };
    ber_buf_raw(&pdu, pdu_bytes, n);
    ber_buf_child(&apdu, 0x60, &pdu);
    frame_wrap(frame, 0x4000, 0, &apdu);
}

Test(sv, malformed_frames)
{
    struct ber_buf frame;
    struct asdu_params a = defaults();
    build(&frame, &a, 1, 1);
    frame.n -= 10; /* cut like a short snaplen, inside seqData */
    expect_malformed(&frame, "truncated_frame", "\"svID\":\"MU01\",\"smpCnt\":0,\"confRev\":1,\"smpSynch\":2,\"field\":\"ASDU\"");
    cr_assert_str_eq(fx.cap.ev[0].object, "MU01");
    pdu_frame(&frame, "\x80\x01\x01", 3);
    expect_malformed(&frame, "missing_field", "\"field\":\"seqASDU\"");
    pdu_frame(&frame, "\xa2\x00", 2);
    expect_malformed(&frame, "missing_field", "\"field\":\"noASDU\"");
    pdu_frame(&frame, "\x80\x01\x01\xa2\x02\x04\x00", 7);
    expect_malformed(&frame, "unexpected_field", "\"field\":\"seqASDU\",\"tag\":4");
    pdu_frame(&frame, "\x80\x01\x01\xa2\x06\x30\x04\x80\x02MU", 11);
    expect_malformed(&frame, "missing_field", "\"field\":\"smpCnt\"");
    pdu_frame(&frame, "\x80\x01\x01\xa2\x0b\x30\x09\x80\x02MU\x82\x03\x00\x00\x01", 16);
    expect_malformed(&frame, "malformed_field", "\"svID\":\"MU\",\"field\":\"smpCnt\"");
    cr_assert_str_eq(fx.cap.ev[0].object, "MU");
    pdu_frame(&frame, "\x80\x01\x01\xa2\x06\x30\x80\x00\x00\x00\x00", 11);
    expect_malformed(&frame, "malformed_ber", "\"error\":\"ber_indefinite_length\",\"field\":\"seqASDU\"");
    pdu_frame(&frame, "\x80\x01\x01\xa2\x04\x30\x02\x82\x03", 9);
    expect_malformed(&frame, "malformed_ber", "\"error\":\"ber_truncated\",\"field\":\"ASDU\"");
    pdu_frame(&frame, "\x81\x00\x80\x01\x01", 5);
    expect_malformed(&frame, "unexpected_field", "\"field\":\"savPdu\",\"tag\":0");
}

Test(sv, extension_members_after_gmid_data_are_skipped)
{
    struct ber_buf frame;
    pdu_frame(&frame, "\x80\x01\x01\xa2\x13\x30\x11\x80\x02MU\x82\x02\x00\x05\x83\x01\x01\x87\x00\x9f\x1e\x01\x00",
              24);
    struct mamori_parse_ctx ctx = l2_fixture_ctx(&fx, 0);
    sv_decoder.parse(fx.state, frame.b, frame.n, &ctx);
    cr_assert_eq(fx.cap.n, 1);
    cr_assert_eq(fx.cap.ev[0].kind, MAMORI_EVENT_OPERATION);
    cr_assert(strstr(fx.cap.ev[0].json, "\"smpCnt\":5,\"confRev\":1,\"seqData\":\"\"") != NULL, "%s", fx.cap.ev[0].json);
}

Test(sv, cut_frame_keeps_the_whole_asdus_before_the_cut)
{
    struct asdu_params a[3] = { defaults(), defaults(), defaults() };
    a[1].smp_cnt = 1;
    a[2].smp_cnt = 2;
    struct ber_buf frame;
    build(&frame, a, 3, 3);
    frame.n -= 30; /* the third ASDU is cut */
    feed(fx.state, &frame, 0);
    cr_assert_eq(fx.cap.n, 3);
    cr_assert_eq(fx.cap.ev[0].kind, MAMORI_EVENT_OPERATION);
    cr_assert_eq(fx.cap.ev[1].kind, MAMORI_EVENT_OPERATION);
    cr_assert_str_eq(fx.cap.ev[2].anomaly, "truncated_frame");
    cr_assert(strstr(fx.cap.ev[2].json, "\"asdu\":2,\"svID\":\"MU01\",\"smpCnt\":2") != NULL, "%s", fx.cap.ev[2].json);
}

Test(sv, smp_cnt_wraps_at_smp_rate_when_it_counts_per_second)
{
    struct asdu_params a = defaults();
    a.smp_rate = 4000;
    a.smp_mod = 1; /* samplesPerSecond */
    send_count(&a, 3998);
    send_count(&a, 3999);
    send_count(&a, 0);
    cr_assert_eq(operations(), fx.cap.n);
    /* with smpRate 80 per nominal period (smpMod 0), 4000 is 50 Hz: the same wrap */
    a.sv_id = "MU09";
    a.smp_rate = 80;
    a.smp_mod = 0;
    send_count(&a, 3999);
    send_count(&a, 0);
    cr_assert_eq(operations(), fx.cap.n);
    /* but a wrap at 3000 fits neither 50 nor 60 Hz */
    a.sv_id = "MU10";
    send_count(&a, 2999);
    send_count(&a, 0);
    cr_assert_eq(capture_count(&fx.cap, "smp_cnt_discontinuity"), 1);
}

/* Feeds `frame` to a fresh flow (the full BER walk) and returns its one
 * event, for comparing with what a flow that holds a template decoded. */
static struct captured_event full_walk(const struct ber_buf *frame)
{
    static struct l2_fixture fresh;
    l2_fixture_init(&fresh, &sv_decoder);
    l2_fixture_feed(&fresh, fresh.state, frame->b, frame->n, 0);
    cr_assert_eq(fresh.cap.n, 1);
    struct captured_event e = fresh.cap.ev[0];
    l2_fixture_free(&fresh);
    return e;
}

static void expect_same_as_full_walk(const struct ber_buf *frame, uint64_t time_us)
{
    capture_clear(&fx.cap);
    feed(fx.state, frame, time_us);
    cr_assert_eq(fx.cap.n, 1);
    struct captured_event want = full_walk(frame);
    cr_assert_str_eq(fx.cap.ev[0].json, want.json);
    cr_assert_str_eq(fx.cap.ev[0].object, want.object);
    cr_assert_eq(fx.cap.ev[0].n_values, want.n_values);
    for (uint32_t i = 0; i < want.n_values; i++)
        cr_assert_float_eq(fx.cap.ev[0].values[i], want.values[i], 0);
}

Test(sv, frames_laid_out_as_the_last_one_decode_as_the_full_walk_does)
{
    struct asdu_params a = defaults();
    a.optional = true;
    a.smp_rate = 80;
    a.smp_cnt = 10;
    struct ber_buf frame;
    build(&frame, &a, 1, 1);
    feed(fx.state, &frame, 0); /* the template */
    a.smp_cnt = 11;
    build(&frame, &a, 1, 1);
    size_t seq_end = frame.n - (2 + 8); /* smpMod is absent: seqData, then gmidData's tag, length, value */
    frame.b[seq_end - 1] = 0x7f;        /* last measurement's quality */
    frame.b[seq_end - 5] = 0x42;        /* its value */
    expect_same_as_full_walk(&frame, 250);
    cr_assert_float_eq(fx.cap.ev[0].values[7], (double)0x42, 0);
    cr_assert(strstr(fx.cap.ev[0].json, "\"smpCnt\":11,") != NULL);
    cr_assert(strstr(fx.cap.ev[0].json, "{\"value\":66,\"quality\":127}") != NULL, "%s", fx.cap.ev[0].json);
    /* the same length but another svID is another stream: not the template's */
    a.sv_id = "MU02";
    a.smp_cnt = 12;
    build(&frame, &a, 1, 1);
    expect_same_as_full_walk(&frame, 500);
    cr_assert_str_eq(fx.cap.ev[0].object, "MU02");
    /* nor is gmidData a per-sample value */
    a.smp_cnt = 13;
    build(&frame, &a, 1, 1);
    frame.b[frame.n - 1] ^= 1;
    expect_same_as_full_walk(&frame, 750);
    cr_assert(strstr(fx.cap.ev[0].json, "\"gmidData\":\"001b19fffe000000\"") != NULL, "%s", fx.cap.ev[0].json);
}

Test(sv, template_keeps_the_smp_cnt_checks)
{
    struct asdu_params a[2] = { defaults(), defaults() };
    struct ber_buf frame;
    for (uint32_t c = 0; c < 6; c += 2) {
        a[0].smp_cnt = c;
        a[1].smp_cnt = c + 1;
        build(&frame, a, 2, 2);
        feed(fx.state, &frame, c * 250u);
    }
    cr_assert_eq(operations(), 6);
    cr_assert_eq(fx.cap.n, 6);
    feed(fx.state, &frame, 2000); /* the same two samples again */
    cr_assert_eq(capture_count(&fx.cap, "duplicate_sample"), 1);
    cr_assert(strstr(fx.cap.ev[6].json, "\"noASDU\":2,\"asdu\":0,\"svID\":\"MU01\",\"smpCnt\":4,") != NULL, "%s",
              fx.cap.ev[6].json);
}

/* The template remembers each ASDU's stream. A frame with more svIDs than a
 * flow has streams (4) moves them between svIDs: walking it drops the
 * template even when the frame turns out malformed, and it is not kept as the
 * template itself, so no frame is followed in a stream that now holds another
 * svID (whose smpCnt would not follow on). */
Test(sv, a_frame_that_moves_streams_drops_the_template)
{
    struct asdu_params mu = defaults();
    static const char *const many_ids[] = { "MB1", "MB2", "MB3", "MB4", "MB5" };
    struct asdu_params many[5];
    struct ber_buf frame;
    send_count(&mu, 1); /* the template, stream MU01 */
    send_count(&mu, 2);
    for (uint32_t round = 0; round < 3; round++) {
        for (uint32_t i = 0; i < 5; i++) {
            many[i] = defaults();
            many[i].sv_id = many_ids[i];
            many[i].smp_cnt = 100 * i + round;
        }
        build(&frame, many, 5, round == 0 ? 6 : 5); /* the first one malformed: noASDU 6 */
        feed(fx.state, &frame, (3 + round) * 250u);
        if (round == 0) { /* MB4 took MU01's stream */
            mu.smp_cnt = 3;
            send(&mu, 4 * 250u);
        }
    }
    cr_assert_eq(capture_count(&fx.cap, "no_asdu_mismatch"), 1);
    cr_assert_eq(capture_count(&fx.cap, "smp_cnt_discontinuity") + capture_count(&fx.cap, "duplicate_sample") +
                     capture_count(&fx.cap, "late_sample"),
                 0);
    cr_assert_eq(fx.cap.n, operations() + 1, "no other anomaly");
    cr_assert_eq(operations(), 2 + 5 + 1 + 10);
    capture_expect_identity(&fx.cap, 6, "conf_rev:MU01", "1"); /* after MB1-MB5: a new stream again */
}
