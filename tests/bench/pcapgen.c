/* pcapgen.c — synthetic Ethernet/IPv4/TCP/UDP frame writer (pcapgen.h). */
#include "pcapgen.h"

#include <stdio.h>
#include <string.h>

#define ETH_LEN 14
#define IPV4_LEN 20
#define TCP_LEN 20
#define UDP_LEN 8
#define FRAME_MAX 1600
#define TCP_FLAG_FIN 0x01
#define TCP_FLAG_SYN 0x02
#define TCP_FLAG_PSH 0x08
#define TCP_FLAG_ACK 0x10

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)(v >> 8); p[1] = (uint8_t)v; }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)(v >> 16)); put16(p + 2, (uint16_t)v); }

int pcapgen_open(struct pcapgen *g, const char *path, uint64_t start_time_us)
{
    memset(g, 0, sizeof *g);
    g->dead = pcap_open_dead(DLT_EN10MB, 65535);
    g->out = g->dead ? pcap_dump_open(g->dead, path) : NULL;
    if (!g->out) {
        fprintf(stderr, "pcapgen: cannot write %s: %s\n", path, g->dead ? pcap_geterr(g->dead) : "no memory");
        return -1;
    }
    g->time_us = start_time_us;
    return 0;
}

void pcapgen_close(struct pcapgen *g)
{
    if (g->out)
        pcap_dump_close(g->out);
    if (g->dead)
        pcap_close(g->dead);
    memset(g, 0, sizeof *g);
}

void pcapgen_advance(struct pcapgen *g, uint64_t us) { g->time_us += us; }

static void write_frame(struct pcapgen *g, const uint8_t *frame, size_t len)
{
    struct pcap_pkthdr h = {
        .ts = { .tv_sec = (time_t)(g->time_us / 1000000), .tv_usec = (suseconds_t)(g->time_us % 1000000) },
        .caplen = (bpf_u_int32)len,
        .len = (bpf_u_int32)len,
    };
    pcap_dump((u_char *)g->out, &h, frame);
    g->packets++;
    g->bytes += len;
}

static void mac_for_ip(uint32_t ip, uint8_t mac[6])
{
    mac[0] = 0x02; /* locally administered */
    mac[1] = 0x00;
    put32(mac + 2, ip);
}

/* Ethernet + IPv4 header; returns the offset of the L4 header. */
static size_t put_eth_ipv4(uint8_t *f, uint32_t src, uint32_t dst, uint8_t proto, size_t l4_len)
{
    mac_for_ip(dst, f);
    mac_for_ip(src, f + 6);
    put16(f + 12, 0x0800);
    uint8_t *ip = f + ETH_LEN;
    memset(ip, 0, IPV4_LEN);
    ip[0] = 0x45;
    put16(ip + 2, (uint16_t)(IPV4_LEN + l4_len));
    ip[6] = 0x40; /* don't fragment */
    ip[8] = 64;
    ip[9] = proto;
    put32(ip + 12, src);
    put32(ip + 16, dst);
    return ETH_LEN + IPV4_LEN;
}

static void tcp_segment(struct pcapgen *g, struct gen_tcp_flow *f, bool to_server, uint8_t flags,
                        const uint8_t *payload, size_t len)
{
    uint8_t frame[FRAME_MAX];
    if (len > FRAME_MAX - ETH_LEN - IPV4_LEN - TCP_LEN)
        len = FRAME_MAX - ETH_LEN - IPV4_LEN - TCP_LEN;
    uint32_t src = to_server ? f->client_ip : f->server_ip, dst = to_server ? f->server_ip : f->client_ip;
    uint32_t *seq = to_server ? &f->client_seq : &f->server_seq;
    uint32_t ack = to_server ? f->server_seq : f->client_seq;
    size_t off = put_eth_ipv4(frame, src, dst, 6, TCP_LEN + len);
    uint8_t *tcp = frame + off;
    memset(tcp, 0, TCP_LEN);
    put16(tcp, to_server ? f->client_port : f->server_port);
    put16(tcp + 2, to_server ? f->server_port : f->client_port);
    put32(tcp + 4, *seq);
    put32(tcp + 8, (flags & TCP_FLAG_ACK) ? ack : 0);
    tcp[12] = (TCP_LEN / 4) << 4;
    tcp[13] = flags;
    put16(tcp + 14, 65535);
    if (len)
        memcpy(tcp + TCP_LEN, payload, len);
    *seq += (uint32_t)len + ((flags & (TCP_FLAG_SYN | TCP_FLAG_FIN)) ? 1 : 0);
    write_frame(g, frame, off + TCP_LEN + len);
}

void gen_tcp_flow_init(struct gen_tcp_flow *f, uint32_t client_ip, uint16_t client_port, uint32_t server_ip,
                       uint16_t server_port)
{
    memset(f, 0, sizeof *f);
    f->client_ip = client_ip;
    f->server_ip = server_ip;
    f->client_port = client_port;
    f->server_port = server_port;
    f->client_seq = client_ip * 2654435761u + client_port;
    f->server_seq = server_ip * 40503u + server_port;
}

void gen_tcp_handshake(struct pcapgen *g, struct gen_tcp_flow *f)
{
    tcp_segment(g, f, true, TCP_FLAG_SYN, NULL, 0);
    tcp_segment(g, f, false, TCP_FLAG_SYN | TCP_FLAG_ACK, NULL, 0);
    tcp_segment(g, f, true, TCP_FLAG_ACK, NULL, 0);
}

void gen_tcp_data(struct pcapgen *g, struct gen_tcp_flow *f, bool to_server, const uint8_t *payload, size_t len)
{
    tcp_segment(g, f, to_server, TCP_FLAG_PSH | TCP_FLAG_ACK, payload, len);
}

void gen_tcp_close(struct pcapgen *g, struct gen_tcp_flow *f)
{
    tcp_segment(g, f, true, TCP_FLAG_FIN | TCP_FLAG_ACK, NULL, 0);
    tcp_segment(g, f, false, TCP_FLAG_FIN | TCP_FLAG_ACK, NULL, 0);
    tcp_segment(g, f, true, TCP_FLAG_ACK, NULL, 0);
}

void gen_udp(struct pcapgen *g, uint32_t src_ip, uint16_t sport, uint32_t dst_ip, uint16_t dport,
             const uint8_t *payload, size_t len)
{
    uint8_t frame[FRAME_MAX];
    if (len > FRAME_MAX - ETH_LEN - IPV4_LEN - UDP_LEN)
        len = FRAME_MAX - ETH_LEN - IPV4_LEN - UDP_LEN;
    size_t off = put_eth_ipv4(frame, src_ip, dst_ip, 17, UDP_LEN + len);
    uint8_t *udp = frame + off;
    put16(udp, sport);
    put16(udp + 2, dport);
    put16(udp + 4, (uint16_t)(UDP_LEN + len));
    put16(udp + 6, 0);
    if (len)
        memcpy(udp + UDP_LEN, payload, len);
    write_frame(g, frame, off + UDP_LEN + len);
}
