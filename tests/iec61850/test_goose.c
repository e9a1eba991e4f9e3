/* test_goose.c — the GOOSE decoder on hand-built frames: the exact detail of a
 * full goosePdu, every anomaly of the publisher state machine (stNum, sqNum,
 * timeAllowedtoLive, confRev, simulation, ndsCom, second source), and each
 * kind of malformed frame. */
#include <criterion/criterion.h>
#include <string.h>

#include "frame_builder.h"
#include "protocols/builtin.h"
#include "protocols/iec61850/ber.h"

#define MS 1000u

struct goose_params {
    const char *gocb_ref;
    uint32_t tal_ms, st_num, sq_num, conf_rev, entries;
    bool simulation, nds_com;
    uint16_t reserve1;
    const struct ber_buf *all_data; /* NULL: two booleans */
};

static struct l2_fixture fx;

static void setup(void) { l2_fixture_init(&fx, &goose_decoder); }
static void teardown(void) { l2_fixture_free(&fx); }

TestSuite(goose, .init = setup, .fini = teardown);

static struct goose_params defaults(void)
{
    struct goose_params p = { "IED1LD0/LLN0$GO$gcb1", 2000, 1, 0, 1, 2, false, false, 0, NULL };
    return p;
}

static void build(struct ber_buf *frame, const struct goose_params *p)
{
    static const uint8_t t[8] = { 0x65, 0x43, 0x00, 0x00, 0x40, 0x00, 0x00, 0x0a };
    struct ber_buf pdu = { .n = 0 }, data = { .n = 0 }, apdu = { .n = 0 };
    ber_buf_str(&pdu, 0x80, p->gocb_ref);
    ber_buf_uint(&pdu, 0x81, p->tal_ms);
    ber_buf_str(&pdu, 0x82, "IED1LD0/LLN0$DS1");
    ber_buf_str(&pdu, 0x83, "IED1_GO1");
    ber_buf_tlv(&pdu, 0x84, t, sizeof t);
    ber_buf_uint(&pdu, 0x85, p->st_num);
    ber_buf_uint(&pdu, 0x86, p->sq_num);
    ber_buf_tlv(&pdu, 0x87, p->simulation ? "\xff" : "\x00", 1);
    ber_buf_uint(&pdu, 0x88, p->conf_rev);
    ber_buf_tlv(&pdu, 0x89, p->nds_com ? "\xff" : "\x00", 1);
    ber_buf_uint(&pdu, 0x8a, p->entries);
    if (!p->all_data)
        ber_buf_raw(&data, "\x83\x01\x01\x83\x01\x00", 6); /* two booleans */
    ber_buf_child(&pdu, 0xab, p->all_data ? p->all_data : &data);
    ber_buf_child(&apdu, 0x61, &pdu);
    frame_wrap(frame, 0x0001, p->reserve1, &apdu);
}

static void feed(void *st, const struct ber_buf *frame, uint64_t time_us)
{
    l2_fixture_feed(&fx, st, frame->b, frame->n, time_us);
}

static void send(const struct goose_params *p, uint64_t time_us)
{
    struct ber_buf frame;
    build(&frame, p);
    feed(fx.state, &frame, time_us);
}

