/* test_flow.c — the flow table through the pipeline: TCP state and Zeek
 * conn_state, idle timeouts (a slow poller stays alive), LRU eviction,
 * mid-stream pick-up and client choice, flow ids across workers, layer-2
 * flows, and port reuse. */
#include <criterion/criterion.h>
#include <string.h>

#include "frame_builder.h"
#include "harness.h"
#include "sensor/packet.h"

#define SEC 1000000ull
#define CLIENT "192.168.1.10"
#define SERVER "192.168.1.20"
#define CPORT 50123

static struct harness h;

static void setup(void) { harness_config(&h); }
static void teardown(void)
{
    if (h.pl)
        harness_stop(&h);
}

TestSuite(flow, .init = setup, .fini = teardown);

/* A TCP packet of the test connection; to_server picks the direction. */
static void tcp(uint64_t t, bool to_server, uint32_t seq, uint32_t ack, uint8_t flags, const char *payload)
{
    struct frame_spec s = { .ip_version = 4, .proto = 6, .seq = seq, .ack = ack, .flags = flags,
                            .payload = payload, .len = payload ? strlen(payload) : 0 };
    s.src = to_server ? CLIENT : SERVER;
    s.dst = to_server ? SERVER : CLIENT;
    s.sport = to_server ? CPORT : RECORDER_TCP_PORT;
    s.dport = to_server ? RECORDER_TCP_PORT : CPORT;
    harness_frame(&h, t, &s);
}

static void udp(uint64_t t, const char *src, uint16_t sport, const char *dst, uint16_t dport, const char *payload)
{
    struct frame_spec s = { .ip_version = 4, .proto = 17, .src = src, .dst = dst, .sport = sport, .dport = dport,
                            .payload = payload, .len = strlen(payload) };
    harness_frame(&h, t, &s);
}

enum { S = PACKET_TCP_SYN, A = PACKET_TCP_ACK, F = PACKET_TCP_FIN, R = PACKET_TCP_RST, P = PACKET_TCP_PSH };

static void handshake(uint64_t t)
{
    tcp(t, true, 100, 0, S, NULL);
    tcp(t + 1, false, 500, 101, S | A, NULL);
    tcp(t + 2, true, 101, 501, A, NULL);
}

static const struct recorded_flow *only_flow(void)
{
    cr_assert_eq(h.n_flows, 1, "expected one flow record, got %zu", h.n_flows);
    return &h.flows[0];
}

Test(flow, full_connection_is_SF_and_closed_after_the_close_delay)
{
    harness_start(&h);
    handshake(1 * SEC);
    tcp(2 * SEC, true, 101, 501, P | A, "read 1\n");
    tcp(2 * SEC + 10, false, 501, 108, P | A, "value 42\n");
    tcp(3 * SEC, true, 108, 510, F | A, NULL);
    tcp(3 * SEC + 1, false, 510, 109, F | A, NULL);
    tcp(3 * SEC + 2, true, 109, 511, A, NULL);
    cr_assert_eq(h.n_flows, 0);
    pipeline_tick(h.pl, 3 * SEC + 2 + h.cfg.tcp_closed_timeout_us - 1);
    cr_assert_eq(h.n_flows, 0);
    pipeline_tick(h.pl, 3 * SEC + 2 + h.cfg.tcp_closed_timeout_us);
    const struct recorded_flow *f = only_flow();
    cr_assert_str_eq(f->state, "SF");
    cr_assert_str_eq(f->reason, "closed");
    cr_assert_str_eq(f->decoder, "recorder");
    cr_assert_str_eq(f->app, "recorder");
    cr_assert_eq(f->rec.id, 1);
    cr_assert_eq(f->rec.packets[0], 5);
    cr_assert_eq(f->rec.packets[1], 3);
    cr_assert_eq(f->rec.first_us, 1 * SEC);
    cr_assert_eq(f->rec.last_us, 3 * SEC + 2);
    cr_assert_not(f->rec.midstream);
    cr_assert_eq(f->rec.where.src_port, CPORT);
    cr_assert_eq(f->rec.where.dst_port, RECORDER_TCP_PORT);
    cr_assert_eq(f->rec.where.src_ip[3], 10);
    cr_assert_eq(f->rec.where.l4_proto, 6);
    cr_assert_eq(f->rec.gaps, 0);
    const struct pipeline_stats *st = harness_stats(&h);
    cr_assert_eq(st->flows_created, 1);
    cr_assert_eq(st->flows_ended, 1);
    cr_assert_eq(st->flows_active, 0);
    cr_assert_eq(st->flows_timed_out, 0);

    /* events: request from the client, response from the server, then finish */
    cr_assert_eq(h.n_events, 3);
    const struct mamori_event *req = &h.events[0].ev, *resp = &h.events[1].ev;
    cr_assert_eq(req->function_code, 7);
    cr_assert_eq(req->where.src_port, CPORT);
    cr_assert_eq(req->where.dst_port, RECORDER_TCP_PORT);
    cr_assert_eq(req->where.flow_id, 1);
    cr_assert_eq(req->time_us, 2 * SEC);
    cr_assert_arr_eq(req->where.src_mac, frame_src_mac, 6);
    cr_assert_eq(resp->function_code, 9);
    cr_assert_eq(resp->where.src_port, RECORDER_TCP_PORT);
    cr_assert_eq(resp->where.dst_ip[3], 10);
    cr_assert_eq(resp->time_us, 2 * SEC + 10);
    cr_assert_str_eq(h.events[2].anomaly, "finished");
}

