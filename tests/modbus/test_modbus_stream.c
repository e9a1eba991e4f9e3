/* test_modbus_stream.c — framing and transaction state across a conversation:
 * several ADUs per segment, one ADU split at every byte, pipelined requests,
 * resynchronisation after garbage, gaps and non-Modbus bytes on port 502, and
 * the pairing anomalies (unsolicited, mismatches, unanswered, floods), and
 * which side is the server when the device opened the connection. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>

#include "modbus_bytes.h"
#include "protocols/builtin.h"
#include "tests/support/stream_feed.h"

#define T_CLIENT 1000000u
#define T_SERVER 1000500u

/* A conversation touching every function family, with distinct trans ids. */
static struct adu requests[8], responses[8];
static size_t n_messages;

static void conversation(void)
{
    struct adu r[] = {
        ADU(1, 1, 0x03, 0x00, 0x6b, 0x00, 0x03),
        ADU(2, 1, 0x0f, 0x00, 0x13, 0x00, 0x0a, 0x02, 0xcd, 0x01),
        ADU(3, 1, 0x08, 0x00, 0x01, 0xff, 0x00),
        ADU(4, 1, 0x2b, 0x0e, 0x01, 0x00),
        ADU(5, 1, 0x17, 0x00, 0x03, 0x00, 0x02, 0x00, 0x0e, 0x00, 0x01, 0x02, 0x00, 0xff),
        ADU(6, 1, 0x14, 0x07, 0x06, 0x00, 0x04, 0x00, 0x01, 0x00, 0x01),
        ADU(7, 1, 0x01, 0x00, 0x00, 0x00, 0x08),
        ADU(8, 1, 0x5a, 0x00, 0x41),
    };
    struct adu s[] = {
        ADU(1, 1, 0x03, 0x06, 0x02, 0x2b, 0x00, 0x00, 0x00, 0x64),
        ADU(2, 1, 0x0f, 0x00, 0x13, 0x00, 0x0a),
        ADU(3, 1, 0x08, 0x00, 0x01, 0xff, 0x00),
        ADU(4, 1, 0x2b, 0x0e, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x04, 'A', 'C', 'M', 'E'),
        ADU(5, 1, 0x17, 0x04, 0x00, 0x01, 0x00, 0x02),
        ADU(6, 1, 0x14, 0x04, 0x03, 0x06, 0x12, 0x34),
        ADU(7, 1, 0x81, 0x02),
        ADU(8, 1, 0x5a, 0x00, 0xfe),
    };
    n_messages = sizeof r / sizeof r[0];
    memcpy(requests, r, sizeof r);
    memcpy(responses, s, sizeof s);
}

static size_t concat(const struct adu *msgs, uint8_t *out)
{
    size_t n = 0;
    for (size_t i = 0; i < n_messages; i++) {
        memcpy(out + n, msgs[i].b, msgs[i].len);
        n += msgs[i].len;
    }
    return n;
}

/* Feeds a direction's bytes as chunks ending at the given cut positions. */
static void feed_cut(struct stream_feed *f, enum mamori_direction dir, uint64_t t, const uint8_t *b, size_t n,
                     const size_t *cuts, size_t n_cuts)
{
    size_t at = 0;
    for (size_t i = 0; i <= n_cuts; i++) {
        size_t end = i < n_cuts ? cuts[i] : n;
        stream_feed_bytes(f, dir, t, b + at, end - at, 0);
        at = end;
    }
}

static char *reference_pipelined(const uint8_t *c, size_t nc, const uint8_t *s, size_t ns)
{
    static struct stream_feed f;
    cr_assert(stream_feed_init(&f, &modbus_decoder, 0, 0));
    stream_feed_bytes(&f, MAMORI_DIR_TO_SERVER, T_CLIENT, c, nc, 0);
    stream_feed_bytes(&f, MAMORI_DIR_TO_CLIENT, T_SERVER, s, ns, 0);
    stream_feed_finish(&f, T_SERVER);
    char *out = stream_feed_join(&f);
    cr_assert_eq(f.n_events, 2 * n_messages + 0, "reference:\n%s", out);
    stream_feed_free(&f);
    return out;
}