Test(goose, decodes_every_field_with_wireshark_names)
{
    struct ber_buf data = { .n = 0 }, inner = { .n = 0 };
    ber_buf_raw(&data, "\x83\x01\x01", 3);             /* boolean */
    ber_buf_raw(&data, "\x84\x02\x06\x40", 4);         /* bit-string (Dbpos on) */
    ber_buf_raw(&inner, "\x85\x01\xfb\x87\x05\x08\x42\x48\x00\x00", 10); /* integer -5, float 50 */
    ber_buf_child(&data, 0xa2, &inner);               /* structure */
    struct goose_params p = defaults();
    p.entries = 3;
    p.all_data = &data;
    p.st_num = 7;
    p.sq_num = 3;
    send(&p, 1000);
    cr_assert_eq(fx.cap.n, 1);
    const struct captured_event *e = &fx.cap.ev[0];
    cr_assert_eq(e->kind, MAMORI_EVENT_OPERATION);
    cr_assert_eq(e->role, MAMORI_ROLE_PUBLISH);
    cr_assert_eq(e->op, MAMORI_OP_REPORT);
    cr_assert_str_eq(e->object, "IED1LD0/LLN0$GO$gcb1");
    cr_assert_eq(e->n_values, 3);
    cr_assert_float_eq(e->values[0], 1.0, 0);
    cr_assert_float_eq(e->values[1], -5.0, 0);
    cr_assert_float_eq(e->values[2], 50.0, 0);
    cr_assert_str_eq(e->json,
        "{\"appid\":1,\"length\":113,\"reserve1\":0,\"s_bit\":false,\"reserve2\":0,"
        "\"gocbRef\":\"IED1LD0/LLN0$GO$gcb1\",\"timeAllowedtoLive\":2000,\"datSet\":\"IED1LD0/LLN0$DS1\","
        "\"goID\":\"IED1_GO1\",\"t\":\"2023-11-02T01:48:48.250000000Z\",\"t_quality\":{\"leapSecondsKnown\":false,"
        "\"clockFailure\":false,\"clockNotSynchronized\":false,\"timeAccuracy\":10},\"stNum\":7,\"sqNum\":3,"
        "\"simulation\":false,\"confRev\":1,\"ndsCom\":false,\"numDatSetEntries\":3,\"allData\":[{\"boolean\":true},"
        "{\"bit-string\":\"40\",\"padding\":6},{\"structure\":[{\"integer\":-5},{\"floating-point\":50}]}]}");
}

Test(goose, ethernet_padding_after_length_is_ignored)
{
    struct ber_buf frame;
    struct goose_params p = defaults();
    build(&frame, &p);
    ber_buf_raw(&frame, "\0\0\0\0\0\0", 6);
    feed(fx.state, &frame, 0);
    cr_assert_eq(fx.cap.n, 1);
    cr_assert_eq(fx.cap.ev[0].kind, MAMORI_EVENT_OPERATION);
}

Test(goose, works_without_detail_or_state)
{
    capture_free(&fx.cap);
    capture_init(&fx.cap, false);
    struct ber_buf frame;
    struct goose_params p = defaults();
    build(&frame, &p);
    feed(NULL, &frame, 0);
    cr_assert_eq(fx.cap.n, 1);
    cr_assert_str_eq(fx.cap.ev[0].object, "IED1LD0/LLN0$GO$gcb1");
    cr_assert_eq(fx.cap.ev[0].n_values, 2);
    cr_assert_str_eq(fx.cap.ev[0].json, "");
}

Test(goose, normal_retransmission_and_state_change_raise_nothing)
{
    struct goose_params p = defaults();
    uint64_t t = 0;
    for (p.sq_num = 0; p.sq_num < 5; p.sq_num++, t += 1000 * MS)
        send(&p, t);
    p.st_num = 2;
    for (p.sq_num = 0; p.sq_num < 3; p.sq_num++, t += 10 * MS)
        send(&p, t);
    cr_assert_eq(fx.cap.n, 8);
    for (size_t i = 0; i < fx.cap.n; i++)
        cr_assert_eq(fx.cap.ev[i].kind, MAMORI_EVENT_OPERATION, "event %zu: %s", i, fx.cap.ev[i].anomaly);
}

Test(goose, st_num_jump_and_back)
{
    struct goose_params p = defaults();
    p.st_num = 5;
    p.sq_num = 4;
    send(&p, 0);
    p.st_num = 8;
    p.sq_num = 0;
    send(&p, 10 * MS);
    cr_assert_eq(capture_count(&fx.cap, "st_num_jump"), 1);
    const struct captured_event *e = capture_find(&fx.cap, "st_num_jump");
    cr_assert_eq(e->kind, MAMORI_EVENT_ANOMALY);
    cr_assert_eq(e->role, MAMORI_ROLE_PUBLISH);
    cr_assert_str_eq(e->object, "IED1LD0/LLN0$GO$gcb1");
    cr_assert_str_eq(e->json, "{\"stNum\":8,\"sqNum\":0,\"prev_stNum\":5,\"prev_sqNum\":4}");
    p.st_num = 6;
    send(&p, 20 * MS);
    cr_assert_eq(capture_count(&fx.cap, "st_num_back"), 1);
    cr_assert_eq(fx.cap.n, 5); /* 3 publish + 2 anomalies */
}

Test(goose, st_num_and_sq_num_roll_over)
{
    struct goose_params p = defaults();
    p.st_num = UINT32_MAX;
    send(&p, 0);
    p.st_num = 1;
    send(&p, 10 * MS);
    p.sq_num = UINT32_MAX;
    send(&p, 20 * MS);
    p.sq_num = 1;
    send(&p, 30 * MS);
    cr_assert_eq(fx.cap.n, 4);
}

