/* packet.c — link, IP and transport header decoding (see packet.h).
 *
 * Reads only through cursor.h. A header cut short by the snap length is
 * PACKET_TRUNCATED, an impossible field PACKET_MALFORMED, a layer we do not
 * decode PACKET_UNSUPPORTED; the fields decoded before the problem stay valid. */
#include "packet.h"

#include <string.h>

#include "protocols/cursor.h"

#define ETHER_MAX_LENGTH_FIELD 1500 /* ethertype values up to this are 802.3 lengths */
#define SLL_HEADER_LEN 16
#define SLL2_HEADER_LEN 20
#define SLL_ADDR_MAX 8
#define IPV4_MIN_HEADER 20
#define IPV6_HEADER_LEN 40
#define IPV6_MAX_EXT_HEADERS 16
#define TCP_MIN_HEADER 20
#define UDP_HEADER_LEN 8

/* BSD loopback address families: AF_INET, and AF_INET6 as Linux, NetBSD/
 * OpenBSD, FreeBSD and Darwin number it. */
#define BSD_AF_INET 2
#define BSD_AF_INET6_LINUX 10
#define BSD_AF_INET6_BSD 24
#define BSD_AF_INET6_FREEBSD 28
#define BSD_AF_INET6_DARWIN 30

enum ipv6_next_header {
    IPV6_EXT_HOP_BY_HOP = 0,
    IPV6_EXT_ROUTING = 43,
    IPV6_EXT_FRAGMENT = 44,
    IPV6_EXT_ESP = 50,
    IPV6_EXT_AH = 51,
    IPV6_EXT_NONE = 59,
    IPV6_EXT_DEST_OPTS = 60,
};

#define ICMP_HEADER_LEN 4 /* type, code, checksum */

static enum packet_status fail(struct packet *p, enum packet_status status, const char *problem)
{
    p->status = status;
    p->problem = problem;
    return status;
}

const char *packet_linktype_name(int linktype)
{
    switch (linktype) {
    case LINKTYPE_NULL: return "null";
    case LINKTYPE_ETHERNET: return "ethernet";
    case LINKTYPE_RAW_DLT12:
    case LINKTYPE_RAW_DLT14:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
    case LINKTYPE_RAW: return "raw";
    case LINKTYPE_LOOP: return "loop";
    case LINKTYPE_LINUX_SLL: return "linux_sll";
    case LINKTYPE_LINUX_SLL2: return "linux_sll2";
    default: return NULL;
    }
}

enum packet_status packet_decode_l4(struct packet *p, const uint8_t *data, size_t len)
{
    cursor c = cursor_make(data, len);
    if (p->l4_proto == IP_PROTO_TCP) {
        p->src_port = cursor_be16(&c);
        p->dst_port = cursor_be16(&c);
        p->tcp_seq = cursor_be32(&c);
        p->tcp_ack = cursor_be32(&c);
        uint8_t offset_byte = cursor_u8(&c);
        p->tcp_flags = cursor_u8(&c);
        p->tcp_window = cursor_be16(&c);
        cursor_skip(&c, 4); /* checksum, urgent pointer */
        if (!cursor_ok(&c))
            return fail(p, PACKET_TRUNCATED, "tcp header truncated");
        size_t header_len = (size_t)(offset_byte >> 4) * 4;
        if (header_len < TCP_MIN_HEADER)
            return fail(p, PACKET_MALFORMED, "tcp data offset below 5");
        if (!cursor_skip(&c, header_len - TCP_MIN_HEADER))
            return fail(p, PACKET_TRUNCATED, "tcp options truncated");
        p->has_ports = true;
        p->payload = c.ptr;
        p->payload_len = cursor_left(&c);
        return p->status;
    }
    if (p->l4_proto == IP_PROTO_UDP) {
        p->src_port = cursor_be16(&c);
        p->dst_port = cursor_be16(&c);
        uint16_t udp_len = cursor_be16(&c);
        cursor_skip(&c, 2); /* checksum */
        if (!cursor_ok(&c))
            return fail(p, PACKET_TRUNCATED, "udp header truncated");
        if (udp_len < UDP_HEADER_LEN)
            return fail(p, PACKET_MALFORMED, "udp length below 8");
        p->has_ports = true;
        p->payload = c.ptr;
        p->payload_len = cursor_left(&c);
        size_t udp_payload_len = (size_t)udp_len - UDP_HEADER_LEN;
        if (udp_payload_len < p->payload_len)
            p->payload_len = udp_payload_len;
        else if (udp_payload_len > p->payload_len)
            p->ip_truncated = true;
        return p->status;
    }
    if (p->l4_proto == IP_PROTO_ICMP || p->l4_proto == IP_PROTO_ICMPV6) {
        p->icmp_type = cursor_u8(&c);
        p->icmp_code = cursor_u8(&c);
        if (!cursor_skip(&c, ICMP_HEADER_LEN - 2))
            return fail(p, PACKET_TRUNCATED, "icmp header truncated");
        p->has_icmp = true;
    }
    return p->status; /* others: addresses only */
}