Test(modbus_segmentation, every_split_position_gives_identical_events)
{
    conversation();
    uint8_t c[1024], s[1024];
    size_t nc = concat(requests, c), ns = concat(responses, s);
    char *want = reference_pipelined(c, nc, s, ns);
    static struct stream_feed f;
    for (size_t i = 0; i <= nc; i++) {
        for (size_t j = 0; j <= ns; j++) {
            cr_assert(stream_feed_init(&f, &modbus_decoder, 0, 0));
            feed_cut(&f, MAMORI_DIR_TO_SERVER, T_CLIENT, c, nc, &i, 1);
            feed_cut(&f, MAMORI_DIR_TO_CLIENT, T_SERVER, s, ns, &j, 1);
            stream_feed_finish(&f, T_SERVER);
            char *got = stream_feed_join(&f);
            cr_assert_str_eq(got, want, "split client at %zu, server at %zu", i, j);
            free(got);
            stream_feed_free(&f);
        }
    }
    free(want);
}

Test(modbus_segmentation, byte_by_byte_and_random_chunks_give_identical_events)
{
    conversation();
    uint8_t c[1024], s[1024];
    size_t nc = concat(requests, c), ns = concat(responses, s);
    char *want = reference_pipelined(c, nc, s, ns);
    static struct stream_feed f;
    size_t cuts[1024];
    unsigned seed = 42;
    for (int round = 0; round < 200; round++) {
        /* round 0: every byte its own chunk; later rounds: random chunk sizes */
        size_t nc_cuts = 0, ns_cuts = 0;
        for (size_t k = 1; k < nc; k += round ? 1 + (size_t)(rand_r(&seed) % 17) : 1)
            cuts[nc_cuts++] = k;
        cr_assert(stream_feed_init(&f, &modbus_decoder, 0, 0));
        feed_cut(&f, MAMORI_DIR_TO_SERVER, T_CLIENT, c, nc, cuts, nc_cuts);
        for (size_t k = 1; k < ns; k += round ? 1 + (size_t)(rand_r(&seed) % 17) : 1)
            cuts[ns_cuts++] = k;
        feed_cut(&f, MAMORI_DIR_TO_CLIENT, T_SERVER, s, ns, cuts, ns_cuts);
        stream_feed_finish(&f, T_SERVER);
        char *got = stream_feed_join(&f);
        cr_assert_str_eq(got, want, "round %d", round);
        free(got);
        stream_feed_free(&f);
    }
    free(want);
}

static int compare_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *sorted_events(struct stream_feed *f)
{
    qsort(f->events, f->n_events, sizeof f->events[0], compare_lines);
    return stream_feed_join(f);
}

/* Requests and responses interleaved one by one, or all requests first, or
 * the responses in reverse order: the same set of events. */
Test(modbus_segmentation, reordered_exchanges_give_identical_events)
{
    conversation();
    static struct stream_feed f;
    char *orders[3];
    for (int order = 0; order < 3; order++) {
        cr_assert(stream_feed_init(&f, &modbus_decoder, 0, 0));
        for (size_t i = 0; i < n_messages; i++) {
            stream_feed_bytes(&f, MAMORI_DIR_TO_SERVER, T_CLIENT, requests[i].b, requests[i].len, 0);
            if (order == 0)
                stream_feed_bytes(&f, MAMORI_DIR_TO_CLIENT, T_SERVER, responses[i].b, responses[i].len, 0);
        }
        for (size_t k = 0; order > 0 && k < n_messages; k++) {
            size_t i = order == 1 ? k : n_messages - 1 - k;
            stream_feed_bytes(&f, MAMORI_DIR_TO_CLIENT, T_SERVER, responses[i].b, responses[i].len, 0);
        }
        stream_feed_finish(&f, T_SERVER);
        cr_assert_eq(f.n_events, 2 * n_messages, "order %d:\n%s", order, stream_feed_join(&f));
        orders[order] = sorted_events(&f);
        stream_feed_free(&f);
    }
    cr_assert_str_eq(orders[1], orders[0]);
    cr_assert_str_eq(orders[2], orders[0]);
    for (int i = 0; i < 3; i++)
        free(orders[i]);
}

