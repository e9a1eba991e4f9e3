/* gen_dnp3.c — writes the benchmark's DNP3-heavy capture: many master to
 * outstation TCP sessions on port 20000 polling every round (class 0 integrity
 * poll answered by a response of binary inputs, counters and analog inputs
 * spread over several link frames, confirms, link status checks), a
 * select/operate pair on a control point now and then, and outstations on UDP
 * port 20000 sending unsolicited event reports. Link CRCs are real (computed
 * with the decoder's own CRC-16/DNP, which the unit tests check against the
 * catalogue value), so the whole DNP3 decode path runs. Deterministic.
 *
 * usage: gen_dnp3 OUT.pcap PACKETS [TCP_SESSIONS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapgen.h"
#include "protocols/dnp3/dnp3_crc.h"
#include "protocols/dnp3/dnp3_link.h"
#include "protocols/dnp3/dnp3_transport.h"

#define DNP3_PORT 20000
#define ROUND_US 200000u
#define MASTER_ADDR 1
#define CTL_MASTER 0xC4     /* DIR, PRM, unconfirmed user data */
#define CTL_OUTSTATION 0x44 /* PRM, unconfirmed user data */
#define CTL_LINK_STATUS_REQ 0xC9
#define CTL_LINK_STATUS 0x0B
#define POINTS_PER_TYPE 40  /* a response of ~700 bytes: 3 link frames */
#define OPERATE_EVERY 10    /* rounds between select/operate pairs */
#define UDP_OUTSTATIONS 20
#define WIRE_MAX 4096

static uint32_t ip4(unsigned a, unsigned b, unsigned c, unsigned d) { return a << 24 | b << 16 | c << 8 | d; }

static void put_le(uint8_t *out, size_t *n, uint32_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        out[(*n)++] = (uint8_t)(v >> (8 * i));
}

static void put_crc(uint8_t *out, size_t *n, const uint8_t *covered, size_t len)
{
    put_le(out, n, dnp3_crc(covered, len), 2);
}

static size_t link_frame(uint8_t *out, uint8_t ctl, uint16_t dst, uint16_t src, const uint8_t *user, size_t len)
{
    size_t n = 0;
    out[n++] = DNP3_START_FIRST;
    out[n++] = DNP3_START_SECOND;
    out[n++] = (uint8_t)(len + DNP3_LINK_LEN_HEADER_PART);
    out[n++] = ctl;
    put_le(out, &n, dst, 2);
    put_le(out, &n, src, 2);
    put_crc(out, &n, out, n);
    for (size_t done = 0; done < len; done += DNP3_LINK_BLOCK_LEN) {
        size_t block = len - done < DNP3_LINK_BLOCK_LEN ? len - done : DNP3_LINK_BLOCK_LEN;
        memcpy(out + n, user + done, block);
        n += block;
        put_crc(out, &n, user + done, block);
    }
    return n;
}

/* An application fragment in as many link frames as needed. */
static size_t fragment(uint8_t *out, uint8_t ctl, uint16_t dst, uint16_t src, const uint8_t *app, size_t len,
                       uint8_t *tr_seq)
{
    uint8_t user[DNP3_LINK_USER_MAX];
    size_t n = 0, per = DNP3_LINK_USER_MAX - 1;
    for (size_t done = 0; done < len; done += per) {
        size_t chunk = len - done < per ? len - done : per;
        user[0] = (uint8_t)((*tr_seq)++ & DNP3_TR_SEQ);
        if (done == 0)
            user[0] |= DNP3_TR_FIR;
        if (done + chunk >= len)
            user[0] |= DNP3_TR_FIN;
        memcpy(user + 1, app + done, chunk);
        n += link_frame(out + n, ctl, dst, src, user, chunk + 1);
    }
    return n;
}

/* Integrity poll response: g1v2, g20v1 and g30v1 over POINTS_PER_TYPE points. */
static size_t integrity_response(uint8_t *app, uint8_t seq, uint32_t round)
{
    size_t n = 0;
    app[n++] = (uint8_t)(0xC0 | seq);
    app[n++] = 0x81;
    app[n++] = 0x00;
    app[n++] = 0x00;
    static const uint8_t groups[][2] = { { 1, 2 }, { 20, 1 }, { 30, 1 } };
    for (size_t g = 0; g < 3; g++) {
        app[n++] = groups[g][0];
        app[n++] = groups[g][1];
        app[n++] = 0x00;
        app[n++] = 0;
        app[n++] = POINTS_PER_TYPE - 1;
        for (uint32_t i = 0; i < POINTS_PER_TYPE; i++) {
            app[n++] = 0x01 | (uint8_t)(((round + i) & 1) << 7);
            if (g > 0)
                put_le(app, &n, round * 10 + i, 4);
        }
    }
    return n;
}

struct session {
    struct gen_tcp_flow flow;
    uint16_t outstation;
    uint8_t app_seq, master_tr, outstation_tr;
};

