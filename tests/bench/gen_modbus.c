/* gen_modbus.c — writes a Modbus-heavy benchmark capture: many long-lived
 * Modbus/TCP connections, each polling with the mix a SCADA master really
 * sends (reads of coils, inputs and registers of varying size, single and
 * multiple writes, write-and-read, diagnostics, device identification, an
 * exception now and then), with two requests pipelined in one segment and
 * responses split over two segments in part of the rounds, so that framing,
 * every decoding family and transaction pairing all do work. Every request is
 * answered; the request rate per connection stays far below the decoder's
 * flood bound. Deterministic for a given seed. Test-only code.
 *
 * usage: gen_modbus OUT.pcap PACKETS [CONNECTIONS] [SEED] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapgen.h"

#define ROUND_US 50000u /* one polling round per connection: 20 rounds per second */
#define MODBUS_PORT 502
#define ADU_MAX 260
#define MBAP_LEN 7
#define KINDS 12

static uint32_t next_random(uint32_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    return *state;
}

static uint32_t ip4(unsigned a, unsigned b, unsigned c, unsigned d) { return a << 24 | b << 16 | c << 8 | d; }

struct adu {
    uint8_t b[ADU_MAX];
    size_t len;
};

static void put8(struct adu *a, unsigned v) { a->b[a->len++] = (uint8_t)v; }
static void put16(struct adu *a, unsigned v)
{
    put8(a, v >> 8);
    put8(a, v & 0xff);
}

static void begin(struct adu *a, uint16_t tid, unsigned unit, unsigned fc)
{
    a->len = 0;
    put16(a, tid);
    put16(a, 0);
    put16(a, 0); /* length, patched by end() */
    put8(a, unit);
    put8(a, fc);
}

static void end(struct adu *a)
{
    size_t length = a->len - 6;
    a->b[4] = (uint8_t)(length >> 8);
    a->b[5] = (uint8_t)length;
}