static struct stream_feed g;
static void setup(void) { cr_assert(stream_feed_init(&g, &modbus_decoder, 0, 0)); }
static void teardown(void) { stream_feed_free(&g); }
TestSuite(modbus_stream, .init = setup, .fini = teardown);
TestSuite(modbus_direction, .init = setup, .fini = teardown);

static void send_at(enum mamori_direction dir, uint64_t t, struct adu a) { stream_feed_bytes(&g, dir, t, a.b, a.len, 0); }

static void expect(size_t i, const char *needle)
{
    cr_assert_lt(i, g.n_events, "event %zu missing (%zu events):\n%s", i, g.n_events, stream_feed_join(&g));
    cr_assert(strstr(g.events[i], needle), "event %zu:\n%s\nlacks:\n%s", i, g.events[i], needle);
}

static void expect_events(size_t n)
{
    cr_assert_eq(g.n_events, n, "expected %zu events, got %zu:\n%s", n, g.n_events, stream_feed_join(&g));
}

Test(modbus_stream, several_adus_in_one_segment)
{
    uint8_t buf[64];
    struct adu a = ADU(1, 1, 0x03, 0x00, 0x00, 0x00, 0x01), b = ADU(2, 1, 0x06, 0x00, 0x01, 0x00, 0x07);
    memcpy(buf, a.b, a.len);
    memcpy(buf + a.len, b.b, b.len);
    memcpy(buf + a.len + b.len, a.b, 5); /* and the start of a third */
    stream_feed_bytes(&g, MAMORI_DIR_TO_SERVER, 1, buf, a.len + b.len + 5, 0);
    expect_events(2);
    stream_feed_bytes(&g, MAMORI_DIR_TO_SERVER, 2, a.b + 5, a.len - 5, 0);
    expect_events(4);
    expect(0, "\"trans_id\":1,");
    expect(1, "\"trans_id\":2,");
    expect(2, "\"trans_id\":1,");
    /* the same trans id while still outstanding: the first is reported unanswered */
    expect(3, "\"anomaly\":\"unanswered_request\"");
    expect(3, "\"request_time_us\":1,");
}

Test(modbus_stream, resynchronises_after_garbage)
{
    static const uint8_t junk[] = { 0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };
    stream_feed_bytes(&g, MAMORI_DIR_TO_SERVER, 1, junk, sizeof junk, 0);
    send_at(MAMORI_DIR_TO_SERVER, 2, ADU(9, 1, 0x03, 0x00, 0x10, 0x00, 0x02));
    send_at(MAMORI_DIR_TO_CLIENT, 3, ADU(9, 1, 0x03, 0x04, 0x00, 0x01, 0x00, 0x02));
    expect_events(3);
    expect(0, "\"anomaly\":\"invalid_protocol_id\"");
    expect(1, "\"role\":\"request\"");
    expect(1, "\"range_start\":16,\"range_count\":2");
    expect(2, "\"latency_us\":1,\"values\":[1,2]");
}

