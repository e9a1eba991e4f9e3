/* test_dispatch.c — what a decoder is fed: bytes split at every boundary
 * arrive whole, unconsumed tails are re-presented, max_pdu overflow and TCP
 * gaps set ctx->gap, one parse per datagram, probing on other ports (with
 * MORE), finish at flow end, state budget failures, and the core's own
 * "tcp"/"overlap_mismatch" event. */
#include <criterion/criterion.h>
#include <string.h>

#include "frame_builder.h"
#include "harness.h"
#include "sensor/packet.h"

#define SEC 1000000ull

static struct harness h;

static void setup(void) { harness_config(&h); }
static void teardown(void)
{
    if (h.pl)
        harness_stop(&h);
}

TestSuite(dispatch, .init = setup, .fini = teardown);

enum { S = PACKET_TCP_SYN, A = PACKET_TCP_ACK, F = PACKET_TCP_FIN };

static void seg(uint64_t t, bool to_server, uint16_t server_port, uint32_t seq, uint8_t flags, const void *data,
                size_t len)
{
    struct frame_spec s = { .ip_version = 4, .proto = 6, .seq = seq, .ack = 1, .flags = flags, .payload = data,
                            .len = len };
    s.src = to_server ? "10.1.1.1" : "10.1.1.2";
    s.dst = to_server ? "10.1.1.2" : "10.1.1.1";
    s.sport = to_server ? 45000 : server_port;
    s.dport = to_server ? server_port : 45000;
    harness_frame(&h, t, &s);
}

static const struct recorder_log *finished_log(void)
{
    cr_assert_eq(recorder_n_finished, 1, "finish() called %zu times", recorder_n_finished);
    return &recorder_finished[0];
}

Test(dispatch, bytes_split_at_every_boundary_arrive_whole)
{
    static const char text[] = "first line\nsecond\nthird line here\n";
    const size_t len = sizeof text - 1;
    harness_start(&h);
    seg(0, true, RECORDER_TCP_PORT, 999, S, NULL, 0);
    for (size_t i = 0; i < len; i++)
        seg(SEC + i, true, RECORDER_TCP_PORT, 1000 + (uint32_t)i, A, text + i, 1);
    pipeline_finish(h.pl);
    const struct recorder_log *log = finished_log();
    cr_assert_eq(log->len[0], len);
    cr_assert_arr_eq(log->bytes[0], text, len);
    cr_assert_eq(log->parses[0], 3, "one parse per completed line");
    cr_assert_eq(log->transports, MAMORI_TRANSPORT_TCP, "parse() knows it is given stream bytes");
    cr_assert_eq(log->gaps[0], 0);
    cr_assert(log->finished);
    /* each event carries the time of the packet that completed its line */
    cr_assert_eq(h.events[0].ev.function_code, 11);
    cr_assert_eq(h.events[0].ev.time_us, SEC + 10);
}

Test(dispatch, several_pdus_in_one_segment_and_a_tail)
{
    static const char a[] = "one\ntwo\nthr", b[] = "ee\n";
    harness_start(&h);
    seg(SEC, true, RECORDER_TCP_PORT, 1, A, a, strlen(a));
    seg(SEC + 1, true, RECORDER_TCP_PORT, 1 + (uint32_t)strlen(a), A, b, strlen(b));
    pipeline_finish(h.pl);
    const struct recorder_log *log = finished_log();
    cr_assert_eq(log->len[0], 14);
    cr_assert_arr_eq(log->bytes[0], "one\ntwo\nthree\n", 14);
    cr_assert_eq(log->parses[0], 2); /* "one\ntwo\n", then "three\n" */
}

Test(dispatch, max_pdu_reached_unparsed_is_dropped_and_flagged)
{
    uint8_t junk[RECORDER_MAX_PDU + 36];
    memset(junk, 'j', sizeof junk);
    harness_start(&h);
    seg(SEC, true, RECORDER_TCP_PORT, 1, A, junk, 40);
    seg(SEC + 1, true, RECORDER_TCP_PORT, 41, A, junk + 40, sizeof junk - 40); /* 100 bytes, no newline */
    seg(SEC + 2, true, RECORDER_TCP_PORT, 1 + sizeof junk, A, "ok\n", 3);
    pipeline_finish(h.pl);
    const struct recorder_log *log = finished_log();
    cr_assert_eq(harness_stats(&h)->decoder_pdu_overflows, 1);
    cr_assert_eq(log->gaps[0], 1);
    cr_assert_eq(log->gap_at[0][0], 0);
    /* 64 bytes were dropped; the 36 after them and "ok\n" come through */
    cr_assert_eq(log->len[0], 36 + 3);
    cr_assert_arr_eq(log->bytes[0] + 36, "ok\n", 3);
}

