/* gen_goose_sv.c — benchmark captures for the IEC 61850 layer-2 decoders.
 *
 *   gen_goose_sv OUT.pcap sv SECONDS [MERGING_UNITS]
 *       every merging unit publishes 9-2LE Sampled Values at 4800 frames/s
 *       (80 samples per 60 Hz cycle, smpCnt wrapping each second), VLAN-tagged,
 *       frames of all units interleaved in time order;
 *   gen_goose_sv OUT.pcap goose SECONDS [PUBLISHERS]
 *       a GOOSE storm: every publisher changes state every 20 ms and repeats
 *       each state at 2, 4 and 8 ms, with a 16-member allData.
 *
 * The frames are what real devices send, so the decoders take their normal
 * path (no anomalies). Test-only code; it writes with pcapgen's dumper. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcapgen.h"

#define SV_FRAMES_PER_SECOND 4800u
#define SV_ETHERTYPE 0x88ba
#define GOOSE_ETHERTYPE 0x88b8
#define VLAN_TPID 0x8100
#define VLAN_TCI 0x8000 /* priority 4, VLAN 0 */
#define GOOSE_STATE_PERIOD_US 20000u
#define FRAME_MAX 1518
#define START_TIME_US 1700000000000000ull

struct frame {
    uint8_t b[FRAME_MAX];
    size_t n;
};

static void put(struct frame *f, const void *p, size_t n)
{
    memcpy(f->b + f->n, p, n);
    f->n += n;
}

static void put_u8(struct frame *f, uint8_t v) { put(f, &v, 1); }

static void put_be(struct frame *f, uint64_t v, size_t octets)
{
    for (size_t i = 0; i < octets; i++)
        put_u8(f, (uint8_t)(v >> (8 * (octets - 1 - i))));
}

/* tag + definite length (short or two-octet long form) */
static void put_head(struct frame *f, uint8_t tag, size_t len)
{
    put_u8(f, tag);
    if (len < 0x80) {
        put_u8(f, (uint8_t)len);
    } else {
        put_u8(f, 0x82);
        put_be(f, len, 2);
    }
}

static void put_tlv(struct frame *f, uint8_t tag, const void *v, size_t n)
{
    put_head(f, tag, n);
    put(f, v, n);
}

