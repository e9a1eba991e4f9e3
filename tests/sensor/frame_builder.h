/* frame_builder.h — builds Ethernet/VLAN/IPv4/IPv6/TCP/UDP frames for the
 * sensor tests, byte by byte in network order. Checksums are left zero: the
 * sensor never verifies them. Not for production code. */
#ifndef MAMORI_TEST_FRAME_BUILDER_H
#define MAMORI_TEST_FRAME_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_MAX 70000

struct frame_spec {
    int ip_version;          /* 4 or 6 */
    const char *src, *dst;   /* textual addresses */
    uint8_t proto;           /* 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6 */
    uint16_t sport, dport;   /* ICMP: type and code */
    uint32_t seq, ack;
    uint8_t flags;           /* TCP flags */
    const void *payload;
    size_t len;
    int n_vlans;             /* 802.1Q tags, outermost first */
    uint16_t vlans[4];
    uint16_t vlan_tpid;      /* 0 = 0x8100 for all tags */
    uint8_t vlan_pcp;
    uint16_t ip_id;
    uint16_t frag_offset;    /* bytes, multiple of 8 */
    int more_fragments;
    int ipv4_option_words;   /* 4-byte NOP option words */
};

/* Appends the IP datagram for spec to out; returns its length. */
size_t frame_build_ip(uint8_t *out, const struct frame_spec *s);

/* Ethernet header (with VLAN tags) then the IP datagram; returns the frame length. */
size_t frame_build(uint8_t *out, const struct frame_spec *s);

/* Ethernet frame with an arbitrary ethertype and payload. */
size_t frame_build_l2(uint8_t *out, const uint8_t src_mac[6], uint16_t ethertype, int n_vlans,
                      const uint16_t *vlans, const void *payload, size_t len);

extern const uint8_t frame_src_mac[6];
extern const uint8_t frame_dst_mac[6];

#endif
