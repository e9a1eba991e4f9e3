/* gen_mixed.c — writes the benchmark's mixed capture: long-lived Modbus/TCP
 * polling connections (read holding registers, request and response every
 * round) beside the background an ICS network's span port also carries:
 * short web sessions (HTTP downloads and TLS sessions opened by a real
 * ClientHello with SNI, then bulk data), DNS query/response pairs from many
 * clients, and a share of opaque TCP and UDP flows no classifier knows, so the
 * flow table keeps turning over while the ICS sessions live on.
 * Deterministic for a given seed.
 *
 * usage: gen_mixed OUT.pcap PACKETS [ICS_CONNECTIONS] [SEED] [OPAQUE_PERCENT]
 *   OPAQUE_PERCENT (default 10): share of background sessions and datagrams
 *   carrying opaque bytes instead of HTTP/TLS/DNS (100: the worst case for
 *   nDPI, which then inspects every payload packet up to its limit). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapgen.h"

#define ROUND_US 100000u         /* one polling round */
#define BULK_SEGMENT 1400
#define BULK_SEGMENTS 6
#define TCP_SESSIONS_PER_ROUND 20
#define UDP_PAIRS_PER_ROUND 50
#define MODBUS_PORT 502
#define MODBUS_REGISTERS 10
#define HTTP_PORT 80
#define TLS_PORT 443
#define DNS_PORT 53
#define OPAQUE_TCP_PORT 8080
#define OPAQUE_UDP_PORT 9000
#define DEFAULT_OPAQUE_PERCENT 10
#define MAX_MESSAGE 512

static uint32_t next_random(uint32_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    return *state;
}

static uint32_t ip4(unsigned a, unsigned b, unsigned c, unsigned d) { return a << 24 | b << 16 | c << 8 | d; }

/* FC 3 request (is_request) or its response with MODBUS_REGISTERS values. */
static size_t modbus_read(uint8_t *out, uint16_t tid, bool is_request, uint32_t *rng)
{
    size_t n = 0;
    out[n++] = (uint8_t)(tid >> 8);
    out[n++] = (uint8_t)tid;
    out[n++] = 0;
    out[n++] = 0;
    size_t len_at = n;
    n += 2;
    out[n++] = 1; /* unit */
    out[n++] = 3;
    if (is_request) {
        out[n++] = 0;
        out[n++] = 0;
        out[n++] = 0;
        out[n++] = MODBUS_REGISTERS;
    } else {
        out[n++] = MODBUS_REGISTERS * 2;
        for (int i = 0; i < MODBUS_REGISTERS; i++) {
            uint16_t v = (uint16_t)next_random(rng);
            out[n++] = (uint8_t)(v >> 8);
            out[n++] = (uint8_t)v;
        }
    }
    size_t pdu = n - len_at - 2;
    out[len_at] = (uint8_t)(pdu >> 8);
    out[len_at + 1] = (uint8_t)pdu;
    return n;
}


static size_t put_text(uint8_t *out, const char *text)
{
    size_t n = strlen(text);
    memcpy(out, text, n);
    return n;
}

static size_t http_request(uint8_t *out, uint32_t session)
{
    char text[MAX_MESSAGE];
    int n = snprintf(text, sizeof text,
                     "GET /trends/export?tag=%u HTTP/1.1\r\nHost: historian.plant.example\r\n"
                     "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64)\r\nAccept: */*\r\n\r\n",
                     session % 1000);
    return put_text(out, n > 0 ? text : "");
}

static size_t http_response_head(uint8_t *out)
{
    char text[MAX_MESSAGE];
    snprintf(text, sizeof text,
             "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: text/csv\r\nContent-Length: %u\r\n\r\n",
             BULK_SEGMENT * BULK_SEGMENTS);
    return put_text(out, text);
}

static uint8_t *put_be16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return p + 2;
}

