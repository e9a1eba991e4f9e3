/* test_defrag.c — IPv4 and IPv6 fragment reassembly through the pipeline:
 * in order, reversed, overlapping (first copy wins), timed out, over the
 * datagram and byte bounds, malformed fragments. The reassembled UDP datagram
 * must reach the recorder decoder byte for byte. */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <string.h>

#include "frame_builder.h"
#include "harness.h"
#include "sensor/packet.h"

#define SEC 1000000ull
#define DATA_LEN 3001

static struct harness h;
static uint8_t udp_datagram[8 + DATA_LEN]; /* UDP header + data */
static uint8_t data[DATA_LEN];

static void setup(void)
{
    harness_config(&h);
    data[0] = '!'; /* the recorder takes a datagram starting with '!' whole */
    for (size_t i = 1; i < DATA_LEN; i++)
        data[i] = (uint8_t)(i * 7 + 3);
    const uint16_t udp_len = sizeof udp_datagram;
    const uint8_t header[8] = { 0x0d, 0x05, RECORDER_UDP_PORT >> 8, RECORDER_UDP_PORT & 0xff,
                                (uint8_t)(udp_len >> 8), (uint8_t)udp_len, 0, 0 };
    memcpy(udp_datagram, header, 8);
    memcpy(udp_datagram + 8, data, DATA_LEN);
}

static void teardown(void)
{
    if (h.pl)
        harness_stop(&h);
}

TestSuite(defrag, .init = setup, .fini = teardown);

static uint8_t *ether(uint8_t *p, uint16_t ethertype)
{
    memcpy(p, frame_dst_mac, 6);
    memcpy(p + 6, frame_src_mac, 6);
    p[12] = (uint8_t)(ethertype >> 8);
    p[13] = (uint8_t)ethertype;
    return p + 14;
}

/* One IPv4 fragment of `whole` (or of other bytes at the same place). */
static void frag4(uint64_t t, uint16_t id, uint32_t off, size_t len, bool more, const uint8_t *bytes)
{
    static uint8_t f[FRAME_MAX];
    uint8_t *p = ether(f, 0x0800);
    uint16_t total = (uint16_t)(20 + len);
    uint16_t flags = (uint16_t)((more ? 0x2000 : 0) | off / 8);
    uint8_t ip[20] = { 0x45, 0, (uint8_t)(total >> 8), (uint8_t)total, (uint8_t)(id >> 8), (uint8_t)id,
                       (uint8_t)(flags >> 8), (uint8_t)flags, 64, 17, 0, 0 };
    inet_pton(AF_INET, "10.9.9.1", ip + 12);
    inet_pton(AF_INET, "10.9.9.2", ip + 16);
    memcpy(p, ip, 20);
    memcpy(p + 20, (bytes ? bytes : udp_datagram) + off, len);
    size_t n = (size_t)(p + 20 + len - f);
    pipeline_packet(h.pl, LINKTYPE_ETHERNET, t, f, (uint32_t)n, (uint32_t)n);
}

static void frag6(uint64_t t, uint32_t id, uint32_t off, size_t len, bool more)
{
    static uint8_t f[FRAME_MAX];
    uint8_t *p = ether(f, 0x86DD);
    uint16_t plen = (uint16_t)(8 + len);
    uint8_t ip[40] = { 0x60, 0, 0, 0, (uint8_t)(plen >> 8), (uint8_t)plen, 44, 64 };
    inet_pton(AF_INET6, "2001:db8::1", ip + 8);
    inet_pton(AF_INET6, "2001:db8::2", ip + 24);
    uint16_t off_flags = (uint16_t)(off | (more ? 1 : 0));
    uint8_t fh[8] = { 17, 0, (uint8_t)(off_flags >> 8), (uint8_t)off_flags,
                      (uint8_t)(id >> 24), (uint8_t)(id >> 16), (uint8_t)(id >> 8), (uint8_t)id };
    memcpy(p, ip, 40);
    memcpy(p + 40, fh, 8);
    memcpy(p + 48, udp_datagram + off, len);
    size_t n = (size_t)(p + 48 + len - f);
    pipeline_packet(h.pl, LINKTYPE_ETHERNET, t, f, (uint32_t)n, (uint32_t)n);
}

static void assert_delivered_whole(void)
{
    pipeline_finish(h.pl);
    cr_assert_eq(recorder_n_finished, 1);
    const struct recorder_log *log = &recorder_finished[0];
    cr_assert_eq(log->parses[0], 1);
    cr_assert_eq(log->len[0], DATA_LEN);
    cr_assert_arr_eq(log->bytes[0], data, DATA_LEN);
}

#define TOTAL (8 + DATA_LEN)

Test(defrag, ipv4_in_order)
{
    harness_start(&h);
    frag4(SEC, 1, 0, 1480, true, NULL);
    frag4(SEC, 1, 1480, 1480, true, NULL);
    frag4(SEC, 1, 2960, TOTAL - 2960, false, NULL);
    const struct pipeline_stats *st = harness_stats(&h);
    cr_assert_eq(st->fragments, 3);
    cr_assert_eq(st->fragments_reassembled, 1);
    cr_assert_eq(st->fragments_dropped, 0);
    assert_delivered_whole();
    cr_assert_eq(h.flows[0].rec.where.src_port, 0x0d05);
}

Test(defrag, ipv4_reversed)
{
    harness_start(&h);
    frag4(SEC, 2, 2960, TOTAL - 2960, false, NULL);
    frag4(SEC, 2, 1480, 1480, true, NULL);
    cr_assert_eq(harness_stats(&h)->fragments_reassembled, 0);
    frag4(SEC, 2, 0, 1480, true, NULL);
    cr_assert_eq(harness_stats(&h)->fragments_reassembled, 1);
    assert_delivered_whole();
}

