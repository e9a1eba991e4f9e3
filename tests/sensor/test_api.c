/* test_api.c — the pipeline's seams used by the program: packet_flow_hash
 * (both directions and every fragment to one worker), pipeline_stats_add
 * (merging workers), pipeline_stats_json (exact rendering), and bad frames
 * counted by kind without creating flows. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "frame_builder.h"
#include "harness.h"
#include "sensor/packet.h"

static struct frame_spec spec(int version, const char *a, const char *b, uint16_t pa, uint16_t pb)
{
    return (struct frame_spec){ .ip_version = version, .src = a, .dst = b, .proto = 6, .sport = pa, .dport = pb,
                                .seq = 1, .flags = 0x10, .payload = "x", .len = 1 };
}

static uint32_t hash_of(const struct frame_spec *s)
{
    static uint8_t f[FRAME_MAX];
    size_t n = frame_build(f, s);
    return packet_flow_hash(LINKTYPE_ETHERNET, f, (uint32_t)n);
}

Test(api, flow_hash_is_symmetric)
{
    struct frame_spec ab = spec(4, "10.0.0.1", "10.0.0.2", 1234, 502), ba = spec(4, "10.0.0.2", "10.0.0.1", 502, 1234);
    cr_assert_eq(hash_of(&ab), hash_of(&ba));
    struct frame_spec ab6 = spec(6, "2001:db8::1", "2001:db8::2", 1, 2), ba6 = spec(6, "2001:db8::2", "2001:db8::1", 2, 1);
    cr_assert_eq(hash_of(&ab6), hash_of(&ba6));
    struct frame_spec other = spec(4, "10.0.0.1", "10.0.0.3", 1234, 502);
    cr_assert_neq(hash_of(&ab), hash_of(&other));
    /* a non-first fragment (no ports) goes where its flow goes */
    struct frame_spec frag = ab;
    frag.frag_offset = 1480;
    cr_assert_eq(hash_of(&frag), hash_of(&ab));
    /* raw IP link type gives the same hash as Ethernet */
    uint8_t f[FRAME_MAX];
    size_t n = frame_build_ip(f, &ab);
    cr_assert_eq(packet_flow_hash(LINKTYPE_RAW, f, (uint32_t)n), hash_of(&ab));
    cr_assert_eq(packet_flow_hash(LINKTYPE_ETHERNET, f, 5), 0);
}

Test(api, bad_frames_are_counted_not_fatal)
{
    struct harness h;
    harness_config(&h);
    harness_start(&h);
    uint8_t f[FRAME_MAX];
    struct frame_spec s = spec(4, "10.0.0.1", "10.0.0.2", 1234, 502);
    size_t n = frame_build(f, &s);
    pipeline_packet(h.pl, LINKTYPE_ETHERNET, 1, f, 20, (uint32_t)n);          /* cut in the IP header */
    pipeline_packet(h.pl, LINKTYPE_ETHERNET, 2, f, 14 + 20 + 10, (uint32_t)n); /* cut in the TCP header */
    f[14] = 0x41;                                                               /* IHL 1 */
    pipeline_packet(h.pl, LINKTYPE_ETHERNET, 3, f, (uint32_t)n, (uint32_t)n);
    pipeline_packet(h.pl, 147, 4, f, (uint32_t)n, (uint32_t)n);                 /* a link type we do not know */
    pipeline_packet(h.pl, LINKTYPE_ETHERNET, 5, f, 0, 0);
    const struct pipeline_stats *st = harness_stats(&h);
    cr_assert_eq(st->packets, 5);
    cr_assert_eq(st->truncated, 3);
    cr_assert_eq(st->malformed, 1);
    cr_assert_eq(st->unsupported, 1);
    cr_assert_eq(st->flows_created, 0);
    harness_stop(&h);
}

Test(api, stats_add_merges_workers)
{
    static struct pipeline_stats a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.packets = 10;
    b.packets = 5;
    a.tcp_held_bytes_high_water = 300;
    b.tcp_held_bytes_high_water = 700;
    pipeline_stats_count_event(&a, "modbus");
    pipeline_stats_count_event(&b, "modbus");
    pipeline_stats_count_event(&b, "dnp3");
    pipeline_stats_count_anomaly(&a, "modbus", "invalid_length");
    pipeline_stats_count_anomaly(&b, "modbus", "invalid_length");
    pipeline_stats_count_anomaly(&b, "tcp", "overlap_mismatch");
    pipeline_stats_add(&a, &b);
    cr_assert_eq(a.packets, 15);
    cr_assert_eq(a.events, 3);
    cr_assert_eq(a.tcp_held_bytes_high_water, 700);
    cr_assert_eq(a.n_protocols, 2);
    cr_assert_str_eq(a.protocols[0].protocol, "modbus");
    cr_assert_eq(a.protocols[0].events, 2);
    cr_assert_str_eq(a.protocols[1].protocol, "dnp3");
    cr_assert_eq(a.protocols[1].events, 1);
    cr_assert_eq(a.n_anomalies, 2);
    cr_assert_eq(a.anomalies[0].count, 2);
    cr_assert_str_eq(a.anomalies[1].protocol, "tcp");
}

Test(api, events_of_interleaved_protocols_are_counted_apart)
{
    static struct pipeline_stats st;
    memset(&st, 0, sizeof st);
    static const char modbus[] = "modbus", dnp3[] = "dnp3";
    const char *order[] = { modbus, dnp3, dnp3, modbus, modbus, NULL, dnp3, modbus };
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        pipeline_stats_count_event(&st, order[i]);
    cr_assert_eq(st.events, 8);
    cr_assert_eq(st.n_protocols, 3);
    cr_assert_eq(st.protocols[0].events, 4, "modbus");
    cr_assert_eq(st.protocols[1].events, 3, "dnp3");
    cr_assert_str_eq(st.protocols[2].protocol, "unknown");
    cr_assert_eq(st.protocols[2].events, 1);
}

Test(api, stats_json_renders_every_counter)
{
    static struct pipeline_stats st;
    memset(&st, 0, sizeof st);
    st.packets = 42;
    st.flows_evicted = 3;
    pipeline_stats_count_event(&st, "modbus");
    pipeline_stats_count_anomaly(&st, "modbus", "invalid_length");
    pipeline_stats_count_anomaly(&st, "tcp", "overlap_mismatch");
    pipeline_stats_count_anomaly(&st, "modbus", "unanswered_request");
    struct json_writer w;
    json_writer_init(&w, 8192);
    jw_object_begin(&w, NULL);
    pipeline_stats_json(&w, &st);
    jw_object_end(&w);
    cr_assert(json_writer_ok(&w));
    char *text = strndup(w.buf, w.len);
    cr_assert(strncmp(text, "{\"packets\":42,\"bytes\":0,", 24) == 0, "%s", text);
    cr_assert(strstr(text, "\"flows_evicted\":3,"));
    cr_assert(strstr(text, "\"events\":1,"));
    cr_assert(strstr(text, "\"events_by_protocol\":{\"modbus\":1}"));
    cr_assert(strstr(text, "\"anomalies\":{\"modbus\":{\"invalid_length\":1,\"unanswered_request\":1},"
                           "\"tcp\":{\"overlap_mismatch\":1}}"), "%s", text);
    cr_assert(strstr(text, "\"memory_high_water\":0"));
    free(text);
    json_writer_free(&w);
}