Test(goose, sq_num_reset_without_state_change)
{
    struct goose_params p = defaults();
    p.st_num = 3;
    p.sq_num = 10;
    send(&p, 0);
    p.sq_num = 0;
    send(&p, 1000 * MS);
    cr_assert_eq(capture_count(&fx.cap, "sq_num_reset"), 1);
    cr_assert_str_eq(capture_find(&fx.cap, "sq_num_reset")->json,
                     "{\"stNum\":3,\"sqNum\":0,\"prev_stNum\":3,\"prev_sqNum\":10}");
    p.sq_num = 5;
    send(&p, 1001 * MS); /* forward again: fine */
    p.sq_num = 2;
    send(&p, 1002 * MS);
    cr_assert_eq(capture_count(&fx.cap, "sq_num_back"), 1);
    /* the same frame again (a repeat) is not flagged */
    send(&p, 1003 * MS);
    cr_assert_eq(fx.cap.n, 7);
}

Test(goose, time_allowed_to_live_expired_at_next_frame_and_at_finish)
{
    struct goose_params p = defaults();
    p.tal_ms = 2000;
    send(&p, 0);
    p.sq_num = 1;
    send(&p, 2000 * MS); /* exactly TAL: still alive */
    cr_assert_eq(capture_count(&fx.cap, "time_allowed_to_live_expired"), 0);
    p.sq_num = 2;
    send(&p, 4500 * MS);
    cr_assert_eq(capture_count(&fx.cap, "time_allowed_to_live_expired"), 1);
    cr_assert_str_eq(capture_find(&fx.cap, "time_allowed_to_live_expired")->json,
                     "{\"timeAllowedtoLive\":2000,\"silence_ms\":2500,\"stNum\":1,\"sqNum\":1}");
    capture_clear(&fx.cap);
    struct mamori_parse_ctx ctx = l2_fixture_ctx(&fx, 5000 * MS);
    goose_decoder.finish(fx.state, &ctx); /* 0.5 s after the last frame: alive */
    cr_assert_eq(fx.cap.n, 0);
    ctx.time_us = 9000 * MS;
    goose_decoder.finish(fx.state, &ctx);
    cr_assert_eq(capture_count(&fx.cap, "time_allowed_to_live_expired"), 1);
    cr_assert_str_eq(fx.cap.ev[0].object, "IED1LD0/LLN0$GO$gcb1");
    goose_decoder.finish(fx.state, &ctx); /* reported once */
    p.sq_num = 3;
    send(&p, 9500 * MS); /* and not again when the late frame comes */
    cr_assert_eq(capture_count(&fx.cap, "time_allowed_to_live_expired"), 1);
}

Test(goose, conf_rev_changed)
{
    struct goose_params p = defaults();
    send(&p, 0);
    p.conf_rev = 2;
    p.sq_num = 1;
    send(&p, 10 * MS);
    cr_assert_eq(capture_count(&fx.cap, "conf_rev_changed"), 1);
    cr_assert_str_eq(capture_find(&fx.cap, "conf_rev_changed")->json,
                     "{\"stNum\":1,\"sqNum\":1,\"prev_stNum\":1,\"prev_sqNum\":0,\"confRev\":2,\"prev_confRev\":1}");
    p.sq_num = 2;
    send(&p, 20 * MS);
    cr_assert_eq(capture_count(&fx.cap, "conf_rev_changed"), 1);
}

/* The confRev is the publisher's identity: when a control block is first seen
 * and when it changes, never as a publication. */
Test(goose, conf_rev_is_an_identity_per_control_block)
{
    struct goose_params p = defaults(), other = defaults();
    other.gocb_ref = "IED1LD0/LLN0$GO$gcb2";
    other.conf_rev = 7;
    send(&p, 0);
    cr_assert_eq(fx.cap.n_identity, 1);
    capture_expect_identity(&fx.cap, 0, "conf_rev:IED1LD0/LLN0$GO$gcb1", "1");
    for (p.sq_num = 1; p.sq_num < 4; p.sq_num++)
        send(&p, p.sq_num * 10 * MS);
    cr_assert_eq(fx.cap.n_identity, 1, "later frames with the same confRev say nothing");
    send(&other, 40 * MS);
    cr_assert_eq(fx.cap.n_identity, 2);
    capture_expect_identity(&fx.cap, 1, "conf_rev:IED1LD0/LLN0$GO$gcb2", "7");
    p.conf_rev = 4294967295u;
    send(&p, 50 * MS);
    cr_assert_eq(fx.cap.n_identity, 3);
    capture_expect_identity(&fx.cap, 2, "conf_rev:IED1LD0/LLN0$GO$gcb1", "4294967295");
    cr_assert_eq(capture_count(&fx.cap, "conf_rev_changed"), 1);
    send(&p, 60 * MS);
    cr_assert_eq(fx.cap.n_identity, 3);
}