Test(defrag, ipv4_overlap_keeps_the_first_copy)
{
    static uint8_t other[TOTAL];
    memset(other, 0xAA, sizeof other);
    harness_start(&h);
    frag4(SEC, 3, 0, 1480, true, NULL);
    frag4(SEC, 3, 1000, 1480, true, other); /* 1000..1479 overlap: ignored; 1480..2479 taken */
    frag4(SEC, 3, 2480, TOTAL - 2480, false, NULL);
    const struct pipeline_stats *st = harness_stats(&h);
    cr_assert_eq(st->fragment_overlaps, 1);
    cr_assert_eq(st->fragments_reassembled, 1);
    pipeline_finish(h.pl);
    const struct recorder_log *log = &recorder_finished[0];
    cr_assert_eq(log->len[0], DATA_LEN);
    cr_assert_arr_eq(log->bytes[0], data, 1480 - 8);        /* first fragment intact */
    cr_assert_eq(log->bytes[0][1480 - 8], 0xAA);             /* then the second one's new bytes */
    cr_assert_arr_eq(log->bytes[0] + 2480 - 8, data + 2480 - 8, DATA_LEN - (2480 - 8));
}

Test(defrag, ipv4_timeout_drops_the_datagram)
{
    harness_start(&h);
    frag4(SEC, 4, 0, 1480, true, NULL);
    frag4(SEC, 4, 1480, 1480, true, NULL);
    pipeline_tick(h.pl, SEC + h.cfg.defrag_timeout_us);
    const struct pipeline_stats *st = harness_stats(&h);
    cr_assert_eq(st->fragments_timed_out, 1);
    cr_assert_eq(st->fragments_dropped, 2);
    frag4(SEC + h.cfg.defrag_timeout_us, 4, 2960, TOTAL - 2960, false, NULL);
    cr_assert_eq(st->fragments_reassembled, 0);
    pipeline_finish(h.pl);
    cr_assert_eq(recorder_n_finished, 0);
}

Test(defrag, max_datagrams_evicts_the_oldest)
{
    h.cfg.defrag_max_datagrams = 1;
    harness_start(&h);
    frag4(SEC, 10, 0, 1480, true, NULL);
    frag4(SEC, 11, 0, 1480, true, NULL); /* evicts datagram 10 */
    cr_assert_eq(harness_stats(&h)->fragments_dropped, 1);
    frag4(SEC, 11, 1480, 1480, true, NULL);
    frag4(SEC, 11, 2960, TOTAL - 2960, false, NULL);
    cr_assert_eq(harness_stats(&h)->fragments_reassembled, 1);
    assert_delivered_whole();
}

Test(defrag, total_bytes_bound)
{
    h.cfg.defrag_total_bytes = 2000;
    harness_start(&h);
    frag4(SEC, 12, 0, 1480, true, NULL);
    frag4(SEC, 12, 1480, 1480, true, NULL); /* 2960 > 2000: dropped */
    frag4(SEC, 12, 2960, TOTAL - 2960, false, NULL);
    const struct pipeline_stats *st = harness_stats(&h);
    cr_assert_eq(st->fragments_reassembled, 0);
    /* the second fragment and the first one held; then the last one, whose
     * place in the datagram (2960..3009) needs more buffer than the bound */
    cr_assert_eq(st->fragments_dropped, 3);
    pipeline_finish(h.pl);
    cr_assert_eq(recorder_n_finished, 0);
}

Test(defrag, malformed_fragments_are_dropped)
{
    harness_start(&h);
    frag4(SEC, 13, 0, 1479, true, NULL);      /* not a multiple of 8 with MF set */
    frag4(SEC, 14, 65528, 100, false, NULL);  /* would end past 65535 */
    const struct pipeline_stats *st = harness_stats(&h);
    cr_assert_eq(st->fragments, 2);
    cr_assert_eq(st->fragments_dropped, 2);
    cr_assert_eq(st->fragments_reassembled, 0);
}

Test(defrag, ipv6_out_of_order)
{
    harness_start(&h);
    frag6(SEC, 0xabcdef, 1448, 1448, true);
    frag6(SEC, 0xabcdef, 0, 1448, true);
    frag6(SEC, 0xabcdef, 2896, TOTAL - 2896, false);
    cr_assert_eq(harness_stats(&h)->fragments_reassembled, 1);
    cr_assert_eq(harness_stats(&h)->ipv6, 3);
    assert_delivered_whole();
    cr_assert_eq(h.flows[0].rec.where.ip_version, 6);
}

Test(defrag, far_fragments_cannot_exhaust_memory)
{
    h.cfg.defrag_total_bytes = 256 * 1024;
    h.cfg.defrag_max_datagrams = 1024;
    harness_start(&h);
    static uint8_t tail[TOTAL + 65000];
    memset(tail, 0x55, sizeof tail);
    /* 1000 datagrams, each only a last fragment 60000 bytes in */
    for (uint16_t id = 0; id < 1000; id++)
        frag4(SEC, (uint16_t)(100 + id), 60000, 16, false, tail);
    const struct pipeline_stats *st = harness_stats(&h);
    cr_assert_eq(st->fragments, 1000);
    cr_assert_leq(st->memory_defrag, 256 * 1024 + 65575 + 1024 * 1100, "memory_defrag %lu",
                  (unsigned long)st->memory_defrag);
    cr_assert_gt(st->fragments_dropped, 990);
    /* and a normal datagram still goes through afterwards */
    frag4(SEC, 7, 0, 1480, true, NULL);
    frag4(SEC, 7, 1480, TOTAL - 1480, false, NULL);
    cr_assert_eq(st->fragments_reassembled, 1);
}