/* One request of `kind` and its response. */
static void exchange(unsigned kind, uint16_t tid, uint32_t *rng, struct adu *req, struct adu *rsp)
{
    unsigned unit = 1, start = next_random(rng) % 1000, count = 1 + next_random(rng) % 60;
    switch (kind) {
    case 0: /* read coils */
    case 1: /* read discrete inputs */
        begin(req, tid, unit, kind + 1);
        put16(req, start);
        put16(req, count * 8);
        begin(rsp, tid, unit, kind + 1);
        put8(rsp, count);
        for (unsigned i = 0; i < count; i++)
            put8(rsp, next_random(rng));
        break;
    case 2: /* read holding registers */
    case 3: /* read input registers */
        begin(req, tid, unit, kind + 1);
        put16(req, start);
        put16(req, count);
        begin(rsp, tid, unit, kind + 1);
        put8(rsp, 2 * count);
        for (unsigned i = 0; i < count; i++)
            put16(rsp, next_random(rng) & 0xffff);
        break;
    case 4: /* write single coil: echo */
        begin(req, tid, unit, 5);
        put16(req, start);
        put16(req, next_random(rng) & 1 ? 0xff00 : 0);
        end(req);
        *rsp = *req;
        return;
    case 5: /* write single register: echo */
        begin(req, tid, unit, 6);
        put16(req, start);
        put16(req, next_random(rng) & 0xffff);
        end(req);
        *rsp = *req;
        return;
    case 6: /* write multiple registers */
        begin(req, tid, unit, 16);
        put16(req, start);
        put16(req, count);
        put8(req, 2 * count);
        for (unsigned i = 0; i < count; i++)
            put16(req, next_random(rng) & 0xffff);
        begin(rsp, tid, unit, 16);
        put16(rsp, start);
        put16(rsp, count);
        break;
    case 7: /* write multiple coils */
        begin(req, tid, unit, 15);
        put16(req, start);
        put16(req, count * 8);
        put8(req, count);
        for (unsigned i = 0; i < count; i++)
            put8(req, next_random(rng));
        begin(rsp, tid, unit, 15);
        put16(rsp, start);
        put16(rsp, count * 8);
        break;
    case 8: /* read/write multiple registers */
        begin(req, tid, unit, 23);
        put16(req, start);
        put16(req, 4);
        put16(req, start + 100);
        put16(req, 2);
        put8(req, 4);
        put16(req, 1);
        put16(req, 2);
        begin(rsp, tid, unit, 23);
        put8(rsp, 8);
        for (unsigned i = 0; i < 4; i++)
            put16(rsp, next_random(rng) & 0xffff);
        break;
    case 9: /* diagnostics: return query data */
        begin(req, tid, unit, 8);
        put16(req, 0);
        put16(req, next_random(rng) & 0xffff);
        end(req);
        *rsp = *req;
        return;
    case 10: /* read device identification */
        begin(req, tid, unit, 0x2b);
        put8(req, 0x0e);
        put8(req, 1);
        put8(req, 0);
        begin(rsp, tid, unit, 0x2b);
        put8(rsp, 0x0e);
        put8(rsp, 1);
        put8(rsp, 0x81);
        put8(rsp, 0);
        put8(rsp, 0);
        put8(rsp, 3);
        static const char *const objects[] = { "Bench Vendor", "BV-100", "V1.02" };
        for (unsigned i = 0; i < 3; i++) {
            put8(rsp, i);
            put8(rsp, (unsigned)strlen(objects[i]));
            for (const char *c = objects[i]; *c; c++)
                put8(rsp, (unsigned char)*c);
        }
        break;
    default: /* a read of an address the device lacks: exception 2 */
        begin(req, tid, unit, 3);
        put16(req, 60000);
        put16(req, 1);
        begin(rsp, tid, unit, 0x83);
        put8(rsp, 2);
        break;
    }
    end(req);
    end(rsp);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s OUT.pcap PACKETS [CONNECTIONS] [SEED]\n", argv[0]);
        return 2;
    }
    uint64_t target = strtoull(argv[2], NULL, 10);
    unsigned conns = argc > 3 ? (unsigned)atoi(argv[3]) : 100;
    uint32_t rng = argc > 4 ? (uint32_t)strtoul(argv[4], NULL, 10) : 4242u;
    if (conns == 0 || conns > 60000 || rng == 0) {
        fprintf(stderr, "gen_modbus: CONNECTIONS must be 1..60000 and SEED non-zero\n");
        return 2;
    }
    struct gen_tcp_flow *flows = calloc(conns, sizeof *flows);
    uint16_t *tids = calloc(conns, sizeof *tids);
    struct pcapgen g;
    if (!flows || !tids || pcapgen_open(&g, argv[1], 1700000000000000ull) != 0)
        return 1;
    for (unsigned i = 0; i < conns; i++) {
        gen_tcp_flow_init(&flows[i], ip4(10, 10, i / 250, 1 + i % 250), (uint16_t)(30000 + i % 30000),
                          ip4(10, 20, i / 250, 1 + i % 250), MODBUS_PORT);
        gen_tcp_handshake(&g, &flows[i]);
    }
    struct adu req[2], rsp[2];
    uint8_t both[2 * ADU_MAX];
    while (g.packets < target) {
        for (unsigned i = 0; i < conns && g.packets < target; i++) {
            unsigned style = next_random(&rng) % 4;
            if (style == 0) { /* two requests pipelined in one segment, two responses in one */
                for (int k = 0; k < 2; k++)
                    exchange(next_random(&rng) % KINDS, ++tids[i], &rng, &req[k], &rsp[k]);
                memcpy(both, req[0].b, req[0].len);
                memcpy(both + req[0].len, req[1].b, req[1].len);
                gen_tcp_data(&g, &flows[i], true, both, req[0].len + req[1].len);
                pcapgen_advance(&g, 4);
                memcpy(both, rsp[0].b, rsp[0].len);
                memcpy(both + rsp[0].len, rsp[1].b, rsp[1].len);
                gen_tcp_data(&g, &flows[i], false, both, rsp[0].len + rsp[1].len);
            } else {
                exchange(next_random(&rng) % KINDS, ++tids[i], &rng, &req[0], &rsp[0]);
                gen_tcp_data(&g, &flows[i], true, req[0].b, req[0].len);
                pcapgen_advance(&g, 3);
                if (style == 1 && rsp[0].len > MBAP_LEN + 1) { /* response split over two segments */
                    size_t cut = MBAP_LEN + 1;
                    gen_tcp_data(&g, &flows[i], false, rsp[0].b, cut);
                    gen_tcp_data(&g, &flows[i], false, rsp[0].b + cut, rsp[0].len - cut);
                } else
                    gen_tcp_data(&g, &flows[i], false, rsp[0].b, rsp[0].len);
            }
            pcapgen_advance(&g, 2);
        }
        pcapgen_advance(&g, ROUND_US);
    }
    for (unsigned i = 0; i < conns; i++)
        gen_tcp_close(&g, &flows[i]);
    fprintf(stderr, "gen_modbus: %llu packets, %llu bytes -> %s\n", (unsigned long long)g.packets,
            (unsigned long long)g.bytes, argv[1]);
    pcapgen_close(&g);
    free(flows);
    free(tids);
    return 0;
}