static void send_app(struct pcapgen *g, struct session *s, bool from_master, const uint8_t *app, size_t len)
{
    uint8_t wire[WIRE_MAX];
    size_t n = from_master ? fragment(wire, CTL_MASTER, s->outstation, MASTER_ADDR, app, len, &s->master_tr)
                           : fragment(wire, CTL_OUTSTATION, MASTER_ADDR, s->outstation, app, len, &s->outstation_tr);
    gen_tcp_data(g, &s->flow, from_master, wire, n);
}

static void poll_round(struct pcapgen *g, struct session *s, uint32_t round)
{
    uint8_t app[1024];
    uint8_t seq = s->app_seq++ & 0x0F;
    const uint8_t read[] = { (uint8_t)(0xC0 | seq), 0x01, 60, 1, 0x06 };
    send_app(g, s, true, read, sizeof read);
    pcapgen_advance(g, 2);
    send_app(g, s, false, app, integrity_response(app, seq, round));
    pcapgen_advance(g, 2);
    if (round % OPERATE_EVERY == 0) {
        uint8_t crob[] = { 0, 0, 12, 1, 0x28, 1, 0, 3, 0, 0x03, 1, 100, 0, 0, 0, 100, 0, 0, 0, 0 };
        for (int step = 0; step < 2; step++) {
            uint8_t op_seq = s->app_seq++ & 0x0F;
            crob[0] = (uint8_t)(0xC0 | op_seq);
            crob[1] = step == 0 ? 0x03 : 0x04; /* select, then operate */
            send_app(g, s, true, crob, sizeof crob);
            crob[1] = 0x81;
            uint8_t resp[sizeof crob + 2];
            memcpy(resp, crob, 2);
            resp[2] = resp[3] = 0;
            memcpy(resp + 4, crob + 2, sizeof crob - 2);
            send_app(g, s, false, resp, sizeof resp);
        }
    }
    if (round % OPERATE_EVERY == 5) {
        uint8_t wire[64];
        gen_tcp_data(g, &s->flow, true, wire, link_frame(wire, CTL_LINK_STATUS_REQ, s->outstation, MASTER_ADDR, NULL, 0));
        gen_tcp_data(g, &s->flow, false, wire, link_frame(wire, CTL_LINK_STATUS, MASTER_ADDR, s->outstation, NULL, 0));
    }
}

static void udp_unsolicited(struct pcapgen *g, unsigned station, uint32_t round)
{
    uint8_t app[64], wire[128];
    size_t n = 0;
    app[n++] = (uint8_t)(0xD0 | (round & 0x0F)); /* FIR FIN UNS */
    app[n++] = 0x82;
    app[n++] = 0x00;
    app[n++] = 0x00;
    app[n++] = 32; /* g32v3: analog event with time */
    app[n++] = 3;
    app[n++] = 0x28;
    put_le(app, &n, 1, 2);
    put_le(app, &n, station, 2);
    app[n++] = 0x01;
    put_le(app, &n, round, 4);
    put_le(app, &n, 1700000000u + round, 4);
    put_le(app, &n, 0, 2);
    uint8_t tr = (uint8_t)round;
    size_t w = fragment(wire, CTL_OUTSTATION, MASTER_ADDR, (uint16_t)(100 + station), app, n, &tr);
    gen_udp(g, ip4(10, 30, 0, 1 + station), DNP3_PORT, ip4(10, 30, 1, 1), DNP3_PORT, wire, w);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s OUT.pcap PACKETS [TCP_SESSIONS]\n", argv[0]);
        return 2;
    }
    uint64_t target = strtoull(argv[2], NULL, 10);
    unsigned n_sessions = argc > 3 ? (unsigned)atoi(argv[3]) : 100;
    struct pcapgen g;
    struct session *sessions = calloc(n_sessions ? n_sessions : 1, sizeof *sessions);
    if (!sessions || n_sessions == 0 || pcapgen_open(&g, argv[1], 1700000000000000ull) != 0) {
        fprintf(stderr, "gen_dnp3: cannot write %s\n", argv[1]);
        return 1;
    }
    for (unsigned i = 0; i < n_sessions; i++) {
        gen_tcp_flow_init(&sessions[i].flow, ip4(10, 20, 0, 1), (uint16_t)(30000 + i), ip4(10, 21, i / 250, 1 + i % 250),
                          DNP3_PORT);
        sessions[i].outstation = (uint16_t)(10 + i);
        gen_tcp_handshake(&g, &sessions[i].flow);
    }
    for (uint32_t round = 0; g.packets < target; round++) {
        for (unsigned i = 0; i < n_sessions && g.packets < target; i++)
            poll_round(&g, &sessions[i], round);
        for (unsigned s = 0; s < UDP_OUTSTATIONS; s++)
            udp_unsolicited(&g, s, round);
        pcapgen_advance(&g, ROUND_US);
    }
    for (unsigned i = 0; i < n_sessions; i++)
        gen_tcp_close(&g, &sessions[i].flow);
    printf("%llu packets, %llu bytes in %s\n", (unsigned long long)g.packets, (unsigned long long)g.bytes, argv[1]);
    pcapgen_close(&g);
    free(sessions);
    return 0;
}