Test(dispatch, tcp_hole_reaches_the_decoder_as_a_gap)
{
    harness_start(&h);
    seg(SEC, true, RECORDER_TCP_PORT, 0, S, NULL, 0);
    seg(SEC + 1, true, RECORDER_TCP_PORT, 1, A, "aa\n", 3);
    seg(SEC + 2, true, RECORDER_TCP_PORT, 10, A, "cc\n", 3); /* 4..9 lost */
    seg(SEC + 3, true, RECORDER_TCP_PORT, 13, A | F, NULL, 0);
    pipeline_finish(h.pl);
    const struct recorder_log *log = finished_log();
    cr_assert_eq(log->len[0], 6);
    cr_assert_arr_eq(log->bytes[0], "aa\ncc\n", 6);
    cr_assert_eq(log->gaps[0], 1);
    cr_assert_eq(log->gap_at[0][0], 3);
    cr_assert_eq(h.flows[0].rec.gaps, 6);
    cr_assert_eq(harness_stats(&h)->tcp_gap_bytes, 6);
}

Test(dispatch, one_parse_per_udp_datagram)
{
    harness_start(&h);
    const char *d[] = { "!a", "!bcd\n", "!e" };
    for (int i = 0; i < 3; i++) {
        struct frame_spec s = { .ip_version = 4, .proto = 17, .src = "10.0.0.1", .dst = "10.0.0.2",
                                .sport = 3333, .dport = RECORDER_UDP_PORT, .payload = d[i], .len = strlen(d[i]) };
        harness_frame(&h, SEC + (uint64_t)i, &s);
    }
    pipeline_finish(h.pl);
    const struct recorder_log *log = finished_log();
    cr_assert_eq(log->parses[0], 3);
    cr_assert_eq(log->transports, MAMORI_TRANSPORT_UDP, "parse() knows each call is a whole datagram");
    cr_assert_eq(log->len[0], 9);
    cr_assert_arr_eq(log->bytes[0], "!a!bcd\n!e", 9);
}

Test(dispatch, probe_claims_a_flow_on_another_port_after_more)
{
    harness_start(&h);
    seg(SEC, true, 5555, 1, A, "RE", 2);       /* MORE */
    seg(SEC + 1, true, 5555, 3, A, "C 1\n", 4); /* YES */
    seg(SEC + 2, false, 5555, 70, A, "ok\n", 3);
    pipeline_finish(h.pl);
    const struct recorder_log *log = finished_log();
    cr_assert_eq(log->len[0], 6);
    cr_assert_arr_eq(log->bytes[0], "REC 1\n", 6);
    cr_assert_arr_eq(log->bytes[1], "ok\n", 3);
    cr_assert_str_eq(h.flows[0].decoder, "recorder");
    /* on a port no decoder owns, the first sender is the client */
    cr_assert_eq(h.flows[0].rec.where.dst_port, 5555);
}

Test(dispatch, probe_rejects_other_protocols)
{
    harness_start(&h);
    seg(SEC, true, 5555, 1, A, "GET / HTTP/1.0\r\n\r\n", 18);
    pipeline_finish(h.pl);
    cr_assert_eq(recorder_n_finished, 0);
    cr_assert_eq(h.n_flows, 1);
    cr_assert_str_eq(h.flows[0].decoder, "");
    cr_assert_eq(harness_stats(&h)->decoder_probe_rejects, 1);
    cr_assert_eq(harness_stats(&h)->decoder_flows, 0);
}

Test(dispatch, port_owner_decodes_even_garbage)
{
    harness_start(&h);
    seg(SEC, true, RECORDER_TCP_PORT, 1, A, "xx\n", 3);
    pipeline_finish(h.pl);
    cr_assert_arr_eq(finished_log()->bytes[0], "xx\n", 3);
}