struct state_case {
    const char *expect;
    void (*run)(void);
};

static void only_syn(void) { tcp(SEC, true, 100, 0, S, NULL); }
static void rejected(void)
{
    tcp(SEC, true, 100, 0, S, NULL);
    tcp(SEC + 1, false, 0, 101, R | A, NULL);
}
static void established(void) { handshake(SEC); tcp(SEC + 5, true, 101, 501, P | A, "x\n"); }
static void orig_reset(void) { handshake(SEC); tcp(SEC + 5, true, 101, 501, R | A, NULL); }
static void resp_reset(void) { handshake(SEC); tcp(SEC + 5, false, 501, 101, R | A, NULL); }
static void syn_then_fin(void) { tcp(SEC, true, 100, 0, S, NULL); tcp(SEC + 1, true, 101, 0, F, NULL); }
static void syn_then_rst(void) { tcp(SEC, true, 100, 0, S, NULL); tcp(SEC + 1, true, 101, 0, R, NULL); }
static void orig_close_only(void) { handshake(SEC); tcp(SEC + 5, true, 101, 501, F | A, NULL); }
static void resp_close_only(void) { handshake(SEC); tcp(SEC + 5, false, 501, 101, F | A, NULL); }
static void midstream_data(void)
{
    tcp(SEC, true, 7000, 9000, P | A, "a\n");
    tcp(SEC + 1, false, 9000, 7002, P | A, "b\n");
}
static void midstream_closed(void)
{
    midstream_data();
    tcp(SEC + 2, true, 7002, 9002, F | A, NULL);
    tcp(SEC + 3, false, 9002, 7003, F | A, NULL);
}

Test(flow, zeek_conn_states)
{
    const struct state_case cases[] = {
        { "S0", only_syn },         { "REJ", rejected },        { "S1", established },
        { "RSTO", orig_reset },     { "RSTR", resp_reset },     { "SH", syn_then_fin },
        { "RSTOS0", syn_then_rst }, { "S2", orig_close_only },  { "S3", resp_close_only },
        { "OTH", midstream_data },  { "SF", midstream_closed },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        harness_config(&h);
        harness_start(&h);
        cases[i].run();
        pipeline_finish(h.pl);
        cr_assert_eq(h.n_flows, 1, "case %s", cases[i].expect);
        cr_assert_str_eq(h.flows[0].state, cases[i].expect, "case %s gave %s", cases[i].expect, h.flows[0].state);
        harness_stop(&h);
    }
}

