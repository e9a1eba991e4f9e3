/* test_packet.c — link, IP and transport decoding of hand-built frames:
 * every link type, VLAN stacking, IPv4 options, IPv6 extension chains, and
 * truncated or malformed headers. */
#include <criterion/criterion.h>
#include <string.h>

#include "frame_builder.h"
#include "sensor/packet.h"

static const uint8_t modbus_request[] = { 0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x00, 0x00, 0x00, 0x0a };

static struct frame_spec tcp4(void)
{
    return (struct frame_spec){ .ip_version = 4, .src = "10.0.0.1", .dst = "10.0.0.2", .proto = 6,
                                .sport = 49152, .dport = 502, .seq = 1000, .ack = 2000, .flags = 0x18,
                                .payload = modbus_request, .len = sizeof modbus_request };
}

static void assert_modbus_tcp(const struct packet *p)
{
    cr_assert_eq(p->status, PACKET_OK, "problem: %s", p->problem ? p->problem : "");
    cr_assert_eq(p->kind, PACKET_KIND_IP);
    cr_assert_eq(p->l4_proto, 6);
    cr_assert_eq(p->src_port, 49152);
    cr_assert_eq(p->dst_port, 502);
    cr_assert_eq(p->tcp_seq, 1000);
    cr_assert_eq(p->tcp_ack, 2000);
    cr_assert_eq(p->tcp_flags, 0x18);
    cr_assert_eq(p->payload_len, sizeof modbus_request);
    cr_assert_arr_eq(p->payload, modbus_request, sizeof modbus_request);
}

Test(packet, ethernet_ipv4_tcp)
{
    uint8_t f[FRAME_MAX];
    struct frame_spec s = tcp4();
    size_t n = frame_build(f, &s);
    struct packet p;
    packet_decode(&p, LINKTYPE_ETHERNET, f, n);
    assert_modbus_tcp(&p);
    cr_assert_eq(p.ip_version, 4);
    cr_assert_eq(p.ethertype, 0x0800);
    cr_assert(p.has_macs);
    cr_assert_arr_eq(p.src_mac, frame_src_mac, 6);
    cr_assert_arr_eq(p.dst_mac, frame_dst_mac, 6);
    const uint8_t src[4] = { 10, 0, 0, 1 }, dst[4] = { 10, 0, 0, 2 };
    cr_assert_arr_eq(p.src_ip, src, 4);
    cr_assert_arr_eq(p.dst_ip, dst, 4);
    cr_assert_eq(p.vlan_count, 0);
    cr_assert_eq(p.l3, f + 14);
    cr_assert_eq(p.l3_len, n - 14);
}

Test(packet, ethernet_padding_is_trimmed_to_ip_total_length)
{
    uint8_t f[FRAME_MAX];
    struct frame_spec s = tcp4();
    s.len = 0; /* 54-byte frame, padded to the 60-byte Ethernet minimum */
    size_t n = frame_build(f, &s);
    memset(f + n, 0xEE, 6);
    struct packet p;
    packet_decode(&p, LINKTYPE_ETHERNET, f, n + 6);
    cr_assert_eq(p.status, PACKET_OK);
    cr_assert_eq(p.payload_len, 0);
    cr_assert_eq(p.l3_len, 40);
    cr_assert_not(p.ip_truncated);
}

Test(packet, single_vlan_keeps_id_and_pcp)
{
    uint8_t f[FRAME_MAX];
    struct frame_spec s = tcp4();
    s.n_vlans = 1;
    s.vlans[0] = 100;
    s.vlan_pcp = 5;
    size_t n = frame_build(f, &s);
    struct packet p;
    packet_decode(&p, LINKTYPE_ETHERNET, f, n);
    assert_modbus_tcp(&p);
    cr_assert_eq(p.vlan_count, 1);
    cr_assert_eq(p.vlans[0].id, 100);
    cr_assert_eq(p.vlans[0].pcp, 5);
}