Test(dispatch, state_budget_failure_is_counted)
{
    h.cfg.decoder_state_budget = 100;
    harness_start(&h);
    seg(SEC, true, RECORDER_TCP_PORT, 1, A, "a\n", 2);
    pipeline_finish(h.pl);
    cr_assert_eq(harness_stats(&h)->decoder_state_budget_failures, 1);
    cr_assert_eq(recorder_n_finished, 0);
    cr_assert_eq(h.n_events, 0);
    cr_assert_str_eq(h.flows[0].decoder, "");
}

Test(dispatch, events_and_anomalies_are_counted_by_protocol)
{
    harness_start(&h);
    seg(SEC, true, RECORDER_TCP_PORT, 1, A, "a\n", 2);
    seg(SEC, true, RECORDER_TCP_PORT, 3, A, "b\n", 2);
    pipeline_finish(h.pl);
    const struct pipeline_stats *st = harness_stats(&h);
    cr_assert_eq(st->events, 3);
    cr_assert_eq(st->n_protocols, 1);
    cr_assert_str_eq(st->protocols[0].protocol, "recorder");
    cr_assert_eq(st->protocols[0].events, 3);
    cr_assert_eq(st->n_anomalies, 1);
    cr_assert_str_eq(st->anomalies[0].anomaly, "finished");
    cr_assert_eq(st->anomalies[0].count, 1);
}

Test(dispatch, overlap_mismatch_is_a_tcp_anomaly_event)
{
    harness_start(&h);
    seg(SEC, true, RECORDER_TCP_PORT, 0, S, NULL, 0);
    seg(SEC + 1, true, RECORDER_TCP_PORT, 5, A, "EF\n", 3);    /* held */
    seg(SEC + 2, true, RECORDER_TCP_PORT, 1, A, "abcdXY\n", 7); /* differs at 5..6 */
    cr_assert_eq(h.n_events, 2);
    const struct recorded_event *e = &h.events[0];
    cr_assert_str_eq(e->protocol, "tcp");
    cr_assert_str_eq(e->anomaly, "overlap_mismatch");
    cr_assert_eq(e->ev.kind, MAMORI_EVENT_ANOMALY);
    cr_assert_eq(e->ev.where.flow_id, 1);
    cr_assert_eq(e->ev.where.dst_port, RECORDER_TCP_PORT);
    cr_assert_eq(e->ev.time_us, SEC + 2);
    /* the first copy was delivered */
    cr_assert_eq(h.events[1].ev.function_code, 7);
    pipeline_finish(h.pl);
    cr_assert_arr_eq(finished_log()->bytes[0], "abcdEF\n", 7);
    cr_assert_eq(harness_stats(&h)->tcp_overlap_mismatches, 1);
}

Test(dispatch, retransmission_with_other_bytes_on_a_decoded_flow_is_reported)
{
    harness_start(&h);
    seg(SEC, true, RECORDER_TCP_PORT, 0, S, NULL, 0);
    seg(SEC + 1, true, RECORDER_TCP_PORT, 1, A, "set 1\n", 6);
    seg(SEC + 2, true, RECORDER_TCP_PORT, 1, A, "set 7\n", 6);
    cr_assert_eq(h.n_events, 2);
    cr_assert_str_eq(h.events[1].protocol, "tcp");
    cr_assert_str_eq(h.events[1].anomaly, "overlap_mismatch");
    cr_assert_eq(h.events[1].ev.time_us, SEC + 2);
    pipeline_finish(h.pl);
    cr_assert_arr_eq(finished_log()->bytes[0], "set 1\n", 6);
}

Test(dispatch, shared_state_is_made_once_per_pipeline_and_given_to_every_parse)
{
    harness_start(&h);
    cr_assert_eq(recorder_shared_created, 1);
    seg(SEC, true, RECORDER_TCP_PORT, 1, A, "a\n", 2);
    struct frame_spec s = { .ip_version = 4, .proto = 17, .src = "10.0.0.1", .dst = "10.0.0.2", .sport = 3333,
                            .dport = RECORDER_UDP_PORT, .payload = "!u", .len = 2 };
    harness_frame(&h, SEC + 1, &s);
    pipeline_finish(h.pl);
    cr_assert_eq(recorder_n_finished, 2);
    cr_assert_eq(recorder_parses_without_shared, 0);
    cr_assert_eq(recorder_shared_created, 1);
    harness_stop(&h);
    cr_assert_eq(recorder_shared_freed, 1);
}