Test(flow, midstream_pickup_chooses_the_client)
{
    harness_start(&h);
    /* the server speaks first: the side on the decoder's port is the server */
    tcp(SEC, false, 9000, 7000, P | A, "resp\n");
    tcp(SEC + 1, true, 7000, 9005, P | A, "req\n");
    pipeline_finish(h.pl);
    const struct recorded_flow *f = only_flow();
    cr_assert(f->rec.midstream);
    cr_assert_eq(f->rec.where.src_port, CPORT);
    cr_assert_eq(f->rec.where.dst_port, RECORDER_TCP_PORT);
    cr_assert_eq(f->rec.packets[0], 1);
    cr_assert_eq(f->rec.packets[1], 1);
    cr_assert_eq(harness_stats(&h)->midstream_pickups, 1);
    cr_assert_eq(recorder_n_finished, 1);
    cr_assert_eq(recorder_finished[0].len[1], 5);
    cr_assert_arr_eq(recorder_finished[0].bytes[1], "resp\n", 5);
    cr_assert_arr_eq(recorder_finished[0].bytes[0], "req\n", 4);
}

Test(flow, midstream_client_by_privileged_then_ephemeral_port)
{
    harness_start(&h);
    struct frame_spec s = { .ip_version = 4, .proto = 6, .src = SERVER, .dst = CLIENT, .sport = 80,
                            .dport = 2000, .seq = 1, .flags = A, .payload = "x", .len = 1 };
    harness_frame(&h, SEC, &s); /* from port 80: its peer is the client */
    s.sport = 9999;
    s.dport = 50000;
    harness_frame(&h, SEC, &s); /* to an ephemeral port: that side is the client */
    s.sport = 6000;
    s.dport = 7000;
    harness_frame(&h, SEC, &s); /* nothing to go by: the first sender is the client */
    pipeline_finish(h.pl);
    cr_assert_eq(h.n_flows, 3);
    for (size_t i = 0; i < 3; i++) {
        const struct flow_record *r = &h.flows[i].rec;
        if (r->id == 1) {
            cr_assert_eq(r->where.src_port, 2000);
            cr_assert_eq(r->where.dst_port, 80);
        } else if (r->id == 2) {
            cr_assert_eq(r->where.src_port, 50000);
        } else {
            cr_assert_eq(r->where.src_port, 6000);
        }
    }
}

Test(flow, syn_ack_first_makes_its_receiver_the_client)
{
    harness_start(&h);
    tcp(SEC, false, 500, 101, S | A, NULL);
    pipeline_finish(h.pl);
    cr_assert_eq(only_flow()->rec.where.src_port, CPORT);
    cr_assert_not(only_flow()->rec.midstream);
}

Test(flow, udp_idle_timeout)
{
    harness_start(&h);
    udp(10 * SEC, CLIENT, 1111, SERVER, RECORDER_UDP_PORT, "!ping");
    udp(11 * SEC, SERVER, RECORDER_UDP_PORT, CLIENT, 1111, "!pong");
    pipeline_tick(h.pl, 11 * SEC + h.cfg.udp_idle_timeout_us - 1);
    cr_assert_eq(h.n_flows, 0);
    pipeline_tick(h.pl, 11 * SEC + h.cfg.udp_idle_timeout_us);
    const struct recorded_flow *f = only_flow();
    cr_assert_str_eq(f->reason, "idle");
    cr_assert_str_eq(f->state, "SF");
    cr_assert_eq(f->rec.where.src_port, 1111);
    cr_assert_eq(harness_stats(&h)->flows_timed_out, 1);
}

Test(flow, slow_poller_stays_alive_while_packets_come)
{
    h.cfg.tcp_idle_timeout_us = 600 * SEC;
    harness_start(&h);
    handshake(SEC);
    uint32_t seq = 101;
    /* one poll every 9 minutes for 20 hours */
    for (uint64_t t = 1; t <= 20 * 60 / 9; t++) {
        tcp(t * 540 * SEC, true, seq, 501, P | A, "p\n");
        seq += 2;
        pipeline_tick(h.pl, t * 540 * SEC + 539 * SEC);
    }
    cr_assert_eq(h.n_flows, 0);
    pipeline_tick(h.pl, (20 * 60 / 9) * 540 * SEC + 600 * SEC);
    cr_assert_str_eq(only_flow()->reason, "idle");
    cr_assert_eq(only_flow()->rec.packets[0], 2 + 20 * 60 / 9);
}