Test(packet, qinq_88a8_and_9100_stacks)
{
    const uint16_t tpids[] = { 0x88A8, 0x9100, 0x8100 };
    for (size_t t = 0; t < 3; t++) {
        uint8_t f[FRAME_MAX];
        struct frame_spec s = tcp4();
        s.n_vlans = 3;
        s.vlans[0] = 10;
        s.vlans[1] = 20;
        s.vlans[2] = 4095;
        s.vlan_tpid = tpids[t];
        size_t n = frame_build(f, &s);
        struct packet p;
        packet_decode(&p, LINKTYPE_ETHERNET, f, n);
        assert_modbus_tcp(&p);
        cr_assert_eq(p.vlan_count, 3);
        cr_assert_eq(p.vlans[0].id, 10);
        cr_assert_eq(p.vlans[1].id, 20);
        cr_assert_eq(p.vlans[2].id, 4095);
        cr_assert_eq(p.ethertype, 0x0800);
    }
}

Test(packet, goose_behind_vlan_is_layer2)
{
    const uint8_t goose[] = { 0x00, 0x01, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x61, 0x02, 0x80, 0x00 };
    const uint16_t vlan = 0;
    uint8_t f[256];
    size_t n = frame_build_l2(f, frame_src_mac, 0x88B8, 1, &vlan, goose, sizeof goose);
    struct packet p;
    packet_decode(&p, LINKTYPE_ETHERNET, f, n);
    cr_assert_eq(p.status, PACKET_OK);
    cr_assert_eq(p.kind, PACKET_KIND_L2);
    cr_assert_eq(p.ethertype, 0x88B8);
    cr_assert_eq(p.vlan_count, 1);
    cr_assert_eq(p.vlans[0].pcp, 4);
    cr_assert_eq(p.l2_payload_len, sizeof goose);
    cr_assert_arr_eq(p.l2_payload, goose, sizeof goose);
}

Test(packet, ipv4_options_move_the_transport_header)
{
    uint8_t f[FRAME_MAX];
    struct frame_spec s = tcp4();
    s.ipv4_option_words = 3;
    size_t n = frame_build(f, &s);
    cr_assert_eq(f[14], 0x48);
    struct packet p;
    packet_decode(&p, LINKTYPE_ETHERNET, f, n);
    assert_modbus_tcp(&p);
}

Test(packet, ipv4_total_length_beyond_capture_is_counted_and_decoded)
{
    uint8_t f[FRAME_MAX];
    struct frame_spec s = tcp4();
    size_t n = frame_build(f, &s);
    /* claim 100 more bytes than there are, as in bro/modbus/fuzz-72.pcap */
    uint16_t total = (uint16_t)(n - 14 + 100);
    f[16] = (uint8_t)(total >> 8);
    f[17] = (uint8_t)total;
    struct packet p;
    packet_decode(&p, LINKTYPE_ETHERNET, f, n);
    assert_modbus_tcp(&p);
    cr_assert(p.ip_truncated);
    cr_assert_eq(p.l3_len, n - 14);
}

Test(packet, ipv4_malformed_and_truncated)
{
    uint8_t f[FRAME_MAX];
    struct frame_spec s = tcp4();
    size_t n = frame_build(f, &s);
    struct packet p;

    cr_assert_eq(packet_decode(&p, LINKTYPE_ETHERNET, f, 10), PACKET_TRUNCATED);
    cr_assert_eq(packet_decode(&p, LINKTYPE_ETHERNET, f, 14 + 19), PACKET_TRUNCATED);
    cr_assert_eq(packet_decode(&p, LINKTYPE_ETHERNET, f, 14 + 20 + 19), PACKET_TRUNCATED);
    cr_assert_str_eq(p.problem, "tcp header truncated");

    uint8_t bad[FRAME_MAX];
    memcpy(bad, f, n);
    bad[14] = 0x44; /* IHL 4 */
    cr_assert_eq(packet_decode(&p, LINKTYPE_ETHERNET, bad, n), PACKET_MALFORMED);
    memcpy(bad, f, n);
    bad[14] = 0x65; /* version 6 behind ethertype IPv4 */
    cr_assert_eq(packet_decode(&p, LINKTYPE_ETHERNET, bad, n), PACKET_MALFORMED);
    memcpy(bad, f, n);
    bad[14 + 20 + 12] = 0x40; /* TCP data offset 4 */
    cr_assert_eq(packet_decode(&p, LINKTYPE_ETHERNET, bad, n), PACKET_MALFORMED);
    memcpy(bad, f, n);
    bad[16] = 0;
    bad[17] = 10; /* total length below the header */
    cr_assert_eq(packet_decode(&p, LINKTYPE_ETHERNET, bad, n), PACKET_MALFORMED);
    cr_assert_eq(packet_decode(&p, 9999, f, n), PACKET_UNSUPPORTED);
    cr_assert_eq(packet_decode(&p, LINKTYPE_ETHERNET, NULL, 0), PACKET_TRUNCATED);
}

