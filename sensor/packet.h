/* packet.h — decodes one captured frame into its parsed layers.
 *
 * Link layer (Ethernet with 802.1Q/802.1ad/QinQ tags, Linux cooked SLL and
 * SLL2, raw IP, BSD loopback), IPv4 with options, IPv6 with its extension
 * header chain, then TCP or UDP. Every byte is read through cursor.h; the
 * struct holds copies of header fields and bounded views into the frame.
 *
 * It does not reassemble fragments (defrag.h does, then feeds the datagram to
 * packet_decode_ip), track flows or look at application payloads. */
#ifndef MAMORI_PACKET_H
#define MAMORI_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* pcap link types we decode (values from pcap/dlt.h and the LINKTYPE_ list). */
#define LINKTYPE_NULL 0
#define LINKTYPE_ETHERNET 1
#define LINKTYPE_RAW_DLT12 12
#define LINKTYPE_RAW_DLT14 14
#define LINKTYPE_RAW 101
#define LINKTYPE_IPV4 228 /* raw IPv4 and raw IPv6 with their own link types */
#define LINKTYPE_IPV6 229
#define LINKTYPE_LOOP 108
#define LINKTYPE_LINUX_SLL 113
#define LINKTYPE_LINUX_SLL2 276

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86DD
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88A8
#define ETHERTYPE_QINQ_OLD 0x9100
#define ETHERTYPE_GOOSE 0x88B8
#define ETHERTYPE_SV 0x88BA

#define PACKET_MAX_VLANS 4
#define PACKET_TCP_FIN 0x01
#define PACKET_TCP_SYN 0x02
#define PACKET_TCP_RST 0x04
#define PACKET_TCP_PSH 0x08
#define PACKET_TCP_ACK 0x10

enum packet_status {
    PACKET_OK,
    PACKET_TRUNCATED,   /* a header was cut short by the snap length */
    PACKET_MALFORMED,   /* a header field is impossible */
    PACKET_UNSUPPORTED, /* a link type, ethertype or protocol we do not decode */
};

enum packet_kind {
    PACKET_KIND_NONE,
    PACKET_KIND_L2, /* a non-IP ethertype: l2_payload is what follows it */
    PACKET_KIND_IP, /* IPv4 or IPv6: see ip_version and l4_proto */
};

struct packet_vlan {
    uint16_t id;
    uint8_t pcp;
};

/* IP protocol numbers the core treats specially. */
enum ip_protocol {
    IP_PROTO_ICMP = 1,
    IP_PROTO_TCP = 6,
    IP_PROTO_UDP = 17,
    IP_PROTO_ICMPV6 = 58,
};

struct packet {
    enum packet_status status;
    const char *problem; /* names what was wrong when status != OK */
    enum packet_kind kind;

    /* Link layer. */
    bool has_macs;
    uint8_t src_mac[6], dst_mac[6];
    uint8_t vlan_count; /* tags seen; at most PACKET_MAX_VLANS are kept */
    struct packet_vlan vlans[PACKET_MAX_VLANS]; /* outermost first */
    uint16_t ethertype; /* after the VLAN tags */
    const uint8_t *l2_payload; /* bytes after the ethertype */
    size_t l2_payload_len;

    /* Network layer. */
    uint8_t ip_version;
    const uint8_t *l3; /* start of the IP header, length trimmed to the IP total length */
    size_t l3_len;
    bool ip_truncated; /* the IP total length claims more than was captured */
    uint32_t ip_missing; /* how many bytes more it claims */
    uint8_t src_ip[16], dst_ip[16]; /* IPv4 in the first 4 bytes */
    uint8_t l4_proto;
    uint8_t ttl;

    /* Fragment, when is_fragment: frag_payload is the fragment's data. */
    bool is_fragment;
    uint32_t frag_id;
    uint32_t frag_offset; /* in bytes */
    bool frag_more;
    const uint8_t *frag_payload;
    size_t frag_payload_len;

    /* Transport layer. */
    bool has_ports;
    uint16_t src_port, dst_port;
    uint32_t tcp_seq, tcp_ack;
    uint8_t tcp_flags;
    uint16_t tcp_window;
    const uint8_t *payload;
    size_t payload_len;
    bool has_icmp; /* ICMP or ICMPv6 with its type and code */
    uint8_t icmp_type, icmp_code;
};

/* Decodes a frame of pcap `linktype`. Returns p->status. */
enum packet_status packet_decode(struct packet *p, int linktype, const uint8_t *data, size_t caplen);

/* Decodes from the IP header on (raw IP or a reassembled datagram), keeping
 * the link-layer fields already in p. */
enum packet_status packet_decode_ip(struct packet *p, const uint8_t *data, size_t len);

/* Decodes TCP, UDP or the ICMP type and code from p->l4_proto over [data, data+len). */
enum packet_status packet_decode_l4(struct packet *p, const uint8_t *data, size_t len);

/* Name of a link type for messages ("ethernet", "linux_sll", ...), NULL if unknown. */
const char *packet_linktype_name(int linktype);

#endif