Test(flow, lru_eviction_when_full)
{
    h.cfg.max_flows = 3;
    harness_start(&h);
    udp(1 * SEC, "10.0.0.1", 1001, SERVER, 9, "a");
    udp(2 * SEC, "10.0.0.2", 1002, SERVER, 9, "b");
    udp(3 * SEC, "10.0.0.3", 1003, SERVER, 9, "c");
    udp(4 * SEC, "10.0.0.1", 1001, SERVER, 9, "a"); /* flow 1 becomes recent */
    udp(5 * SEC, "10.0.0.4", 1004, SERVER, 9, "d"); /* evicts flow 2 */
    cr_assert_eq(h.n_flows, 1);
    cr_assert_eq(h.flows[0].rec.id, 2);
    cr_assert_str_eq(h.flows[0].reason, "evicted");
    const struct pipeline_stats *st = harness_stats(&h);
    cr_assert_eq(st->flows_evicted, 1);
    cr_assert_eq(st->flows_active, 3);
    cr_assert_eq(st->flows_created, 4);
    pipeline_finish(h.pl);
    cr_assert_eq(h.n_flows, 4);
    for (size_t i = 1; i < 4; i++)
        cr_assert_str_eq(h.flows[i].reason, "end_of_capture");
}

Test(flow, ids_are_unique_across_workers)
{
    h.cfg.worker_index = 1;
    h.cfg.worker_count = 4;
    harness_start(&h);
    udp(1, "10.0.0.1", 1, SERVER, 9, "a");
    udp(2, "10.0.0.2", 1, SERVER, 9, "a");
    udp(3, "10.0.0.3", 1, SERVER, 9, "a");
    pipeline_finish(h.pl);
    cr_assert_eq(h.n_flows, 3);
    uint64_t seen = 0;
    for (size_t i = 0; i < 3; i++)
        seen |= 1ull << h.flows[i].rec.id;
    cr_assert_eq(seen, (1ull << 5) | (1ull << 9) | (1ull << 13));
}

Test(flow, port_reuse_after_close_starts_a_new_flow)
{
    harness_start(&h);
    handshake(SEC);
    tcp(2 * SEC, true, 101, 501, F | A, NULL);
    tcp(2 * SEC + 1, false, 501, 102, F | A, NULL);
    tcp(3 * SEC, true, 9000, 0, S, NULL);
    cr_assert_eq(h.n_flows, 1);
    cr_assert_str_eq(h.flows[0].state, "SF");
    pipeline_finish(h.pl);
    cr_assert_eq(h.n_flows, 2);
    cr_assert_eq(h.flows[1].rec.id, 2);
    cr_assert_str_eq(h.flows[1].state, "S0");
}

