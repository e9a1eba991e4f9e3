/* gen_mixed.c — writes the benchmark's mixed capture: long-lived Modbus/TCP
 * polling connections (read holding registers, request and response every
 * round), short background TCP sessions (handshake, request, bulk response,
 * teardown) on ephemeral ports, and UDP query/response pairs from many
 * clients, so the flow table keeps turning over while the ICS sessions live on.
 * Deterministic for a given seed.
 *
 * usage: gen_mixed OUT.pcap PACKETS [ICS_CONNECTIONS] [SEED] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapgen.h"

#define ROUND_US 100000u         /* one polling round */
#define BULK_SEGMENT 1400
#define BULK_SEGMENTS 3
#define TCP_SESSIONS_PER_ROUND 20
#define UDP_PAIRS_PER_ROUND 50
#define MODBUS_PORT 502
#define MODBUS_REGISTERS 10
#define HTTP_PORT 8080
#define UDP_SERVICE_PORT 9000

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

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s OUT.pcap PACKETS [ICS_CONNECTIONS] [SEED]\n", argv[0]);
        return 2;
    }
    uint64_t target = strtoull(argv[2], NULL, 10);
    unsigned ics = argc > 3 ? (unsigned)atoi(argv[3]) : 200;
    uint32_t rng = argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 10) : 12345u;
    if (ics == 0 || ics > 60000 || rng == 0) {
        fprintf(stderr, "gen_mixed: ICS_CONNECTIONS must be 1..60000 and SEED non-zero\n");
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
    uint8_t payload[BULK_SEGMENT];
    memset(payload, 'x', sizeof payload);
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
        for (unsigned s = 0; s < TCP_SESSIONS_PER_ROUND && g.packets < target; s++, session++) {
            struct gen_tcp_flow web;
            gen_tcp_flow_init(&web, ip4(172, 16, (session >> 8) & 255, 1 + session % 250),
                              (uint16_t)(1024 + session % 60000), ip4(192, 0, 2, 10 + session % 20), HTTP_PORT);
            gen_tcp_handshake(&g, &web);
            gen_tcp_data(&g, &web, true, payload, 300);
            for (int k = 0; k < BULK_SEGMENTS; k++)
                gen_tcp_data(&g, &web, false, payload, BULK_SEGMENT);
            gen_tcp_close(&g, &web);
        }
        for (unsigned u = 0; u < UDP_PAIRS_PER_ROUND && g.packets < target; u++) {
            uint32_t client = ip4(172, 17, next_random(&rng) & 255, 1 + next_random(&rng) % 250);
            uint16_t port = (uint16_t)(1024 + next_random(&rng) % 60000);
            gen_udp(&g, client, port, ip4(172, 17, 0, 53), UDP_SERVICE_PORT, payload, 40);
            gen_udp(&g, ip4(172, 17, 0, 53), UDP_SERVICE_PORT, client, port, payload, 120);
        }
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