static enum packet_status decode_ipv4(struct packet *p, cursor *c)
{
    const uint8_t *start = c->ptr;
    size_t captured = cursor_left(c);
    uint8_t version_ihl = cursor_u8(c);
    cursor_skip(c, 1); /* DSCP/ECN */
    uint16_t total_len = cursor_be16(c);
    uint16_t id = cursor_be16(c);
    uint16_t flags_offset = cursor_be16(c);
    p->ttl = cursor_u8(c);
    p->l4_proto = cursor_u8(c);
    cursor_skip(c, 2); /* header checksum */
    cursor_copy(c, p->src_ip, 4);
    cursor_copy(c, p->dst_ip, 4);
    if (!cursor_ok(c))
        return fail(p, PACKET_TRUNCATED, "ipv4 header truncated");
    p->ip_version = 4;
    size_t header_len = (size_t)(version_ihl & 0x0F) * 4;
    if (header_len < IPV4_MIN_HEADER)
        return fail(p, PACKET_MALFORMED, "ipv4 header length below 20");
    if (total_len < header_len)
        return fail(p, PACKET_MALFORMED, "ipv4 total length below header length");
    if (!cursor_skip(c, header_len - IPV4_MIN_HEADER))
        return fail(p, PACKET_TRUNCATED, "ipv4 options truncated");
    size_t datagram_len = total_len;
    if (datagram_len > captured) {
        p->ip_truncated = true;
        p->ip_missing = (uint32_t)(datagram_len - captured);
        datagram_len = captured;
    }
    p->l3 = start;
    p->l3_len = datagram_len;
    cursor body = cursor_sub(c, datagram_len - header_len);

    uint16_t frag_units = flags_offset & 0x1FFF;
    bool more = (flags_offset & 0x2000) != 0;
    if (more || frag_units != 0) {
        p->is_fragment = true;
        p->frag_id = id;
        p->frag_offset = (uint32_t)frag_units * 8;
        p->frag_more = more;
        p->frag_payload = body.ptr;
        p->frag_payload_len = cursor_left(&body);
        return p->status;
    }
    return packet_decode_l4(p, body.ptr, cursor_left(&body));
}

static enum packet_status decode_ipv6(struct packet *p, cursor *c)
{
    const uint8_t *start = c->ptr;
    size_t captured = cursor_left(c);
    cursor_skip(c, 4); /* version, traffic class, flow label */
    uint16_t payload_len = cursor_be16(c);
    uint8_t next = cursor_u8(c);
    p->ttl = cursor_u8(c);
    cursor_copy(c, p->src_ip, 16);
    cursor_copy(c, p->dst_ip, 16);
    if (!cursor_ok(c))
        return fail(p, PACKET_TRUNCATED, "ipv6 header truncated");
    p->ip_version = 6;
    size_t datagram_len = IPV6_HEADER_LEN + (size_t)payload_len;
    if (payload_len == 0 && next == IPV6_EXT_HOP_BY_HOP)
        datagram_len = captured; /* a jumbogram: its length is in an option */
    if (datagram_len > captured) {
        p->ip_truncated = true;
        p->ip_missing = (uint32_t)(datagram_len - captured);
        datagram_len = captured;
    }
    p->l3 = start;
    p->l3_len = datagram_len;
    cursor body = cursor_sub(c, datagram_len - IPV6_HEADER_LEN);