Test(goose, simulation_field_and_s_bit_reported_on_change)
{
    struct goose_params p = defaults();
    send(&p, 0);
    p.simulation = true;
    p.sq_num = 1;
    send(&p, 10 * MS);
    p.sq_num = 2;
    send(&p, 20 * MS); /* still simulated: no new event */
    cr_assert_eq(capture_count(&fx.cap, "simulation_set"), 1);
    p.simulation = false;
    p.sq_num = 3;
    send(&p, 30 * MS);
    p.reserve1 = 0x8000; /* the S bit in Reserved 1 */
    p.sq_num = 4;
    send(&p, 40 * MS);
    cr_assert_eq(capture_count(&fx.cap, "simulation_set"), 2);
    cr_assert(strstr(fx.cap.ev[fx.cap.n - 2].json, "\"reserve1\":32768,\"s_bit\":true") != NULL);
}

Test(goose, nds_com_set)
{
    struct goose_params p = defaults();
    p.nds_com = true;
    send(&p, 0);
    p.sq_num = 1;
    send(&p, 10 * MS);
    cr_assert_eq(capture_count(&fx.cap, "nds_com_set"), 1);
}

Test(goose, num_dat_set_entries_mismatch)
{
    struct goose_params p = defaults();
    p.entries = 3; /* allData holds 2 */
    send(&p, 0);
    cr_assert_eq(capture_count(&fx.cap, "num_dat_set_entries_mismatch"), 1);
    cr_assert_str_eq(capture_find(&fx.cap, "num_dat_set_entries_mismatch")->json,
                     "{\"numDatSetEntries\":3,\"allData\":2}");
    cr_assert_eq(capture_find(&fx.cap, "num_dat_set_entries_mismatch")->op, MAMORI_OP_MALFORMED);
}

Test(goose, second_source_for_one_gocb_ref)
{
    struct goose_params p = defaults();
    struct ber_buf frame;
    build(&frame, &p);
    feed(fx.state, &frame, 0);
    feed(fx.state2, &frame, 100 * MS); /* another flow (source MAC) publishes it too */
    cr_assert_eq(capture_count(&fx.cap, "second_source"), 1);
    feed(fx.state, &frame, 200 * MS);
    feed(fx.state2, &frame, 300 * MS);
    cr_assert_eq(capture_count(&fx.cap, "second_source"), 1); /* once per flow */
    /* a name that goes silent longer than 2 x TAL may move to a new publisher */
    p.gocb_ref = "IED2LD0/LLN0$GO$gcb9";
    build(&frame, &p);
    feed(fx.state, &frame, 1000 * MS);
    feed(fx.state2, &frame, 6000 * MS);
    cr_assert_eq(capture_count(&fx.cap, "second_source"), 1);
}

Test(goose, several_control_blocks_in_one_flow)
{
    struct goose_params a = defaults(), b = defaults();
    b.gocb_ref = "IED1LD0/LLN0$GO$gcb2";
    b.st_num = 40;
    for (uint32_t i = 0; i < 3; i++) {
        a.sq_num = b.sq_num = i;
        send(&a, i * 10 * MS);
        send(&b, i * 10 * MS + 1);
    }
    cr_assert_eq(fx.cap.n, 6);
    for (size_t i = 0; i < fx.cap.n; i++)
        cr_assert_eq(fx.cap.ev[i].kind, MAMORI_EVENT_OPERATION);
}

static void expect_malformed(const void *bytes, size_t n, const char *anomaly, const char *json_part)
{
    l2_fixture_expect_malformed(&fx, bytes, n, anomaly, json_part);
}