/* A TLS 1.2 record holding a ClientHello for `host` (SNI), as browsers send it. */
static size_t tls_client_hello(uint8_t *out, const char *host, uint32_t *rng)
{
    static const uint8_t ciphers[] = { 0x13, 0x01, 0x13, 0x02, 0xc0, 0x2b, 0xc0, 0x2f, 0xc0, 0x2c, 0xc0, 0x30 };
    size_t host_len = strlen(host);
    uint8_t *p = out + 9; /* record header (5) and handshake header (4) come last */
    *p++ = 3;
    *p++ = 3; /* client_version TLS 1.2 */
    for (int i = 0; i < 32; i++)
        *p++ = (uint8_t)next_random(rng);
    *p++ = 0; /* no session id */
    p = put_be16(p, sizeof ciphers);
    memcpy(p, ciphers, sizeof ciphers);
    p += sizeof ciphers;
    *p++ = 1;
    *p++ = 0; /* null compression */
    uint8_t *ext_len = p;
    p += 2;
    p = put_be16(p, 0x0000); /* server_name */
    p = put_be16(p, host_len + 5);
    p = put_be16(p, host_len + 3);
    *p++ = 0; /* host_name */
    p = put_be16(p, host_len);
    memcpy(p, host, host_len);
    p += host_len;
    p = put_be16(p, 0x000d); /* signature_algorithms */
    p = put_be16(p, 4);
    p = put_be16(p, 2);
    p = put_be16(p, 0x0403);
    put_be16(ext_len, (size_t)(p - ext_len - 2));
    size_t body = (size_t)(p - out) - 9;
    out[0] = 0x16;
    out[1] = 3;
    out[2] = 1;
    put_be16(out + 3, body + 4);
    out[5] = 1; /* client_hello */
    out[6] = (uint8_t)(body >> 16);
    put_be16(out + 7, body);
    return (size_t)(p - out);
}

/* TLS application data records filling a segment. */
static size_t tls_application_data(uint8_t *out, size_t len, uint32_t *rng)
{
    out[0] = 0x17;
    out[1] = 3;
    out[2] = 3;
    put_be16(out + 3, len - 5);
    for (size_t i = 5; i < len; i++)
        out[i] = (uint8_t)next_random(rng);
    return len;
}

/* A DNS query (or its response with one A record) for `host`. */
static size_t dns_message(uint8_t *out, uint16_t id, const char *host, bool response)
{
    uint8_t *p = out;
    p = put_be16(p, id);
    p = put_be16(p, response ? 0x8180 : 0x0100);
    p = put_be16(p, 1);
    p = put_be16(p, response ? 1 : 0);
    p = put_be16(p, 0);
    p = put_be16(p, 0);
    const char *label = host;
    while (*label) {
        const char *dot = strchr(label, '.');
        size_t n = dot ? (size_t)(dot - label) : strlen(label);
        *p++ = (uint8_t)n;
        memcpy(p, label, n);
        p += n;
        label += n + (dot ? 1 : 0);
    }
    *p++ = 0;
    p = put_be16(p, 1); /* A */
    p = put_be16(p, 1); /* IN */
    if (response) {
        p = put_be16(p, 0xc00c); /* the name above */
        p = put_be16(p, 1);
        p = put_be16(p, 1);
        p = put_be16(p, 0);
        p = put_be16(p, 300);
        p = put_be16(p, 4);
        *p++ = 10;
        *p++ = 3;
        *p++ = 0;
        *p++ = (uint8_t)id;
    }
    return (size_t)(p - out);
}

static void opaque_bytes(uint8_t *out, size_t len, uint32_t *rng)
{
    for (size_t i = 0; i < len; i++)
        out[i] = (uint8_t)next_random(rng);
}

/* One background TCP session: handshake, request, bulk response, teardown. */
static void background_session(struct pcapgen *g, uint32_t session, bool opaque, uint32_t *rng)
{
    static const char *const hosts[] = { "update.vendor.example", "portal.plant.example", "mail.corp.example" };
    bool tls = session % 2 == 1;
    uint16_t port = opaque ? OPAQUE_TCP_PORT : tls ? TLS_PORT : HTTP_PORT;
    struct gen_tcp_flow web;
    gen_tcp_flow_init(&web, ip4(172, 16, (session >> 8) & 255, 1 + session % 250), (uint16_t)(1024 + session % 60000),
                      ip4(192, 0, 2, 10 + session % 20), port);
    gen_tcp_handshake(g, &web);
    uint8_t msg[BULK_SEGMENT];
    size_t n;
    if (opaque) {
        n = 300;
        opaque_bytes(msg, n, rng);
    } else {
        n = tls ? tls_client_hello(msg, hosts[session % 3], rng) : http_request(msg, session);
    }
    gen_tcp_data(g, &web, true, msg, n);
    for (int k = 0; k < BULK_SEGMENTS; k++) {
        if (opaque)
            opaque_bytes(msg, BULK_SEGMENT, rng);
        else if (tls)
            tls_application_data(msg, BULK_SEGMENT, rng);
        else if (k == 0)
            memset(msg + http_response_head(msg), 'x', BULK_SEGMENT - http_response_head(msg));
        else
            memset(msg, 'x', BULK_SEGMENT);
        gen_tcp_data(g, &web, false, msg, BULK_SEGMENT);
    }
    gen_tcp_close(g, &web);
}