Test(flow, layer2_flows_by_source_mac_and_appid)
{
    harness_start(&h);
    const uint8_t mac_a[6] = { 0x01, 0x0c, 0xcd, 0, 0, 1 }, mac_b[6] = { 0x01, 0x0c, 0xcd, 0, 0, 2 };
    /* APPIDs 0x2101 and 0x2102; the leading '!' makes the recorder take the frame */
    const uint8_t pdu1[] = { '!', 0x01, 0x00, 0x08, 0, 0, 0, 0 };
    const uint8_t pdu2[] = { '!', 0x02, 0x00, 0x08, 0, 0, 0, 0 };
    const uint16_t vlan = 7;
    uint8_t f[128];
    size_t n;
    n = frame_build_l2(f, mac_a, RECORDER_ETHERTYPE, 1, &vlan, pdu1, sizeof pdu1);
    pipeline_packet(h.pl, LINKTYPE_ETHERNET, SEC, f, (uint32_t)n, (uint32_t)n);
    pipeline_packet(h.pl, LINKTYPE_ETHERNET, SEC + 1, f, (uint32_t)n, (uint32_t)n);
    n = frame_build_l2(f, mac_a, RECORDER_ETHERTYPE, 1, &vlan, pdu2, sizeof pdu2);
    pipeline_packet(h.pl, LINKTYPE_ETHERNET, SEC + 2, f, (uint32_t)n, (uint32_t)n);
    n = frame_build_l2(f, mac_b, RECORDER_ETHERTYPE, 0, NULL, pdu1, sizeof pdu1);
    pipeline_packet(h.pl, LINKTYPE_ETHERNET, SEC + 3, f, (uint32_t)n, (uint32_t)n);
    n = frame_build_l2(f, mac_b, 0x0806, 0, NULL, pdu1, sizeof pdu1); /* ARP: no flow */
    pipeline_packet(h.pl, LINKTYPE_ETHERNET, SEC + 4, f, (uint32_t)n, (uint32_t)n);
    pipeline_finish(h.pl);
    cr_assert_eq(h.n_flows, 3);
    cr_assert_eq(h.flows[0].rec.packets[0], 2);
    cr_assert_eq(h.flows[0].rec.where.ethertype, RECORDER_ETHERTYPE);
    cr_assert_eq(h.flows[0].rec.where.vlan, 7);
    cr_assert_eq(h.flows[0].rec.where.ip_version, 0);
    cr_assert_arr_eq(h.flows[0].rec.where.src_mac, mac_a, 6);
    cr_assert_str_eq(h.flows[0].decoder, "recorder");
    cr_assert_eq(harness_stats(&h)->l2_frames, 5);
    /* the decoder gets exactly the bytes after the ethertype, one parse per frame */
    cr_assert_eq(recorder_n_finished, 3);
    const struct recorder_log *first = &recorder_finished[0];
    cr_assert_eq(first->parses[0], 2);
    cr_assert_eq(first->len[0], 2 * sizeof pdu1);
    cr_assert_arr_eq(first->bytes[0], pdu1, sizeof pdu1);
    cr_assert_arr_eq(first->bytes[0] + sizeof pdu1, pdu1, sizeof pdu1);
    cr_assert_eq(recorder_finished[1].parses[0], 1);
    cr_assert_arr_eq(recorder_finished[1].bytes[0], pdu2, sizeof pdu2);
    cr_assert_eq(h.flows[0].rec.id, 1);
    cr_assert_eq(h.flows[1].rec.id, 2);
    cr_assert(h.flows[0].rec.has_appid);
    cr_assert_eq(h.flows[0].rec.appid, 0x2101);
    cr_assert_eq(h.flows[1].rec.appid, 0x2102);
}

Test(flow, layer2_publishers_of_one_appid_go_to_one_worker)
{
    const uint8_t mac_a[6] = { 0x01, 0x0c, 0xcd, 0, 0, 1 }, mac_b[6] = { 0x01, 0x0c, 0xcd, 0, 0, 2 };
    const uint8_t appid1[] = { 0x10, 0x01, 0x00, 0x08, 0, 0, 0, 0 }, appid2[] = { 0x10, 0x02, 0x00, 0x08, 0, 0, 0, 0 };
    uint8_t f[3][128];
    size_t a1 = frame_build_l2(f[0], mac_a, RECORDER_ETHERTYPE, 0, NULL, appid1, sizeof appid1);
    size_t b1 = frame_build_l2(f[1], mac_b, RECORDER_ETHERTYPE, 0, NULL, appid1, sizeof appid1);
    size_t a2 = frame_build_l2(f[2], mac_a, RECORDER_ETHERTYPE, 0, NULL, appid2, sizeof appid2);
    uint32_t h_a1 = packet_flow_hash(LINKTYPE_ETHERNET, f[0], (uint32_t)a1);
    cr_assert_eq(packet_flow_hash(LINKTYPE_ETHERNET, f[1], (uint32_t)b1), h_a1,
                 "a second source of one APPID must meet the first one's shared decoder state");
    cr_assert_neq(packet_flow_hash(LINKTYPE_ETHERNET, f[2], (uint32_t)a2), h_a1);
}