Test(packet, ipv4_fragment_fields)
{
    uint8_t f[FRAME_MAX];
    struct frame_spec s = tcp4();
    s.ip_id = 0x1234;
    s.frag_offset = 1480;
    s.more_fragments = 1;
    size_t n = frame_build(f, &s);
    struct packet p;
    packet_decode(&p, LINKTYPE_ETHERNET, f, n);
    cr_assert_eq(p.status, PACKET_OK);
    cr_assert(p.is_fragment);
    cr_assert_not(p.has_ports);
    cr_assert_eq(p.frag_id, 0x1234);
    cr_assert_eq(p.frag_offset, 1480);
    cr_assert(p.frag_more);
    cr_assert_eq(p.frag_payload_len, 20 + sizeof modbus_request);
}

Test(packet, ipv6_tcp_and_udp)
{
    uint8_t f[FRAME_MAX];
    struct frame_spec s = tcp4();
    s.ip_version = 6;
    s.src = "fe80::1";
    s.dst = "2001:db8::2";
    size_t n = frame_build(f, &s);
    struct packet p;
    packet_decode(&p, LINKTYPE_ETHERNET, f, n);
    assert_modbus_tcp(&p);
    cr_assert_eq(p.ip_version, 6);
    cr_assert_eq(p.src_ip[0], 0xfe);
    cr_assert_eq(p.dst_ip[15], 2);

    s.proto = 17;
    s.dport = 20000;
    n = frame_build(f, &s);
    packet_decode(&p, LINKTYPE_ETHERNET, f, n);
    cr_assert_eq(p.status, PACKET_OK);
    cr_assert_eq(p.l4_proto, 17);
    cr_assert_eq(p.dst_port, 20000);
    cr_assert_eq(p.payload_len, sizeof modbus_request);
}

/* IPv6 base header whose payload is `ext` (extension headers) then a UDP datagram. */
static size_t ipv6_with_extensions(uint8_t *out, uint8_t first_next, const uint8_t *ext, size_t ext_len)
{
    uint8_t udp_ip[FRAME_MAX];
    struct frame_spec s = { .ip_version = 6, .src = "2001:db8::1", .dst = "2001:db8::2", .proto = 17,
                            .sport = 1234, .dport = 20000, .payload = modbus_request,
                            .len = sizeof modbus_request };
    size_t n = frame_build_ip(udp_ip, &s);
    memcpy(out, udp_ip, 40);
    out[6] = first_next;
    uint16_t plen = (uint16_t)(ext_len + n - 40);
    out[4] = (uint8_t)(plen >> 8);
    out[5] = (uint8_t)plen;
    memcpy(out + 40, ext, ext_len);
    memcpy(out + 40 + ext_len, udp_ip + 40, n - 40);
    return 40 + ext_len + n - 40;
}