static void put_uint_tlv(struct frame *f, uint8_t tag, uint32_t v)
{
    uint8_t b[5] = { 0, (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    size_t skip = 0;
    while (skip < 4 && b[skip] == 0 && !(b[skip + 1] & 0x80))
        skip++;
    put_tlv(f, tag, b + skip, 5 - skip);
}

static void ethernet(struct frame *f, const uint8_t *dst, const uint8_t *src, uint16_t ethertype, bool vlan)
{
    f->n = 0;
    put(f, dst, 6);
    put(f, src, 6);
    if (vlan) {
        put_be(f, VLAN_TPID, 2);
        put_be(f, VLAN_TCI, 2);
    }
    put_be(f, ethertype, 2);
}

/* APPID, Length, Reserved 1, Reserved 2 around an APDU built in `apdu` */
static void l2_header_and_apdu(struct frame *f, uint16_t appid, const struct frame *apdu)
{
    put_be(f, appid, 2);
    put_be(f, 8 + apdu->n, 2);
    put_be(f, 0, 4);
    put(f, apdu->b, apdu->n);
}

static void write_frame(struct pcapgen *g, const struct frame *f)
{
    struct pcap_pkthdr h;
    h.ts.tv_sec = (time_t)(g->time_us / 1000000u);
    h.ts.tv_usec = (suseconds_t)(g->time_us % 1000000u);
    h.caplen = h.len = (uint32_t)f->n;
    pcap_dump((u_char *)g->out, &h, f->b);
    g->packets++;
    g->bytes += f->n;
}

static void sv_frame(struct frame *f, unsigned unit, uint16_t smp_cnt)
{
    static const uint8_t dst[6] = { 0x01, 0x0c, 0xcd, 0x04, 0x00, 0x01 };
    uint8_t src[6] = { 0x00, 0x1b, 0x19, 0x10, (uint8_t)(unit >> 8), (uint8_t)unit };
    char sv_id[32];
    int id_len = snprintf(sv_id, sizeof sv_id, "MU%04uMU01", unit);
    struct frame asdu = { .n = 0 }, seq = { .n = 0 }, pdu = { .n = 0 }, apdu = { .n = 0 };
    uint8_t data[64];
    for (unsigned k = 0; k < 8; k++) {
        uint32_t value = (uint32_t)((int32_t)(smp_cnt * 13u + k * 1000u) - 20000);
        uint32_t quality = 0;
        for (unsigned i = 0; i < 4; i++) {
            data[8 * k + i] = (uint8_t)(value >> (24 - 8 * i));
            data[8 * k + 4 + i] = (uint8_t)(quality >> (24 - 8 * i));
        }
    }
    put_tlv(&asdu, 0x80, sv_id, (size_t)id_len);
    put_head(&asdu, 0x82, 2);
    put_be(&asdu, smp_cnt, 2);
    put_head(&asdu, 0x83, 4);
    put_be(&asdu, 1, 4);
    put_tlv(&asdu, 0x85, "\x02", 1);
    put_tlv(&asdu, 0x87, data, sizeof data);
    put_tlv(&seq, 0x30, asdu.b, asdu.n);
    put_uint_tlv(&pdu, 0x80, 1);
    put_tlv(&pdu, 0xa2, seq.b, seq.n);
    put_tlv(&apdu, 0x60, pdu.b, pdu.n);
    ethernet(f, dst, src, SV_ETHERTYPE, true);
    l2_header_and_apdu(f, (uint16_t)(0x4000 | (unit & 0x3fff)), &apdu);
}

static void goose_frame(struct frame *f, unsigned pub, uint32_t st_num, uint32_t sq_num, uint64_t time_us)
{
    static const uint8_t dst[6] = { 0x01, 0x0c, 0xcd, 0x01, 0x00, 0x01 };
    uint8_t src[6] = { 0x00, 0x1b, 0x19, 0x20, (uint8_t)(pub >> 8), (uint8_t)pub };
    char ref[64], ds[64], id[32];
    int ref_len = snprintf(ref, sizeof ref, "IED%04uPROT/LLN0$GO$gcbTrip", pub);
    int ds_len = snprintf(ds, sizeof ds, "IED%04uPROT/LLN0$DS_Trip", pub);
    int id_len = snprintf(id, sizeof id, "IED%04u_Trip", pub);
    struct frame data = { .n = 0 }, pdu = { .n = 0 }, apdu = { .n = 0 };
    for (unsigned i = 0; i < 8; i++) {
        put_tlv(&data, 0x83, (st_num + i) & 1 ? "\x01" : "\x00", 1);  /* boolean */
        put_tlv(&data, 0x84, (st_num + i) & 2 ? "\x06\x80" : "\x06\x40", 2); /* Dbpos bit-string */
    }
    uint8_t t[8];
    uint64_t secs = time_us / 1000000u, frac = (time_us % 1000000u) * (1u << 24) / 1000000u;
    for (unsigned i = 0; i < 4; i++)
        t[i] = (uint8_t)(secs >> (24 - 8 * i));
    t[4] = (uint8_t)(frac >> 16);
    t[5] = (uint8_t)(frac >> 8);
    t[6] = (uint8_t)frac;
    t[7] = 0x0a;
    put_tlv(&pdu, 0x80, ref, (size_t)ref_len);
    put_uint_tlv(&pdu, 0x81, 40);
    put_tlv(&pdu, 0x82, ds, (size_t)ds_len);
    put_tlv(&pdu, 0x83, id, (size_t)id_len);
    put_tlv(&pdu, 0x84, t, sizeof t);
    put_uint_tlv(&pdu, 0x85, st_num);
    put_uint_tlv(&pdu, 0x86, sq_num);
    put_tlv(&pdu, 0x87, "\x00", 1);
    put_uint_tlv(&pdu, 0x88, 1);
    put_tlv(&pdu, 0x89, "\x00", 1);
    put_uint_tlv(&pdu, 0x8a, 16);
    put_tlv(&pdu, 0xab, data.b, data.n);
    put_tlv(&apdu, 0x61, pdu.b, pdu.n);
    ethernet(f, dst, src, GOOSE_ETHERTYPE, true);
    l2_header_and_apdu(f, (uint16_t)(0x3000 | (pub & 0x0fff)), &apdu);
}

static void gen_sv(struct pcapgen *g, unsigned seconds, unsigned units)
{
    struct frame f;
    uint64_t ticks = (uint64_t)seconds * SV_FRAMES_PER_SECOND;
    for (uint64_t tick = 0; tick < ticks; tick++) {
        uint16_t smp_cnt = (uint16_t)(tick % SV_FRAMES_PER_SECOND);
        for (unsigned u = 0; u < units; u++) {
            sv_frame(&f, u, smp_cnt);
            write_frame(g, &f);
        }
        /* 1/4800 s = 208.33 us: spread the remainder so a second holds 4800 ticks */
        pcapgen_advance(g, (tick + 1) * 1000000u / SV_FRAMES_PER_SECOND - tick * 1000000u / SV_FRAMES_PER_SECOND);
    }
}

static void gen_goose(struct pcapgen *g, unsigned seconds, unsigned publishers)
{
    static const uint32_t repeat_at_us[] = { 0, 2000, 4000, 8000 }; /* then silence until the next state */
    struct frame f;
    uint64_t periods = (uint64_t)seconds * 1000000u / GOOSE_STATE_PERIOD_US;
    uint64_t start = g->time_us;
    for (uint64_t p = 0; p < periods; p++) {
        for (size_t r = 0; r < sizeof repeat_at_us / sizeof repeat_at_us[0]; r++) {
            uint64_t at = start + p * GOOSE_STATE_PERIOD_US + repeat_at_us[r];
            pcapgen_advance(g, at - g->time_us);
            for (unsigned pub = 0; pub < publishers; pub++) {
                goose_frame(&f, pub, (uint32_t)p + 1, (uint32_t)r, g->time_us);
                write_frame(g, &f);
            }
        }
    }
}

int main(int argc, char **argv)
{
    if (argc < 4 || (strcmp(argv[2], "sv") != 0 && strcmp(argv[2], "goose") != 0)) {
        fprintf(stderr, "usage: %s OUT.pcap sv|goose SECONDS [UNITS]\n", argv[0]);
        return 2;
    }
    unsigned seconds = (unsigned)strtoul(argv[3], NULL, 10);
    unsigned units = argc > 4 ? (unsigned)strtoul(argv[4], NULL, 10) : 8;
    if (seconds == 0 || units == 0 || units > 4096) {
        fprintf(stderr, "%s: SECONDS must be positive and UNITS 1..4096\n", argv[0]);
        return 2;
    }
    struct pcapgen g;
    if (pcapgen_open(&g, argv[1], START_TIME_US) != 0) {
        fprintf(stderr, "%s: cannot write %s\n", argv[0], argv[1]);
        return 1;
    }
    if (strcmp(argv[2], "sv") == 0)
        gen_sv(&g, seconds, units);
    else
        gen_goose(&g, seconds, units);
    printf("%llu packets, %llu bytes\n", (unsigned long long)g.packets, (unsigned long long)g.bytes);
    pcapgen_close(&g);
    return 0;
}
