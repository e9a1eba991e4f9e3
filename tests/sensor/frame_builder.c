/* frame_builder.c — test frames, see frame_builder.h. */
#include "frame_builder.h"

#include <arpa/inet.h>
#include <string.h>

const uint8_t frame_src_mac[6] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55 };
const uint8_t frame_dst_mac[6] = { 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb };

static uint8_t *put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
    p = put16(p, (uint16_t)(v >> 16));
    return put16(p, (uint16_t)v);
}

static size_t build_l4(uint8_t *out, const struct frame_spec *s)
{
    uint8_t *p = out;
    if (s->proto == 1 || s->proto == 58) { /* ICMP: type and code from sport and dport */
        *p++ = (uint8_t)s->sport;
        *p++ = (uint8_t)s->dport;
        p = put16(p, 0);
        if (s->len)
            memcpy(p, s->payload, s->len);
        return (size_t)(p - out) + s->len;
    }
    p = put16(p, s->sport);
    p = put16(p, s->dport);
    if (s->proto == 6) {
        p = put32(p, s->seq);
        p = put32(p, s->ack);
        *p++ = 5 << 4;
        *p++ = s->flags;
        p = put16(p, 65535);
        p = put32(p, 0);
    } else {
        p = put16(p, (uint16_t)(8 + s->len));
        p = put16(p, 0);
    }
    if (s->len)
        memcpy(p, s->payload, s->len);
    return (size_t)(p - out) + s->len;
}

size_t frame_build_ip(uint8_t *out, const struct frame_spec *s)
{
    uint8_t l4[FRAME_MAX];
    size_t l4_len = build_l4(l4, s);
    uint8_t *p = out;
    if (s->ip_version == 6) {
        *p++ = 0x60; *p++ = 0; *p++ = 0; *p++ = 0;
        p = put16(p, (uint16_t)l4_len);
        *p++ = s->proto;
        *p++ = 64;
        inet_pton(AF_INET6, s->src, p); p += 16;
        inet_pton(AF_INET6, s->dst, p); p += 16;
    } else {
        size_t header = 20 + 4 * (size_t)s->ipv4_option_words;
        *p++ = (uint8_t)(0x40 | (header / 4));
        *p++ = 0;
        p = put16(p, (uint16_t)(header + l4_len));
        p = put16(p, s->ip_id);
        p = put16(p, (uint16_t)((s->more_fragments ? 0x2000 : 0) | (s->frag_offset / 8)));
        *p++ = 64;
        *p++ = s->proto;
        p = put16(p, 0);
        inet_pton(AF_INET, s->src, p); p += 4;
        inet_pton(AF_INET, s->dst, p); p += 4;
        for (int i = 0; i < s->ipv4_option_words; i++) {
            memset(p, 1, 4); /* NOP options */
            p += 4;
        }
    }
    memcpy(p, l4, l4_len);
    return (size_t)(p - out) + l4_len;
}

static size_t build_ether(uint8_t *out, const uint8_t src_mac[6], uint16_t tpid, uint8_t pcp, int n_vlans,
                          const uint16_t *vlans, uint16_t ethertype)
{
    uint8_t *p = out;
    memcpy(p, frame_dst_mac, 6); p += 6;
    memcpy(p, src_mac, 6); p += 6;
    for (int i = 0; i < n_vlans; i++) {
        p = put16(p, tpid ? tpid : 0x8100);
        p = put16(p, (uint16_t)(pcp << 13 | vlans[i]));
    }
    p = put16(p, ethertype);
    return (size_t)(p - out);
}

size_t frame_build(uint8_t *out, const struct frame_spec *s)
{
    size_t n = build_ether(out, frame_src_mac, s->vlan_tpid, s->vlan_pcp, s->n_vlans, s->vlans,
                           s->ip_version == 6 ? 0x86DD : 0x0800);
    return n + frame_build_ip(out + n, s);
}

size_t frame_build_l2(uint8_t *out, const uint8_t src_mac[6], uint16_t ethertype, int n_vlans,
                      const uint16_t *vlans, const void *payload, size_t len)
{
    size_t n = build_ether(out, src_mac, 0, 4, n_vlans, vlans, ethertype);
    memcpy(out + n, payload, len);
    return n + len;
}