static void udp_on_vlan(uint64_t t, uint16_t vlan, const char *payload)
{
    struct frame_spec s = { .ip_version = 4, .proto = 17, .src = CLIENT, .dst = SERVER, .sport = 5000,
                            .dport = 6000, .payload = payload, .len = strlen(payload), .n_vlans = 1,
                            .vlans = { vlan } };
    harness_frame(&h, t, &s);
}

Test(flow, same_addresses_on_two_vlans_are_two_flows)
{
    harness_start(&h);
    udp_on_vlan(SEC, 10, "a");
    udp_on_vlan(SEC + 1, 20, "b");
    udp_on_vlan(SEC + 2, 10, "c");
    pipeline_finish(h.pl);
    cr_assert_eq(h.n_flows, 2);
    const struct recorded_flow *on10 = h.flows[0].rec.where.vlan == 10 ? &h.flows[0] : &h.flows[1];
    const struct recorded_flow *on20 = on10 == &h.flows[0] ? &h.flows[1] : &h.flows[0];
    cr_assert_eq(on10->rec.where.vlan, 10);
    cr_assert_eq(on10->rec.packets[0], 2);
    cr_assert_eq(on20->rec.where.vlan, 20);
    cr_assert_eq(on20->rec.packets[0], 1);
}

Test(flow, vlan_left_out_of_the_key_when_configured)
{
    h.cfg.vlan_in_key = false;
    harness_start(&h);
    udp_on_vlan(SEC, 10, "a");
    udp_on_vlan(SEC + 1, 20, "b");
    pipeline_finish(h.pl);
    cr_assert_eq(only_flow()->rec.packets[0], 2);
    cr_assert_eq(only_flow()->rec.where.vlan, 10, "the flow keeps the first packet's tag");
}

static void icmp(uint64_t t, bool from_client, uint8_t type)
{
    struct frame_spec s = { .ip_version = 4, .proto = 1, .src = from_client ? CLIENT : SERVER,
                            .dst = from_client ? SERVER : CLIENT, .sport = type, .dport = 0,
                            .payload = "ping", .len = 4 };
    harness_frame(&h, t, &s);
}

Test(flow, icmp_echo_is_one_flow_with_type_and_code)
{
    harness_start(&h);
    icmp(SEC, true, 8);
    icmp(SEC + 100, false, 0);
    icmp(2 * SEC, true, 8);
    icmp(2 * SEC + 100, false, 0);
    pipeline_tick(h.pl, 2 * SEC + 100 + h.cfg.udp_idle_timeout_us);
    const struct recorded_flow *f = only_flow();
    cr_assert_eq(f->rec.where.l4_proto, 1);
    cr_assert_eq(f->rec.where.src_port, 8, "type of the first message");
    cr_assert_eq(f->rec.where.dst_port, 0, "its code");
    cr_assert_eq(f->rec.packets[0], 2);
    cr_assert_eq(f->rec.packets[1], 2);
    cr_assert_str_eq(f->reason, "idle");
    cr_assert_eq(f->rec.decoder, NULL);
    cr_assert_eq(harness_stats(&h)->flows_created, 1);
}