    for (int n = 0; n < IPV6_MAX_EXT_HEADERS; n++) {
        p->l4_proto = next;
        switch (next) {
        case IPV6_EXT_HOP_BY_HOP:
        case IPV6_EXT_ROUTING:
        case IPV6_EXT_DEST_OPTS: {
            next = cursor_u8(&body);
            size_t ext_len = ((size_t)cursor_u8(&body) + 1) * 8;
            if (!cursor_skip(&body, ext_len - 2) || !cursor_ok(&body))
                return fail(p, PACKET_TRUNCATED, "ipv6 extension header truncated");
            break;
        }
        case IPV6_EXT_AH: {
            next = cursor_u8(&body);
            size_t ext_len = ((size_t)cursor_u8(&body) + 2) * 4;
            if (!cursor_skip(&body, ext_len - 2) || !cursor_ok(&body))
                return fail(p, PACKET_TRUNCATED, "ipv6 authentication header truncated");
            break;
        }
        case IPV6_EXT_FRAGMENT: {
            next = cursor_u8(&body);
            cursor_skip(&body, 1);
            uint16_t offset_flags = cursor_be16(&body);
            uint32_t id = cursor_be32(&body);
            if (!cursor_ok(&body))
                return fail(p, PACKET_TRUNCATED, "ipv6 fragment header truncated");
            uint32_t offset = offset_flags & 0xFFF8;
            bool more = (offset_flags & 1) != 0;
            if (offset == 0 && !more)
                break; /* an atomic fragment: the datagram is whole */
            p->l4_proto = next;
            p->is_fragment = true;
            p->frag_id = id;
            p->frag_offset = offset;
            p->frag_more = more;
            p->frag_payload = body.ptr;
            p->frag_payload_len = cursor_left(&body);
            return p->status;
        }
        case IPV6_EXT_ESP:
        case IPV6_EXT_NONE:
            return p->status; /* nothing we can read follows */
        default:
            return packet_decode_l4(p, body.ptr, cursor_left(&body));
        }
    }
    return fail(p, PACKET_MALFORMED, "ipv6 extension header chain too long");
}

enum packet_status packet_decode_ip(struct packet *p, const uint8_t *data, size_t len)
{
    cursor c = cursor_make(data, len);
    uint8_t first;
    if (!cursor_peek_u8(&c, 0, &first))
        return fail(p, PACKET_TRUNCATED, "ip header truncated");
    p->kind = PACKET_KIND_IP;
    switch (first >> 4) {
    case 4: return decode_ipv4(p, &c);
    case 6: return decode_ipv6(p, &c);
    default:
        p->kind = PACKET_KIND_NONE;
        return fail(p, PACKET_MALFORMED, "ip version is neither 4 nor 6");
    }
}

/* Everything after an ethertype: VLAN tags, then IP or a layer-2 payload. */
static enum packet_status decode_ethertype(struct packet *p, cursor *c, uint16_t ethertype)
{
    while (ethertype == ETHERTYPE_VLAN || ethertype == ETHERTYPE_QINQ || ethertype == ETHERTYPE_QINQ_OLD) {
        uint16_t tci = cursor_be16(c);
        ethertype = cursor_be16(c);
        if (!cursor_ok(c))
            return fail(p, PACKET_TRUNCATED, "vlan tag truncated");
        if (p->vlan_count < PACKET_MAX_VLANS) {
            p->vlans[p->vlan_count].id = tci & 0x0FFF;
            p->vlans[p->vlan_count].pcp = (uint8_t)(tci >> 13);
        }
        if (p->vlan_count == UINT8_MAX)
            return fail(p, PACKET_MALFORMED, "too many vlan tags");
        p->vlan_count++;
    }
    p->ethertype = ethertype;
    if (ethertype <= ETHER_MAX_LENGTH_FIELD)
        return fail(p, PACKET_UNSUPPORTED, "802.3 length frame (llc)");
    if (ethertype == ETHERTYPE_IPV4 || ethertype == ETHERTYPE_IPV6) {
        uint8_t first;
        if (!cursor_peek_u8(c, 0, &first))
            return fail(p, PACKET_TRUNCATED, "ip header truncated");
        if ((first >> 4) != (ethertype == ETHERTYPE_IPV4 ? 4 : 6))
            return fail(p, PACKET_MALFORMED, "ip version does not match ethertype");
        return packet_decode_ip(p, c->ptr, cursor_left(c));
    }
    p->kind = PACKET_KIND_L2;
    p->l2_payload = c->ptr;
    p->l2_payload_len = cursor_left(c);
    return p->status;
}