Test(modbus_stream, resynchronises_after_a_gap_inside_an_adu)
{
    struct adu a = ADU(1, 1, 0x10, 0x00, 0x01, 0x00, 0x02, 0x04, 0x00, 0x0a, 0x01, 0x02);
    stream_feed_bytes(&g, MAMORI_DIR_TO_SERVER, 1, a.b, 9, 0); /* the rest of this ADU is lost */
    stream_feed_gap(&g, MAMORI_DIR_TO_SERVER);
    uint8_t tail_then_next[64];
    struct adu b = ADU(2, 1, 0x03, 0x00, 0x20, 0x00, 0x01);
    memcpy(tail_then_next, a.b + 11, a.len - 11);
    memcpy(tail_then_next + a.len - 11, b.b, b.len);
    stream_feed_bytes(&g, MAMORI_DIR_TO_SERVER, 2, tail_then_next, a.len - 11 + b.len, 0);
    expect_events(1);
    expect(0, "\"trans_id\":2,");
    expect(0, "\"range_start\":32,\"range_count\":1");
}

Test(modbus_stream, non_modbus_bytes_on_port_502_give_one_anomaly)
{
    /* A TLS ClientHello start, as in zeek's modbus-and-non-modbus-p502.pcap. */
    uint8_t tls[600];
    for (size_t i = 0; i < sizeof tls; i++)
        tls[i] = (uint8_t)(i * 37 + 11);
    memcpy(tls, "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
    stream_feed_bytes(&g, MAMORI_DIR_TO_SERVER, 1, tls, sizeof tls, 0);
    stream_feed_bytes(&g, MAMORI_DIR_TO_SERVER, 2, tls, sizeof tls, 0);
    expect_events(1);
    expect(0, "\"anomaly\":\"invalid_protocol_id\"");
    expect(0, "\"prot_id\":258");
}

Test(modbus_stream, invalid_mbap_length_is_reported_and_skipped)
{
    static const uint8_t bad[] = { 0x00, 0x05, 0x00, 0x00, 0x00, 0x01, 0x01, 0x03 };
    stream_feed_bytes(&g, MAMORI_DIR_TO_SERVER, 1, bad, sizeof bad, 0);
    send_at(MAMORI_DIR_TO_SERVER, 2, ADU(6, 1, 0x03, 0x00, 0x00, 0x00, 0x01));
    expect_events(2);
    expect(0, "\"anomaly\":\"invalid_length\",\"role\":\"request\",\"op\":\"malformed\"");
    expect(0, "\"reason\":\"mbap_length_out_of_range\"");
    expect(1, "\"trans_id\":6,");
}

Test(modbus_stream, pdu_length_disagreeing_with_fields_is_malformed)
{
    send_at(MAMORI_DIR_TO_SERVER, 1, ADU(1, 1, 0x03, 0x00, 0x00, 0x00, 0x01, 0x99));
    send_at(MAMORI_DIR_TO_SERVER, 2, ADU(2, 1, 0x03, 0x00, 0x00));
    expect_events(4);
    expect(0, "\"op\":\"malformed\"");
    expect(1, "\"reason\":\"bytes_left_after_fields\"");
    expect(3, "\"reason\":\"pdu_shorter_than_its_fields\"");
}

Test(modbus_stream, unsolicited_response)
{
    send_at(MAMORI_DIR_TO_CLIENT, 1, ADU(77, 1, 0x03, 0x02, 0x00, 0x05));
    expect_events(2);
    expect(0, "\"values\":[5]");
    expect(1, "\"anomaly\":\"unsolicited_response\"");
    expect(1, "\"trans_id\":77,");
}

Test(modbus_stream, register_count_mismatch)
{
    send_at(MAMORI_DIR_TO_SERVER, 1, ADU(1, 1, 0x03, 0x00, 0x00, 0x00, 0x03));
    send_at(MAMORI_DIR_TO_CLIENT, 2, ADU(1, 1, 0x03, 0x04, 0x00, 0x01, 0x00, 0x02));
    expect_events(3);
    expect(2, "\"anomaly\":\"value_mismatch\"");
    expect(2, "\"reason\":\"byte_cnt_does_not_match_word_cnt\"");
}

Test(modbus_stream, function_code_mismatch)
{
    send_at(MAMORI_DIR_TO_SERVER, 1, ADU(1, 1, 0x03, 0x00, 0x00, 0x00, 0x01));
    send_at(MAMORI_DIR_TO_CLIENT, 2, ADU(1, 1, 0x04, 0x02, 0x00, 0x01));
    expect_events(3);
    expect(1, "\"latency_us\":1");
    expect(2, "\"anomaly\":\"function_code_mismatch\"");
}

Test(modbus_stream, quantity_out_of_range)
{
    send_at(MAMORI_DIR_TO_SERVER, 1, ADU(1, 1, 0x03, 0x00, 0x00, 0x00, 0x7e));
    send_at(MAMORI_DIR_TO_SERVER, 1, ADU(2, 1, 0x01, 0x00, 0x00, 0x00, 0x00));
    expect_events(4);
    expect(1, "\"anomaly\":\"invalid_value\"");
    expect(1, "\"reason\":\"quantity_out_of_range\"");
    expect(3, "\"reason\":\"quantity_out_of_range\"");
}

Test(modbus_stream, request_unanswered_after_timeout_and_at_end)
{
    stream_feed_free(&g);
    cr_assert(stream_feed_init(&g, &modbus_decoder, 0, 2000000));
    send_at(MAMORI_DIR_TO_SERVER, 1000000, ADU(1, 3, 0x03, 0x00, 0x05, 0x00, 0x02));
    send_at(MAMORI_DIR_TO_SERVER, 2500000, ADU(2, 3, 0x06, 0x00, 0x05, 0x00, 0x02));
    expect_events(2);
    send_at(MAMORI_DIR_TO_SERVER, 3000001, ADU(3, 3, 0x03, 0x00, 0x05, 0x00, 0x02));
    expect_events(4);
    expect(2, "\"anomaly\":\"unanswered_request\",\"role\":\"request\",\"unit\":3,\"function_code\":3");
    expect(2, "\"range_start\":5,\"range_count\":2");
    expect(2, "\"trans_id\":1,\"unit_id\":3,\"func_code\":3,\"request_time_us\":1000000");
    send_at(MAMORI_DIR_TO_CLIENT, 3000002, ADU(3, 3, 0x03, 0x04, 0x00, 0x01, 0x00, 0x02));
    stream_feed_finish(&g, 3000003);
    expect_events(6);
    expect(4, "\"latency_us\":1,");
    expect(5, "\"trans_id\":2,");
    expect(5, "\"anomaly\":\"unanswered_request\"");
}

Test(modbus_stream, outstanding_flood_is_bounded_and_counted)
{
    for (uint16_t i = 0; i < 100; i++)
        send_at(MAMORI_DIR_TO_SERVER, 1000 + i, ADU(i, 1, 0x03, 0x00, 0x00, 0x00, 0x01));
    size_t flooded = stream_feed_count(&g, "\"anomaly\":\"flooded\"");
    cr_assert_eq(flooded, 1, "one flood episode, got %zu", flooded);
    /* the 33rd request's event, then the flood */
    expect(33, "\"anomaly\":\"flooded\"");
    expect(33, "\"reason\":\"outstanding_requests_over_limit\"");
    /* the newest requests are still paired */
    send_at(MAMORI_DIR_TO_CLIENT, 5000, ADU(99, 1, 0x03, 0x02, 0x00, 0x01));
    cr_assert(strstr(g.events[g.n_events - 1], "\"latency_us\":3901"), "%s", g.events[g.n_events - 1]);
    /* the oldest were dropped: their responses are unsolicited */
    send_at(MAMORI_DIR_TO_CLIENT, 5001, ADU(0, 1, 0x03, 0x02, 0x00, 0x01));
    cr_assert(strstr(g.events[g.n_events - 1], "\"anomaly\":\"unsolicited_response\""));
    stream_feed_finish(&g, 6000);
    cr_assert_eq(stream_feed_count(&g, "\"anomaly\":\"unanswered_request\""), 31);
}

/* Pending requests are a ring: answered in the middle, at the end and at the
 * head, round after round until the ring has wrapped several times, each
 * response still finds its own request (latency = its time minus the request's). */
Test(modbus_stream, pairing_holds_as_the_pending_ring_wraps)
{
    static const uint64_t answer_order[3] = { 1, 2, 0 }; /* middle, then newest, then oldest */
    for (uint16_t round = 0; round < 40; round++) {
        uint64_t t0 = 1000u * round;
        for (uint16_t k = 0; k < 3; k++)
            send_at(MAMORI_DIR_TO_SERVER, t0 + 10u * k, ADU(3 * round + k, 1, 0x03, 0x00, 0x00, 0x00, 0x01));
        for (uint16_t j = 0; j < 3; j++) {
            uint16_t k = (uint16_t)answer_order[j];
            send_at(MAMORI_DIR_TO_CLIENT, t0 + 100u + j, ADU(3 * round + k, 1, 0x03, 0x02, 0x00, 0x01));
            char latency[32];
            snprintf(latency, sizeof latency, "\"latency_us\":%u,", 100u + j - 10u * k);
            expect(g.n_events - 1, latency);
        }
    }
    expect_events(240);
}

Test(modbus_stream, request_rate_flood)
{
    for (uint32_t i = 0; i < 2100; i++) {
        uint64_t t = 1000000 + i * 100; /* 10 000 requests per second */
        send_at(MAMORI_DIR_TO_SERVER, t, ADU((uint16_t)i, 1, 0x03, 0x00, 0x00, 0x00, 0x01));
        send_at(MAMORI_DIR_TO_CLIENT, t + 50, ADU((uint16_t)i, 1, 0x03, 0x02, 0x00, 0x01));
    }
    cr_assert_eq(stream_feed_count(&g, "\"reason\":\"request_rate_over_limit\""), 1);
    cr_assert_eq(stream_feed_count(&g, "\"anomaly\":\"unsolicited_response\""), 0);
}

Test(modbus_probe, recognises_modbus_on_any_port)
{
    const struct mamori_decoder *dec = &modbus_decoder;
    struct adu a = ADU(1, 1, 0x03, 0x00, 0x00, 0x00, 0x02), b = ADU(2, 1, 0x06, 0x00, 0x01, 0x00, 0x07);
    uint8_t two[64];
    memcpy(two, a.b, a.len);
    memcpy(two + a.len, b.b, b.len);
    cr_assert_eq(dec->probe(a.b, a.len, MAMORI_DIR_TO_SERVER), MAMORI_PROBE_YES);
    cr_assert_eq(dec->probe(two, a.len + b.len, MAMORI_DIR_TO_SERVER), MAMORI_PROBE_YES);
    cr_assert_eq(dec->probe(two, a.len + 3, MAMORI_DIR_TO_SERVER), MAMORI_PROBE_MORE, "next header cut short");
    cr_assert_eq(dec->probe(a.b, 5, MAMORI_DIR_TO_SERVER), MAMORI_PROBE_MORE);
    cr_assert_eq(dec->probe(a.b, a.len - 1, MAMORI_DIR_TO_SERVER), MAMORI_PROBE_MORE);
    static const uint8_t tls[] = { 0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03 };
    cr_assert_eq(dec->probe(tls, sizeof tls, MAMORI_DIR_TO_SERVER), MAMORI_PROBE_NO);
    static const uint8_t http[] = "GET / HTTP/1.1\r\n";
    cr_assert_eq(dec->probe(http, sizeof http - 1, MAMORI_DIR_TO_SERVER), MAMORI_PROBE_NO);
    /* a plausible header followed by bytes that are not Modbus */
    memcpy(two + a.len, "\x16\x03\x01\x02\x00\x01\x00\x01", 8);
    cr_assert_eq(dec->probe(two, a.len + 8, MAMORI_DIR_TO_SERVER), MAMORI_PROBE_NO);
    /* function 3 cannot be 1 byte long, a reserved function is no Modbus we can recognise */
    struct adu short_fc3 = ADU(1, 1, 0x03), reserved = ADU(1, 1, 0x30, 0x00, 0x00);
    cr_assert_eq(dec->probe(short_fc3.b, short_fc3.len, MAMORI_DIR_TO_SERVER), MAMORI_PROBE_NO);
    cr_assert_eq(dec->probe(reserved.b, reserved.len, MAMORI_DIR_TO_SERVER), MAMORI_PROBE_NO);
}

Test(modbus_stream, exception_from_the_side_that_opened_the_connection_is_a_response)
{
    /* suricata-verify's modbus.pcap: the device on port 502 opened the connection */
    send_at(MAMORI_DIR_TO_SERVER, 1, ADU(1, 10, 0x81, 0x06));
    expect_events(2);
    expect(0, "\"role\":\"response\",\"op\":\"exception\"");
    expect(0, "\"exception_code\":6,\"exception\":\"server_device_busy\"}");
    expect(1, "\"anomaly\":\"unsolicited_response\"");
}

Test(modbus_stream, umas_blocks_longer_than_254_are_framed)
{
    uint8_t big[7 + 1 + 600];
    struct adu head = ADU(5, 0, 0x5a, 0x01, 0x34);
    memcpy(big, head.b, head.len);
    memset(big + head.len, 0x54, sizeof big - head.len);
    big[4] = (uint8_t)((sizeof big - 6) >> 8);
    big[5] = (uint8_t)(sizeof big - 6);
    stream_feed_bytes(&g, MAMORI_DIR_TO_SERVER, 1, big, sizeof big, 0);
    send_at(MAMORI_DIR_TO_SERVER, 2, ADU(6, 1, 0x03, 0x00, 0x00, 0x00, 0x01));
    expect_events(2);
    expect(0, "\"op\":\"program\"");
    expect(0, "\"object\":\"download_block\"");
    expect(1, "\"trans_id\":6,");
}

/* A connection opened FROM port 502: the core calls the device the client, so
 * its responses come as TO_SERVER bytes and the real client's requests as
 * TO_CLIENT. The first read request's shape (MBAP length 6, not 3 + a byte
 * count) settles who asks; pairing, latency and later echoes follow. */
Test(modbus_direction, opener_on_port_502_is_recognised_as_the_server)
{
    send_at(MAMORI_DIR_TO_CLIENT, 1000, ADU(1, 1, 0x03, 0x00, 0x6b, 0x00, 0x03));
    send_at(MAMORI_DIR_TO_SERVER, 1250, ADU(1, 1, 0x03, 0x06, 0x02, 0x2b, 0x00, 0x00, 0x00, 0x64));
    send_at(MAMORI_DIR_TO_CLIENT, 2000, ADU(2, 1, 0x06, 0x00, 0x01, 0x00, 0x03));
    send_at(MAMORI_DIR_TO_SERVER, 2100, ADU(2, 1, 0x06, 0x00, 0x01, 0x00, 0x03));
    stream_feed_finish(&g, 3000);
    expect_events(4);
    expect(0, "\"role\":\"request\",\"op\":\"read\",\"unit\":1,\"function_code\":3,\"function\":\"read_holding_registers\","
              "\"range_start\":107,\"range_count\":3,\"modbus\"");
    expect(1, "\"role\":\"response\",\"op\":\"read\",\"unit\":1,\"function_code\":3,\"function\":\"read_holding_registers\","
              "\"range_start\":107,\"range_count\":3,\"latency_us\":250,\"values\":[555,0,100]");
    expect(2, "\"role\":\"request\",\"op\":\"write\",\"unit\":1,\"function_code\":6");
    expect(3, "\"role\":\"response\",\"op\":\"write\",\"unit\":1,\"function_code\":6,\"function\":\"write_single_register\","
              "\"range_start\":1,\"range_count\":1,\"latency_us\":100,\"values\":[3]");
}

/* Echoes (5, 6, 8, 22) look the same both ways: until an answered transaction
 * shows who asked first, the core's orientation holds, so the very first
 * request is taken for an (unsolicited) response; its answer settles it. */
Test(modbus_direction, an_answered_echo_settles_who_asks)
{
    send_at(MAMORI_DIR_TO_CLIENT, 1000, ADU(7, 1, 0x06, 0x00, 0x01, 0x00, 0x03));
    send_at(MAMORI_DIR_TO_SERVER, 1100, ADU(7, 1, 0x06, 0x00, 0x01, 0x00, 0x03));
    send_at(MAMORI_DIR_TO_CLIENT, 2000, ADU(8, 1, 0x05, 0x00, 0xac, 0xff, 0x00));
    send_at(MAMORI_DIR_TO_SERVER, 2300, ADU(8, 1, 0x05, 0x00, 0xac, 0xff, 0x00));
    stream_feed_finish(&g, 3000);
    expect_events(6);
    expect(0, "\"role\":\"response\",\"op\":\"write\"");
    expect(1, "\"anomaly\":\"unsolicited_response\"");
    expect(2, "\"role\":\"response\",\"op\":\"write\"");
    expect(3, "\"anomaly\":\"unsolicited_response\"");
    expect(4, "\"role\":\"request\",\"op\":\"write\",\"unit\":1,\"function_code\":5,\"function\":\"write_single_coil\"");
    expect(5, "\"role\":\"response\",\"op\":\"write\",\"unit\":1,\"function_code\":5,\"function\":\"write_single_coil\","
              "\"range_start\":172,\"range_count\":1,\"latency_us\":300,\"values\":[1]");
}

/* What was recorded as a request under the core's orientation was a response:
 * once the traffic shows the other way round it is forgotten, never reported
 * unanswered. Device identification and UMAS requests settle it too. */
Test(modbus_direction, responses_taken_for_requests_are_forgotten_when_settled)
{
    send_at(MAMORI_DIR_TO_SERVER, 1000, ADU(3, 1, 0x06, 0x00, 0x01, 0x00, 0x03));
    send_at(MAMORI_DIR_TO_CLIENT, 2000, ADU(4, 1, 0x2b, 0x0e, 0x01, 0x00));
    send_at(MAMORI_DIR_TO_SERVER, 2400, ADU(4, 1, 0x2b, 0x0e, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x02, 'A', 'B'));
    stream_feed_finish(&g, 9000000);
    expect_events(3);
    expect(0, "\"role\":\"request\",\"op\":\"write\"");
    expect(1, "\"role\":\"request\",\"op\":\"identify\"");
    expect(2, "\"kind\":\"identity\",\"role\":\"response\",\"op\":\"identify\"");
    expect(2, "\"latency_us\":400,");
    expect(2, "\"identity\":{\"vendor\":\"AB\"}");
}

Test(modbus_direction, umas_status_marks_the_server)
{
    send_at(MAMORI_DIR_TO_SERVER, 1000, ADU(9, 0, 0x5a, 0x00, 0xfe, 0x01));
    send_at(MAMORI_DIR_TO_CLIENT, 2000, ADU(10, 0, 0x5a, 0x01, 0x41));
    send_at(MAMORI_DIR_TO_SERVER, 2500, ADU(10, 0, 0x5a, 0x01, 0xfe));
    expect_events(4);
    expect(0, "\"role\":\"response\",\"op\":\"other\"");
    expect(1, "\"anomaly\":\"unsolicited_response\"");
    expect(2, "\"role\":\"request\",\"op\":\"program\",\"unit\":0,\"function_code\":90,\"function\":\"umas\",\"object\":"
              "\"stop_plc\"");
    expect(3, "\"role\":\"response\",\"op\":\"program\"");
    expect(3, "\"latency_us\":500,");
}