Test(goose, malformed_frames)
{
    expect_malformed("\x00\x01\x00", 3, "truncated_header", NULL);
    expect_malformed("\x00\x01\x00\x04\x00\x00\x00\x00", 8, "bad_length", "\"length\":4");
    expect_malformed("\x00\x01\x00\x20\x00\x00\x00\x00\x61\x00", 10, "truncated_frame", NULL);
    expect_malformed("\x00\x01\x00\x0c\x00\x00\x00\x00\x61\x80\x00\x00", 12, "malformed_ber",
                     "\"error\":\"ber_indefinite_length\",\"field\":\"goosePdu\"");
    expect_malformed("\x00\x01\x00\x0a\x00\x00\x00\x00\x62\x00", 10, "unexpected_pdu", "\"tag\":2");
    expect_malformed("\x00\x01\x00\x0a\x00\x00\x00\x00\x81\x00", 10, "unexpected_pdu", "\"tag\":1");
    expect_malformed("\x00\x01\x00\x0d\x00\x00\x00\x00\x61\x04\x80\x03G", 13, "malformed_ber", "ber_truncated");
    /* a universal VisibleString where gocbRef belongs (GOOSE_malformed_asn1.pcap) */
    expect_malformed("\x00\x01\x00\x0e\x00\x00\x00\x00\x61\x04\x1a\x02GO", 14, "unexpected_field", "\"tag\":26");
}

Test(goose, missing_and_out_of_order_fields)
{
    struct ber_buf frame;
    struct goose_params p = defaults();
    build(&frame, &p);
    /* drop gocbRef: bytes 10.. hold 0x80 len ... (the APDU header is 2 or 3 octets) */
    size_t at = 8 + (frame.b[9] & 0x80 ? 3 : 2);
    cr_assert_eq(frame.b[at], 0x80);
    size_t drop = 2 + frame.b[at + 1];
    struct ber_buf pdu = { .n = 0 }, apdu = { .n = 0 };
    ber_buf_raw(&pdu, frame.b + at + drop, frame.n - at - drop);
    ber_buf_child(&apdu, 0x61, &pdu);
    frame_wrap(&frame, 1, 0, &apdu);
    expect_malformed(frame.b, frame.n, "missing_field", "\"field\":\"gocbRef\"");
    cr_assert_str_eq(fx.cap.ev[0].object, "");

    /* confRev after ndsCom: out of SEQUENCE order */
    pdu.n = 0;
    ber_buf_str(&pdu, 0x80, "x");
    ber_buf_raw(&pdu, "\x89\x01\x00\x88\x01\x01", 6);
    apdu.n = 0;
    ber_buf_child(&apdu, 0x61, &pdu);
    frame_wrap(&frame, 1, 0, &apdu);
    expect_malformed(frame.b, frame.n, "unexpected_field", "\"tag\":8");
    cr_assert_str_eq(fx.cap.ev[0].object, "x");
}

Test(goose, malformed_field_values)
{
    struct ber_buf pdu = { .n = 0 }, apdu = { .n = 0 }, frame;
    ber_buf_str(&pdu, 0x80, "x");
    ber_buf_raw(&pdu, "\x81\x09\x01\x00\x00\x00\x00\x00\x00\x00\x00", 11); /* TAL over 64 bits */
    ber_buf_child(&apdu, 0x61, &pdu);
    frame_wrap(&frame, 1, 0, &apdu);
    expect_malformed(frame.b, frame.n, "malformed_field", "\"field\":\"timeAllowedtoLive\"");

    pdu.n = apdu.n = 0;
    ber_buf_str(&pdu, 0x80, "x");
    ber_buf_raw(&pdu, "\x81\x01\x05\x82\x01y\x84\x07\x00\x00\x00\x00\x00\x00\x00", 15); /* t of 7 octets */
    ber_buf_child(&apdu, 0x61, &pdu);
    frame_wrap(&frame, 1, 0, &apdu);
    expect_malformed(frame.b, frame.n, "malformed_field", "\"field\":\"t\"");

    pdu.n = apdu.n = 0;
    ber_buf_str(&pdu, 0x80, "x");
    ber_buf_raw(&pdu, "\x81\x05\x01\x00\x00\x00\x00", 7); /* TAL above INT32U */
    ber_buf_child(&apdu, 0x61, &pdu);
    frame_wrap(&frame, 1, 0, &apdu);
    expect_malformed(frame.b, frame.n, "malformed_field", "\"field\":\"timeAllowedtoLive\"");
}