static enum packet_status decode_ethernet(struct packet *p, cursor *c)
{
    cursor_copy(c, p->dst_mac, 6);
    cursor_copy(c, p->src_mac, 6);
    uint16_t ethertype = cursor_be16(c);
    if (!cursor_ok(c))
        return fail(p, PACKET_TRUNCATED, "ethernet header truncated");
    p->has_macs = true;
    return decode_ethertype(p, c, ethertype);
}

/* Linux cooked capture: the sender's link address stands in for a source MAC. */
static void take_sll_address(struct packet *p, uint8_t addr_len, const uint8_t *addr)
{
    if (addr_len == 6 && addr) {
        memcpy(p->src_mac, addr, 6);
        p->has_macs = true;
    }
}

static enum packet_status decode_sll(struct packet *p, cursor *c)
{
    cursor_skip(c, 4); /* packet type, ARPHRD type */
    uint16_t addr_len = cursor_be16(c);
    const uint8_t *addr = cursor_bytes(c, SLL_ADDR_MAX);
    uint16_t protocol = cursor_be16(c);
    if (!cursor_ok(c))
        return fail(p, PACKET_TRUNCATED, "linux cooked header truncated");
    take_sll_address(p, addr_len > UINT8_MAX ? 0 : (uint8_t)addr_len, addr);
    return decode_ethertype(p, c, protocol);
}

static enum packet_status decode_sll2(struct packet *p, cursor *c)
{
    uint16_t protocol = cursor_be16(c);
    cursor_skip(c, 2 + 4 + 2 + 1); /* reserved, interface index, ARPHRD type, packet type */
    uint8_t addr_len = cursor_u8(c);
    const uint8_t *addr = cursor_bytes(c, SLL_ADDR_MAX);
    if (!cursor_ok(c))
        return fail(p, PACKET_TRUNCATED, "linux cooked v2 header truncated");
    take_sll_address(p, addr_len, addr);
    return decode_ethertype(p, c, protocol);
}

static enum packet_status decode_bsd_loopback(struct packet *p, cursor *c, bool network_order)
{
    const uint8_t *family_bytes = cursor_bytes(c, 4);
    if (!family_bytes)
        return fail(p, PACKET_TRUNCATED, "loopback header truncated");
    cursor fc = cursor_make(family_bytes, 4);
    uint32_t family = network_order ? cursor_be32(&fc) : cursor_le32(&fc);
    if (!network_order && family > 0xFFFF) {
        /* DLT_NULL is in the writer's byte order, which may not be ours. */
        fc = cursor_make(family_bytes, 4);
        family = cursor_be32(&fc);
    }
    switch (family) {
    case BSD_AF_INET:
        p->ethertype = ETHERTYPE_IPV4;
        break;
    case BSD_AF_INET6_LINUX:
    case BSD_AF_INET6_BSD:
    case BSD_AF_INET6_FREEBSD:
    case BSD_AF_INET6_DARWIN:
        p->ethertype = ETHERTYPE_IPV6;
        break;
    default:
        return fail(p, PACKET_UNSUPPORTED, "loopback address family is not IP");
    }
    return decode_ethertype(p, c, p->ethertype);
}

enum packet_status packet_decode(struct packet *p, int linktype, const uint8_t *data, size_t caplen)
{
    memset(p, 0, sizeof *p);
    cursor c = cursor_make(data, caplen);
    switch (linktype) {
    case LINKTYPE_ETHERNET: return decode_ethernet(p, &c);
    case LINKTYPE_LINUX_SLL: return decode_sll(p, &c);
    case LINKTYPE_LINUX_SLL2: return decode_sll2(p, &c);
    case LINKTYPE_NULL: return decode_bsd_loopback(p, &c, false);
    case LINKTYPE_LOOP: return decode_bsd_loopback(p, &c, true);
    case LINKTYPE_RAW_DLT12:
    case LINKTYPE_RAW_DLT14:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
    case LINKTYPE_RAW: {
        enum packet_status st = packet_decode_ip(p, data, caplen);
        p->ethertype = p->ip_version == 6 ? ETHERTYPE_IPV6 : p->ip_version == 4 ? ETHERTYPE_IPV4 : 0;
        return st;
    }
    default:
        return fail(p, PACKET_UNSUPPORTED, "unsupported link type");
    }
}