Test(flow, decoders_tick_as_capture_time_passes)
{
    recorder_tick_emits = true;
    harness_start(&h);
    udp(SEC, CLIENT, 5000, SERVER, 6000, "a");         /* first packet: tick */
    udp(SEC + 5000, CLIENT, 5000, SERVER, 6000, "b");  /* within MAMORI_TICK_US: none */
    udp(SEC + 25000, CLIENT, 5000, SERVER, 6000, "c"); /* due */
    pipeline_tick(h.pl, SEC + 26000);                  /* forced (idle live interface) */
    cr_assert_eq(recorder_n_ticks, 3);
    cr_assert_eq(recorder_tick_times[0], SEC);
    cr_assert_eq(recorder_tick_times[1], SEC + 25000);
    cr_assert_eq(recorder_tick_times[2], SEC + 26000);
    cr_assert_eq(recorder_parses_without_shared, 0, "tick gets the worker's shared state");
    cr_assert_eq(h.n_events, 3);
    cr_assert_str_eq(h.events[2].anomaly, "tick");
    cr_assert_eq(h.events[2].ev.time_us, SEC + 26000);
    cr_assert_eq(h.events[2].ev.where.flow_id, RECORDER_TICK_FLOW_ID, "the core leaves where as the decoder set it");
    cr_assert_eq(h.output_ticks, 1, "engines hear time pass from pipeline_tick only");
    cr_assert_eq(h.last_output_tick_us, SEC + 26000);
    pipeline_finish(h.pl);
    cr_assert_eq(recorder_n_ticks, 4, "a last tick at the end of the capture");
}

Test(flow, evicted_tcp_flow_flushes_held_bytes_to_its_decoder)
{
    h.cfg.max_flows = 1;
    harness_start(&h);
    tcp(SEC, true, 100, 0, S, NULL);
    tcp(SEC + 1, true, 101, 0, A, "one\n");
    tcp(SEC + 2, true, 110, 0, A, "three\n"); /* bytes 105..109 missing: held */
    cr_assert_eq(harness_stats(&h)->tcp_held_bytes, 6);
    udp(2 * SEC, "10.0.0.9", 1, SERVER, 9, "x"); /* needs the only slot */
    cr_assert_eq(h.n_flows, 1);
    cr_assert_str_eq(h.flows[0].reason, "evicted");
    cr_assert_eq(h.flows[0].rec.gaps, 5);
    cr_assert_eq(harness_stats(&h)->tcp_held_bytes, 0);
    cr_assert_eq(recorder_n_finished, 1);
    const struct recorder_log *log = &recorder_finished[0];
    cr_assert_eq(log->len[0], 10);
    cr_assert_arr_eq(log->bytes[0], "one\nthree\n", 10);
    cr_assert_eq(log->gaps[0], 1);
    cr_assert_eq(log->gap_at[0][0], 4);
}

Test(flow, layer2_idle_timeout)
{
    harness_start(&h);
    const uint8_t pdu[] = { '!', 1, 0, 8, 0, 0, 0, 0 };
    uint8_t f[64];
    size_t n = frame_build_l2(f, frame_src_mac, RECORDER_ETHERTYPE, 0, NULL, pdu, sizeof pdu);
    pipeline_packet(h.pl, LINKTYPE_ETHERNET, SEC, f, (uint32_t)n, (uint32_t)n);
    pipeline_tick(h.pl, SEC + h.cfg.l2_idle_timeout_us - 1);
    cr_assert_eq(h.n_flows, 0);
    pipeline_tick(h.pl, SEC + h.cfg.l2_idle_timeout_us);
    cr_assert_eq(h.n_flows, 1);
    cr_assert_str_eq(h.flows[0].reason, "idle");
    cr_assert_str_eq(h.flows[0].state, "S0");
}

Test(flow, qinq_flow_and_its_events_carry_the_outer_vlan)
{
    harness_start(&h);
    struct frame_spec s = { .ip_version = 4, .proto = 6, .src = CLIENT, .dst = SERVER, .sport = CPORT,
                            .dport = RECORDER_TCP_PORT, .seq = 1, .flags = A, .payload = "q\n", .len = 2,
                            .n_vlans = 2, .vlans = { 300, 12 }, .vlan_tpid = 0x88A8 };
    harness_frame(&h, SEC, &s);
    pipeline_finish(h.pl);
    cr_assert_eq(only_flow()->rec.where.vlan, 300);
    cr_assert_eq(only_flow()->rec.where.ethertype, 0x0800);
    cr_assert_eq(h.events[0].ev.where.vlan, 300);
    cr_assert_eq(harness_stats(&h)->vlan_tagged, 1);
}