Test(goose, bad_all_data_value_gives_publish_and_malformed_data)
{
    struct ber_buf data = { .n = 0 };
    ber_buf_raw(&data, "\x83\x01\x01\x83\x02\x00\x00", 7); /* second boolean is 2 octets */
    struct goose_params p = defaults();
    p.all_data = &data;
    send(&p, 0);
    cr_assert_eq(fx.cap.n, 2);
    cr_assert_eq(fx.cap.ev[0].kind, MAMORI_EVENT_OPERATION);
    cr_assert(strstr(fx.cap.ev[0].json, "\"allData\":[{\"boolean\":true},{\"boolean\":\"0000\"}]") != NULL);
    cr_assert_str_eq(fx.cap.ev[1].anomaly, "malformed_data");
    cr_assert_str_eq(fx.cap.ev[1].json,
                     "{\"error\":\"mms_data_bad_value\",\"field\":\"allData\",\"stNum\":1,\"sqNum\":0}");
}

Test(goose, gse_management_pdu_is_named)
{
    struct mamori_parse_ctx ctx = l2_fixture_ctx(&fx, 0);
    goose_decoder.parse(fx.state, (const uint8_t *)"\x00\x01\x00\x0a\x00\x00\x00\x00\x60\x00", 10, &ctx);
    cr_assert_eq(fx.cap.n, 1);
    cr_assert_eq(fx.cap.ev[0].kind, MAMORI_EVENT_OPERATION);
    cr_assert_eq(fx.cap.ev[0].op, MAMORI_OP_OTHER);
    cr_assert_str_eq(fx.cap.ev[0].function, "gse_mngt_pdu");
}

Test(goose, state_respects_budget)
{
    struct mamori_decoder_options tiny = { 16, 0 };
    cr_assert_null(goose_decoder.state_new(&tiny));
}

Test(goose, cut_frame_is_decoded_as_far_as_captured)
{
    struct ber_buf frame;
    struct goose_params p = defaults();
    build(&frame, &p);
    frame.n = 50; /* into datSet (8 + 2 + gocbRef 22 + TAL 4 + datSet 18) */
    expect_malformed(frame.b, frame.n, "truncated_frame", "\"gocbRef\":\"IED1LD0/LLN0$GO$gcb1\",\"timeAllowedtoLive\":2000,\"field\":\"goosePdu\"");
    cr_assert_str_eq(fx.cap.ev[0].object, "IED1LD0/LLN0$GO$gcb1");
    build(&frame, &p);
    frame.n -= 3; /* into allData: every member but allData whole */
    expect_malformed(frame.b, frame.n, "truncated_frame", "\"numDatSetEntries\":2,\"allData\":[{\"boolean\":true}]");
}

Test(goose, publisher_lost_when_its_flow_ends_while_others_go_on)
{
    /* the core calls finish() with the flow's own last time; other
     * publishers' frames tell how long this one had been silent */
    struct goose_params a = defaults(), b = defaults();
    b.gocb_ref = "IED2LD0/LLN0$GO$gcb1";
    send(&a, 0);
    struct ber_buf fb;
    build(&fb, &b);
    for (uint32_t i = 0; i <= 10; i++) {
        b.sq_num = i;
        build(&fb, &b);
        feed(fx.state2, &fb, (uint64_t)i * 1000 * MS);
    }
    capture_clear(&fx.cap);
    struct mamori_parse_ctx ctx = l2_fixture_ctx(&fx, 0);
    goose_decoder.finish(fx.state, &ctx);
    cr_assert_eq(capture_count(&fx.cap, "time_allowed_to_live_expired"), 1);
    cr_assert_str_eq(fx.cap.ev[0].object, "IED1LD0/LLN0$GO$gcb1");
    cr_assert_str_eq(fx.cap.ev[0].json, "{\"timeAllowedtoLive\":2000,\"silence_ms\":10000,\"stNum\":1,\"sqNum\":0}");
    /* the publisher that kept going is fine */
    capture_clear(&fx.cap);
    ctx.time_us = 10000 * MS;
    goose_decoder.finish(fx.state2, &ctx);
    cr_assert_eq(fx.cap.n, 0);
}