Test(dispatch, events_carry_their_packet_time_even_when_time_goes_back)
{
    harness_start(&h);
    seg(10 * SEC, true, RECORDER_TCP_PORT, 1, A, "a\n", 2);
    seg(5 * SEC, true, RECORDER_TCP_PORT, 3, A, "b\n", 2); /* a second file that starts earlier */
    cr_assert_eq(h.n_events, 2);
    cr_assert_eq(h.events[0].ev.time_us, 10 * SEC);
    cr_assert_eq(h.events[1].ev.time_us, 5 * SEC);
}

static enum mamori_probe second_probe(const uint8_t *data, size_t len, enum mamori_direction dir)
{
    (void)dir;
    size_t n = len < 3 ? len : 3;
    if (memcmp(data, "TWO", n) != 0)
        return MAMORI_PROBE_NO;
    return len < 3 ? MAMORI_PROBE_MORE : MAMORI_PROBE_YES;
}

Test(dispatch, decoders_sharing_a_port_are_told_apart_by_probes)
{
    static struct mamori_decoder second;
    second = recorder_decoder;
    second.name = "second";
    second.probe = second_probe;
    h.reg.decoders[1] = &second;
    h.reg.count = 2;
    harness_start(&h);
    struct frame_spec s = { .ip_version = 4, .proto = 6, .src = "10.1.1.1", .dst = "10.1.1.2", .sport = 45001,
                            .dport = RECORDER_TCP_PORT, .seq = 1, .flags = A };
    const char *firsts[] = { "TWO\n", "REC\n", "xyz\n" };
    for (int i = 0; i < 3; i++) {
        s.sport = (uint16_t)(45001 + i);
        s.payload = firsts[i];
        s.len = 4;
        harness_frame(&h, SEC, &s);
    }
    pipeline_finish(h.pl);
    cr_assert_eq(h.n_flows, 3);
    for (size_t i = 0; i < 3; i++) {
        const struct recorded_flow *f = &h.flows[i];
        /* "TWO" is the second's; "REC" the recorder's; nothing matches "xyz": the first listed owner */
        const char *expect = f->rec.where.src_port == 45001 ? "second" : "recorder";
        cr_assert_str_eq(f->decoder, expect, "flow from port %u", f->rec.where.src_port);
    }
    cr_assert_eq(recorder_n_finished, 3);
    for (size_t i = 0; i < 3; i++)
        cr_assert_eq(recorder_finished[i].len[0], 4, "replayed probe bytes reach the decoder");
}

Test(dispatch, snap_length_cut_segment_is_a_gap_at_once)
{
    harness_start(&h);
    static uint8_t frame[FRAME_MAX];
    struct frame_spec s = { .ip_version = 4, .proto = 6, .src = "10.1.1.1", .dst = "10.1.1.2", .sport = 45000,
                            .dport = RECORDER_TCP_PORT, .seq = 1, .flags = A, .payload = "aaaaaaaaa\n", .len = 10 };
    size_t n = frame_build(frame, &s);
    pipeline_packet(h.pl, LINKTYPE_ETHERNET, SEC, frame, (uint32_t)(n - 6), (uint32_t)n); /* 6 bytes not kept */
    s.seq = 11;
    s.payload = "next\n";
    s.len = 5;
    harness_frame(&h, SEC + 1, &s);
    /* "next\n" is delivered at once, after a gap, not held behind a hole */
    cr_assert_eq(h.n_events, 1);
    cr_assert_eq(h.events[0].ev.time_us, SEC + 1);
    const struct pipeline_stats *st = harness_stats(&h);
    cr_assert_eq(st->snaplen_cut, 1);
    cr_assert_eq(st->tcp_gap_bytes, 6);
    cr_assert_eq(st->tcp_held_bytes_high_water, 0);
    pipeline_finish(h.pl);
    const struct recorder_log *log = finished_log();
    cr_assert_eq(log->gaps[0], 1);
    cr_assert_eq(log->gap_at[0][0], 0); /* the 4 captured bytes waited for a newline, then were dropped */
    cr_assert_eq(log->len[0], 5);
    cr_assert_arr_eq(log->bytes[0], "next\n", 5);
}