Test(packet, ipv6_extension_chain_to_udp)
{
    /* hop-by-hop (8) -> routing (24) -> destination options (8) -> AH (16) -> UDP */
    uint8_t ext[8 + 24 + 8 + 16] = { 0 };
    ext[0] = 43; ext[1] = 0;            /* hop-by-hop, next routing, 8 bytes */
    ext[8] = 60; ext[9] = 2;            /* routing, next dest opts, 24 bytes */
    ext[32] = 51; ext[33] = 0;          /* dest opts, next AH, 8 bytes */
    ext[40] = 17; ext[41] = 2;          /* AH, next UDP, (2+2)*4 = 16 bytes */
    uint8_t f[FRAME_MAX];
    size_t n = ipv6_with_extensions(f, 0, ext, sizeof ext);
    struct packet p;
    packet_decode(&p, LINKTYPE_RAW, f, n);
    cr_assert_eq(p.status, PACKET_OK, "%s", p.problem ? p.problem : "");
    cr_assert_eq(p.l4_proto, 17);
    cr_assert_eq(p.src_port, 1234);
    cr_assert_eq(p.dst_port, 20000);
    cr_assert_arr_eq(p.payload, modbus_request, sizeof modbus_request);

    /* the same chain cut inside the routing header */
    cr_assert_eq(packet_decode(&p, LINKTYPE_RAW, f, 40 + 8 + 10), PACKET_TRUNCATED);
}

Test(packet, ipv6_esp_and_no_next_header_stop_the_chain)
{
    uint8_t ext[8] = { 50, 0 };
    uint8_t f[FRAME_MAX];
    size_t n = ipv6_with_extensions(f, 0, ext, sizeof ext);
    struct packet p;
    packet_decode(&p, LINKTYPE_RAW, f, n);
    cr_assert_eq(p.status, PACKET_OK);
    cr_assert_eq(p.l4_proto, 50);
    cr_assert_not(p.has_ports);
    ext[0] = 59;
    n = ipv6_with_extensions(f, 0, ext, sizeof ext);
    packet_decode(&p, LINKTYPE_RAW, f, n);
    cr_assert_eq(p.l4_proto, 59);
    cr_assert_not(p.has_ports);
}

Test(packet, ipv6_fragment_header)
{
    uint8_t ext[8] = { 17, 0, 0x05, 0xA9, 0xde, 0xad, 0xbe, 0xef }; /* offset 1448, M=1 */
    uint8_t f[FRAME_MAX];
    /* destination options, then the fragment header */
    uint8_t chain[16] = { 44, 0, 0, 0, 0, 0, 0, 0 };
    memcpy(chain + 8, ext, 8);
    size_t n = ipv6_with_extensions(f, 60, chain, sizeof chain);
    struct packet p;
    packet_decode(&p, LINKTYPE_RAW, f, n);
    cr_assert_eq(p.status, PACKET_OK);
    cr_assert(p.is_fragment);
    cr_assert_eq(p.frag_id, 0xdeadbeef);
    cr_assert_eq(p.frag_offset, 1448);
    cr_assert(p.frag_more);
    cr_assert_eq(p.l4_proto, 17);
    cr_assert_eq(p.frag_payload_len, 8 + sizeof modbus_request);

    /* an atomic fragment (offset 0, M=0) is a whole datagram */
    ext[2] = 0;
    ext[3] = 0;
    n = ipv6_with_extensions(f, 44, ext, sizeof ext);
    packet_decode(&p, LINKTYPE_RAW, f, n);
    cr_assert_not(p.is_fragment);
    cr_assert_eq(p.dst_port, 20000);
}

static size_t with_prefix(uint8_t *out, const uint8_t *prefix, size_t prefix_len, const struct frame_spec *s)
{
    memcpy(out, prefix, prefix_len);
    return prefix_len + frame_build_ip(out + prefix_len, s);
}

Test(packet, raw_ip_linktypes_by_version_nibble)
{
    const int types[] = { LINKTYPE_RAW, LINKTYPE_RAW_DLT12, LINKTYPE_RAW_DLT14, LINKTYPE_IPV4, LINKTYPE_IPV6 };
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        uint8_t f[FRAME_MAX];
        struct frame_spec s = tcp4();
        size_t n = frame_build_ip(f, &s);
        struct packet p;
        packet_decode(&p, types[t], f, n);
        assert_modbus_tcp(&p);
        cr_assert_eq(p.ethertype, 0x0800);
        cr_assert_not(p.has_macs);
        s.ip_version = 6;
        s.src = "::1";
        s.dst = "::2";
        n = frame_build_ip(f, &s);
        packet_decode(&p, types[t], f, n);
        assert_modbus_tcp(&p);
        cr_assert_eq(p.ethertype, 0x86DD);
    }
}