/* One datagram exchange: a DNS lookup, or opaque bytes to a private service. */
static void background_datagrams(struct pcapgen *g, bool opaque, uint32_t *rng)
{
    uint32_t client = ip4(172, 17, next_random(rng) & 255, 1 + next_random(rng) % 250);
    uint16_t port = (uint16_t)(1024 + next_random(rng) % 60000);
    uint32_t server = ip4(172, 17, 0, 53);
    uint8_t msg[MAX_MESSAGE];
    if (opaque) {
        opaque_bytes(msg, 40, rng);
        gen_udp(g, client, port, server, OPAQUE_UDP_PORT, msg, 40);
        opaque_bytes(msg, 120, rng);
        gen_udp(g, server, OPAQUE_UDP_PORT, client, port, msg, 120);
        return;
    }
    uint16_t id = (uint16_t)next_random(rng);
    gen_udp(g, client, port, server, DNS_PORT, msg, dns_message(msg, id, "historian.plant.example", false));
    gen_udp(g, server, DNS_PORT, client, port, msg, dns_message(msg, id, "historian.plant.example", true));
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s OUT.pcap PACKETS [ICS_CONNECTIONS] [SEED] [OPAQUE_PERCENT]\n", argv[0]);
        return 2;
    }
    uint64_t target = strtoull(argv[2], NULL, 10);
    unsigned ics = argc > 3 ? (unsigned)atoi(argv[3]) : 200;
    uint32_t rng = argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 10) : 12345u;
    unsigned opaque_percent = argc > 5 ? (unsigned)atoi(argv[5]) : DEFAULT_OPAQUE_PERCENT;
    if (ics == 0 || ics > 60000 || rng == 0 || opaque_percent > 100) {
        fprintf(stderr, "gen_mixed: ICS_CONNECTIONS must be 1..60000, SEED non-zero, OPAQUE_PERCENT 0..100\n");
        return 2;
    }
    struct gen_tcp_flow *polls = calloc(ics, sizeof *polls);
    struct pcapgen g;
    if (!polls || pcapgen_open(&g, argv[1], 1700000000000000ull) != 0)
        return 1;

    for (unsigned i = 0; i < ics; i++) {
        gen_tcp_flow_init(&polls[i], ip4(10, 1, i / 250, 1 + i % 250), (uint16_t)(40000 + i % 20000),
                          ip4(10, 2, i / 250, 1 + i % 250), MODBUS_PORT);
        gen_tcp_handshake(&g, &polls[i]);
    }
    uint16_t tid = 0;
    uint32_t session = 0;
    while (g.packets < target) {
        for (unsigned i = 0; i < ics && g.packets < target; i++) {
            uint8_t pdu[64];
            tid++;
            gen_tcp_data(&g, &polls[i], true, pdu, modbus_read(pdu, tid, true, &rng));
            pcapgen_advance(&g, 3);
            gen_tcp_data(&g, &polls[i], false, pdu, modbus_read(pdu, tid, false, &rng));
        }
        for (unsigned s = 0; s < TCP_SESSIONS_PER_ROUND && g.packets < target; s++, session++)
            background_session(&g, session, next_random(&rng) % 100 < opaque_percent, &rng);
        for (unsigned u = 0; u < UDP_PAIRS_PER_ROUND && g.packets < target; u++)
            background_datagrams(&g, next_random(&rng) % 100 < opaque_percent, &rng);
        pcapgen_advance(&g, ROUND_US);
    }
    for (unsigned i = 0; i < ics; i++)
        gen_tcp_close(&g, &polls[i]);
    fprintf(stderr, "gen_mixed: %llu packets, %llu bytes -> %s\n", (unsigned long long)g.packets,
            (unsigned long long)g.bytes, argv[1]);
    pcapgen_close(&g);
    free(polls);
    return 0;
}