Test(goose, unknown_or_repeated_members_are_unexpected)
{
    struct ber_buf pdu = { .n = 0 }, apdu = { .n = 0 }, frame;
    ber_buf_str(&pdu, 0x80, "x");
    ber_buf_raw(&pdu, "\x8c\x00", 2); /* [12] is not an IECGoosePdu member */
    ber_buf_child(&apdu, 0x61, &pdu);
    frame_wrap(&frame, 1, 0, &apdu);
    expect_malformed(frame.b, frame.n, "unexpected_field", "\"tag\":12");
    pdu.n = apdu.n = 0;
    ber_buf_str(&pdu, 0x80, "x");
    ber_buf_str(&pdu, 0x80, "y"); /* gocbRef twice */
    ber_buf_child(&apdu, 0x61, &pdu);
    frame_wrap(&frame, 1, 0, &apdu);
    expect_malformed(frame.b, frame.n, "unexpected_field", "\"tag\":0");
}

static void tick(uint64_t time_us)
{
    const struct mamori_endpoints *during_packets = fx.cap.where;
    fx.cap.where = NULL; /* no packet is current */
    struct mamori_parse_ctx ctx = l2_fixture_ctx(&fx, time_us);
    goose_decoder.tick(fx.shared, &ctx);
    fx.cap.where = during_packets;
}

Test(goose, tick_reports_a_silent_publisher_once_with_its_addresses)
{
    struct mamori_endpoints pub = { .src_mac = { 0x00, 0x1b, 0x1b, 0x00, 0x00, 0x01 },
                                    .dst_mac = { 0x01, 0x0c, 0xcd, 0x01, 0x00, 0x01 },
                                    .vlan = 5, .ethertype = 0x88b8, .flow_id = 42 };
    fx.cap.where = &pub;
    struct goose_params p = defaults(); /* timeAllowedtoLive 2000 ms */
    send(&p, 1000 * MS);
    tick(3000 * MS); /* exactly timeAllowedtoLive after the frame: alive */
    cr_assert_eq(fx.cap.n, 1);
    tick(3001 * MS);
    cr_assert_eq(fx.cap.n, 2);
    const struct captured_event *e = &fx.cap.ev[1];
    cr_assert_str_eq(e->anomaly, "time_allowed_to_live_expired");
    cr_assert_str_eq(e->object, "IED1LD0/LLN0$GO$gcb1");
    cr_assert_str_eq(e->json, "{\"timeAllowedtoLive\":2000,\"silence_ms\":2001,\"stNum\":1,\"sqNum\":0}");
    cr_assert_arr_eq(e->where.src_mac, pub.src_mac, 6);
    cr_assert_arr_eq(e->where.dst_mac, pub.dst_mac, 6);
    cr_assert_eq(e->where.vlan, 5);
    cr_assert_eq(e->where.ethertype, 0x88b8);
    cr_assert_eq(e->where.flow_id, 42);
    tick(4000 * MS); /* once per silence */
    p.sq_num = 1;
    send(&p, 5000 * MS); /* it resumes: the late frame does not report it again */
    cr_assert_eq(capture_count(&fx.cap, "time_allowed_to_live_expired"), 1);
    tick(6000 * MS);
    tick(7001 * MS); /* silent again */
    cr_assert_eq(capture_count(&fx.cap, "time_allowed_to_live_expired"), 2);
}

Test(goose, tick_wakes_for_the_earliest_deadline_and_forgets_ended_flows)
{
    struct goose_params fast = defaults(), slow = defaults();
    fast.tal_ms = 100;
    slow.gocb_ref = "IED2LD0/LLN0$GO$gcb1";
    slow.tal_ms = 10000;
    send(&fast, 0);
    struct ber_buf frame;
    build(&frame, &slow);
    feed(fx.state2, &frame, 0);
    tick(101 * MS);
    cr_assert_eq(capture_count(&fx.cap, "time_allowed_to_live_expired"), 1);
    cr_assert_str_eq(capture_find(&fx.cap, "time_allowed_to_live_expired")->object, "IED1LD0/LLN0$GO$gcb1");
    /* the fast publisher's flow ends; only the slow one is watched on */
    struct mamori_parse_ctx ctx = l2_fixture_ctx(&fx, 200 * MS);
    goose_decoder.finish(fx.state, &ctx);
    tick(10001 * MS);
    cr_assert_eq(capture_count(&fx.cap, "time_allowed_to_live_expired"), 2);
    cr_assert_str_eq(fx.cap.ev[fx.cap.n - 1].object, "IED2LD0/LLN0$GO$gcb1");
}