Test(packet, bsd_loopback_null_and_loop)
{
    uint8_t f[FRAME_MAX];
    struct frame_spec s = tcp4();
    struct packet p;
    size_t n = with_prefix(f, (const uint8_t[]){ 2, 0, 0, 0 }, 4, &s); /* little-endian writer */
    packet_decode(&p, LINKTYPE_NULL, f, n);
    assert_modbus_tcp(&p);
    n = with_prefix(f, (const uint8_t[]){ 0, 0, 0, 2 }, 4, &s); /* big-endian writer */
    packet_decode(&p, LINKTYPE_NULL, f, n);
    assert_modbus_tcp(&p);
    n = with_prefix(f, (const uint8_t[]){ 0, 0, 0, 2 }, 4, &s);
    packet_decode(&p, LINKTYPE_LOOP, f, n);
    assert_modbus_tcp(&p);
    s.ip_version = 6;
    s.src = "::1";
    s.dst = "::2";
    const uint8_t families[][4] = { { 30, 0, 0, 0 }, { 24, 0, 0, 0 }, { 28, 0, 0, 0 }, { 10, 0, 0, 0 } };
    for (size_t i = 0; i < 4; i++) {
        n = with_prefix(f, families[i], 4, &s);
        packet_decode(&p, LINKTYPE_NULL, f, n);
        assert_modbus_tcp(&p);
        cr_assert_eq(p.ip_version, 6);
    }
    n = with_prefix(f, (const uint8_t[]){ 7, 0, 0, 0 }, 4, &s);
    cr_assert_eq(packet_decode(&p, LINKTYPE_NULL, f, n), PACKET_UNSUPPORTED);
    cr_assert_eq(packet_decode(&p, LINKTYPE_NULL, f, 3), PACKET_TRUNCATED);
}

Test(packet, linux_cooked_sll_and_sll2)
{
    uint8_t f[FRAME_MAX];
    struct frame_spec s = tcp4();
    struct packet p;
    const uint8_t sll[16] = { 0, 0, 0, 1, 0, 6, 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0, 0x08, 0x00 };
    size_t n = with_prefix(f, sll, sizeof sll, &s);
    packet_decode(&p, LINKTYPE_LINUX_SLL, f, n);
    assert_modbus_tcp(&p);
    cr_assert(p.has_macs);
    cr_assert_arr_eq(p.src_mac, frame_src_mac, 6);
    cr_assert_eq(packet_decode(&p, LINKTYPE_LINUX_SLL, f, 15), PACKET_TRUNCATED);

    const uint8_t sll2[20] = { 0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6,
                               0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0, 0 };
    n = with_prefix(f, sll2, sizeof sll2, &s);
    packet_decode(&p, LINKTYPE_LINUX_SLL2, f, n);
    assert_modbus_tcp(&p);
    cr_assert_arr_eq(p.src_mac, frame_src_mac, 6);
    cr_assert_eq(packet_decode(&p, LINKTYPE_LINUX_SLL2, f, 19), PACKET_TRUNCATED);
}

Test(packet, udp_length_field)
{
    uint8_t f[FRAME_MAX];
    struct frame_spec s = tcp4();
    s.proto = 17;
    size_t n = frame_build(f, &s);
    struct packet p;
    f[14 + 20 + 5] = 8 + 4; /* UDP length says 4 payload bytes */
    packet_decode(&p, LINKTYPE_ETHERNET, f, n);
    cr_assert_eq(p.payload_len, 4);
    f[14 + 20 + 5] = 7;
    cr_assert_eq(packet_decode(&p, LINKTYPE_ETHERNET, f, n), PACKET_MALFORMED);
    f[14 + 20 + 5] = 200;
    packet_decode(&p, LINKTYPE_ETHERNET, f, n);
    cr_assert_eq(p.status, PACKET_OK);
    cr_assert(p.ip_truncated);
    cr_assert_eq(p.payload_len, sizeof modbus_request);
}
