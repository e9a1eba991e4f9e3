/* test_reassembly.c — TCP reassembly of one direction: the same stream fed in
 * many segmentations and orders (random splits, reordering, duplicates,
 * overlapping copies) must deliver identical bytes; gaps, overlap mismatches,
 * bounds, mid-stream starts and sequence wraparound. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/packet.h"
#include "sensor/pipeline_stats.h"
#include "sensor/tcp_reassembly.h"

#define STREAM_LEN 6000

struct capture {
    uint8_t bytes[STREAM_LEN * 2];
    size_t len;
    size_t deliveries;
    size_t gap_deliveries;
    size_t first_gap_at; /* bytes delivered before the first gap-flagged delivery */
    size_t mismatches;
};

static void on_deliver(void *ctx, const uint8_t *data, size_t len, bool gap)
{
    struct capture *c = ctx;
    cr_assert(c->len + len <= sizeof c->bytes);
    if (gap && c->gap_deliveries++ == 0)
        c->first_gap_at = c->len;
    memcpy(c->bytes + c->len, data, len);
    c->len += len;
    c->deliveries++;
}

static void on_mismatch(void *ctx) { ((struct capture *)ctx)->mismatches++; }

struct fixture {
    struct pipeline_stats stats;
    struct tcp_reassembly r;
    struct tcp_stream s;
    struct capture cap;
    struct tcp_stream_output out;
};

static void fixture_init(struct fixture *f, size_t stream_limit, size_t total_limit)
{
    memset(f, 0, sizeof *f);
    tcp_reassembly_init(&f->r, stream_limit, total_limit, &f->stats);
    f->out = (struct tcp_stream_output){ on_deliver, on_mismatch, &f->cap };
}

static void fixture_done(struct fixture *f)
{
    tcp_stream_release(&f->r, &f->s);
    cr_assert_eq(f->r.held_total, 0);
    tcp_reassembly_destroy(&f->r);
}

static void seg(struct fixture *f, uint32_t seq, uint8_t flags, const uint8_t *data, size_t len)
{
    tcp_stream_segment(&f->r, &f->s, seq, flags, data, len, &f->out);
}

static uint32_t rng_state;
static uint32_t rng(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return rng_state >> 8;
}

static void fill_stream(uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)rng();
}

struct piece {
    uint32_t off;
    uint32_t len;
};

/* Feeds `stream` from isn+1 in a random segmentation, order, with duplicates
 * and consistent overlapping copies, then FIN; checks the bytes come out whole. */
static void one_trial(uint32_t isn, int trial)
{
    static uint8_t stream[STREAM_LEN];
    fill_stream(stream, sizeof stream);
    struct piece pieces[STREAM_LEN];
    size_t n = 0;
    for (uint32_t off = 0; off < STREAM_LEN;) {
        uint32_t len = 1 + rng() % (trial % 3 == 0 ? 40 : 700);
        if (off + len > STREAM_LEN)
            len = STREAM_LEN - off;
        pieces[n++] = (struct piece){ off, len };
        off += len;
    }
    /* duplicates and overlapping copies of random ranges */
    size_t extra = n / 4;
    for (size_t i = 0; i < extra; i++) {
        uint32_t off = rng() % STREAM_LEN;
        uint32_t len = 1 + rng() % 900;
        if (off + len > STREAM_LEN)
            len = STREAM_LEN - off;
        struct piece copy = (i % 2) ? pieces[rng() % n] : (struct piece){ off, len };
        pieces[n++] = copy;
    }
    /* reorder: local swaps keep the held bytes moderate, a few long jumps */
    for (size_t i = 0; i + 1 < n; i++) {
        size_t j = i + rng() % (trial % 4 == 0 ? 2 : 12);
        if (j >= n)
            j = n - 1;
        struct piece t = pieces[i];
        pieces[i] = pieces[j];
        pieces[j] = t;
    }
    struct fixture f;
    fixture_init(&f, 1u << 20, 64u << 20);
    f.s.keep_history = trial % 2; /* consistent duplicates are never mismatches */
    seg(&f, isn, PACKET_TCP_SYN, NULL, 0);
    for (size_t i = 0; i < n; i++)
        seg(&f, isn + 1 + pieces[i].off, PACKET_TCP_ACK, stream + pieces[i].off, pieces[i].len);
    seg(&f, isn + 1 + STREAM_LEN, PACKET_TCP_FIN | PACKET_TCP_ACK, NULL, 0);
    cr_assert_eq(f.cap.len, STREAM_LEN, "trial %d: delivered %zu of %d", trial, f.cap.len, STREAM_LEN);
    cr_assert_arr_eq(f.cap.bytes, stream, STREAM_LEN, "trial %d: delivered bytes differ", trial);
    cr_assert_eq(f.cap.gap_deliveries, 0, "trial %d", trial);
    cr_assert_eq(f.cap.mismatches, 0, "trial %d", trial);
    cr_assert_eq(f.stats.tcp_overlap_mismatches, 0);
    cr_assert_eq(f.stats.tcp_gap_bytes, 0);
    cr_assert_gt(f.stats.tcp_out_of_order, 0, "trial %d was fed in order", trial);
    cr_assert_gt(f.stats.tcp_retransmitted, 0, "trial %d had no duplicate", trial);
    cr_assert(f.s.closed);
    fixture_done(&f);
}

Test(reassembly, many_segmentations_and_orders_deliver_identical_bytes)
{
    rng_state = 12345;
    for (int trial = 0; trial < 200; trial++)
        one_trial(rng(), trial);
}

Test(reassembly, sequence_wraparound)
{
    rng_state = 777;
    const uint32_t isns[] = { 0xFFFFFFFFu, 0xFFFFFF00u, 0xFFFFF000u - 3000, 0x7FFFFFF0u };
    for (size_t i = 0; i < sizeof isns / sizeof isns[0]; i++)
        for (int trial = 0; trial < 20; trial++)
            one_trial(isns[i], trial);
}

Test(reassembly, in_order_segments_are_delivered_without_holding)
{
    struct fixture f;
    fixture_init(&f, 4096, 1 << 20);
    const uint8_t a[] = "hello ", b[] = "world";
    seg(&f, 100, PACKET_TCP_SYN, NULL, 0);
    seg(&f, 101, PACKET_TCP_ACK, a, 6);
    cr_assert_eq(f.cap.len, 6);
    seg(&f, 107, PACKET_TCP_ACK, b, 5);
    cr_assert_eq(f.cap.len, 11);
    cr_assert_eq(f.cap.deliveries, 2);
    cr_assert_arr_eq(f.cap.bytes, "hello world", 11);
    cr_assert_eq(f.r.chunks_allocated, 0);
    /* an exact retransmission is dropped and counted */
    seg(&f, 101, PACKET_TCP_ACK, a, 6);
    cr_assert_eq(f.cap.len, 11);
    cr_assert_eq(f.stats.tcp_retransmitted, 1);
    fixture_done(&f);
}

Test(reassembly, midstream_starts_at_first_sequence_seen)
{
    struct fixture f;
    fixture_init(&f, 4096, 1 << 20);
    const uint8_t a[] = "abc", b[] = "def";
    seg(&f, 5000, PACKET_TCP_ACK, b, 3);  /* first seen: no SYN */
    seg(&f, 4997, PACKET_TCP_ACK, a, 3);  /* older bytes: before the start */
    seg(&f, 5003, PACKET_TCP_ACK, a, 3);
    cr_assert_eq(f.cap.len, 6);
    cr_assert_arr_eq(f.cap.bytes, "defabc", 6);
    fixture_done(&f);
}

Test(reassembly, syn_with_data_and_fin_consume_sequence_numbers)
{
    struct fixture f;
    fixture_init(&f, 4096, 1 << 20);
    seg(&f, 10, PACKET_TCP_SYN, (const uint8_t *)"xy", 2); /* data on the SYN starts at 11 */
    seg(&f, 13, PACKET_TCP_ACK | PACKET_TCP_FIN, (const uint8_t *)"z", 1);
    cr_assert_eq(f.cap.len, 3);
    cr_assert_arr_eq(f.cap.bytes, "xyz", 3);
    cr_assert(f.s.closed);
    /* after FIN, more data is ignored */
    seg(&f, 15, PACKET_TCP_ACK, (const uint8_t *)"q", 1);
    cr_assert_eq(f.cap.len, 3);
    fixture_done(&f);
}

Test(reassembly, hole_skipped_at_fin_with_gap_flag)
{
    struct fixture f;
    fixture_init(&f, 4096, 1 << 20);
    seg(&f, 0, PACKET_TCP_SYN, NULL, 0);
    seg(&f, 1, PACKET_TCP_ACK, (const uint8_t *)"aaaa", 4);
    seg(&f, 9, PACKET_TCP_ACK, (const uint8_t *)"cccc", 4); /* bytes 5..8 never come */
    cr_assert_eq(f.cap.len, 4);
    cr_assert_eq(f.stats.tcp_out_of_order, 1);
    cr_assert_eq(f.s.held_bytes, 4);
    seg(&f, 13, PACKET_TCP_ACK | PACKET_TCP_FIN, (const uint8_t *)"dd", 2);
    cr_assert_eq(f.cap.len, 10);
    cr_assert_arr_eq(f.cap.bytes, "aaaaccccdd", 10);
    cr_assert_eq(f.cap.gap_deliveries, 1);
    cr_assert_eq(f.cap.first_gap_at, 4);
    cr_assert_eq(f.s.gap_bytes, 4);
    cr_assert_eq(f.stats.tcp_gaps, 1);
    cr_assert_eq(f.stats.tcp_gap_bytes, 4);
    cr_assert(f.s.closed);
    fixture_done(&f);
}

Test(reassembly, hole_skipped_when_held_bytes_exceed_the_bound)
{
    struct fixture f;
    fixture_init(&f, 1000, 1 << 20);
    uint8_t data[600];
    memset(data, 'x', sizeof data);
    seg(&f, 0, PACKET_TCP_SYN, NULL, 0);
    seg(&f, 101, PACKET_TCP_ACK, data, 600); /* hole of 100 bytes at 1..100 */
    cr_assert_eq(f.cap.len, 0);
    seg(&f, 701, PACKET_TCP_ACK, data, 600); /* 1200 held > 1000: give up on the hole */
    cr_assert_eq(f.cap.len, 1200);
    cr_assert_eq(f.cap.gap_deliveries, 1);
    cr_assert_eq(f.cap.first_gap_at, 0);
    cr_assert_eq(f.s.gap_bytes, 100);
    cr_assert_eq(f.s.held_bytes, 0);
    cr_assert_eq(f.stats.tcp_held_bytes_high_water, 1200);
    fixture_done(&f);
}

Test(reassembly, flush_at_flow_end_delivers_past_holes)
{
    struct fixture f;
    fixture_init(&f, 1 << 16, 1 << 20);
    seg(&f, 0, PACKET_TCP_SYN, NULL, 0);
    seg(&f, 11, PACKET_TCP_ACK, (const uint8_t *)"BB", 2);
    seg(&f, 21, PACKET_TCP_ACK, (const uint8_t *)"CC", 2);
    tcp_stream_flush(&f.r, &f.s, &f.out);
    cr_assert_eq(f.cap.len, 4);
    cr_assert_arr_eq(f.cap.bytes, "BBCC", 4);
    cr_assert_eq(f.cap.gap_deliveries, 2);
    cr_assert_eq(f.s.gap_bytes, 10 + 8);
    fixture_done(&f);
}

Test(reassembly, overlap_keeps_first_copy_and_reports_mismatch)
{
    struct fixture f;
    fixture_init(&f, 4096, 1 << 20);
    seg(&f, 0, PACKET_TCP_SYN, NULL, 0);
    seg(&f, 5, PACKET_TCP_ACK, (const uint8_t *)"EFGH", 4);    /* held first: bytes 5..8 */
    seg(&f, 1, PACKET_TCP_ACK, (const uint8_t *)"abcdXYgh", 8); /* in order, differs at 5..8 */
    cr_assert_eq(f.cap.len, 8);
    cr_assert_arr_eq(f.cap.bytes, "abcdEFGH", 8);
    cr_assert_eq(f.cap.mismatches, 1);
    cr_assert_eq(f.stats.tcp_overlap_mismatches, 1);

    /* two held copies of the same range that differ */
    seg(&f, 20, PACKET_TCP_ACK, (const uint8_t *)"1234", 4);
    seg(&f, 18, PACKET_TCP_ACK, (const uint8_t *)"zz12X4", 6);
    cr_assert_eq(f.cap.mismatches, 2);
    seg(&f, 9, PACKET_TCP_ACK, (const uint8_t *)"iiiiiiiii", 9);
    cr_assert_eq(f.cap.len, 8 + 9 + 2 + 4);
    cr_assert_arr_eq(f.cap.bytes + 17, "zz1234", 6);
    /* an identical overlap is no mismatch */
    seg(&f, 30, PACKET_TCP_ACK, (const uint8_t *)"pq", 2);
    seg(&f, 30, PACKET_TCP_ACK, (const uint8_t *)"pq", 2);
    cr_assert_eq(f.cap.mismatches, 2);
    cr_assert_eq(f.stats.tcp_retransmitted, 1);
    fixture_done(&f);
}

Test(reassembly, total_bound_drops_and_counts)
{
    struct fixture f;
    fixture_init(&f, 1 << 20, 2 * sizeof(struct tcp_chunk));
    uint8_t data[TCP_CHUNK_DATA];
    memset(data, 'k', sizeof data);
    seg(&f, 0, PACKET_TCP_SYN, NULL, 0);
    for (uint32_t i = 0; i < 3; i++)
        seg(&f, 1000 + i * TCP_CHUNK_DATA, PACKET_TCP_ACK, data, sizeof data);
    cr_assert_eq(f.r.chunks_allocated, 2);
    cr_assert_eq(f.s.held_bytes, 2 * TCP_CHUNK_DATA);
    cr_assert_eq(f.stats.tcp_ooo_dropped, 1);
    cr_assert_eq(f.stats.memory_reassembly, 2 * sizeof(struct tcp_chunk));
    fixture_done(&f);
}

Test(reassembly, large_segment_is_split_into_chunks)
{
    struct fixture f;
    fixture_init(&f, 1 << 20, 1 << 20);
    static uint8_t data[9000];
    rng_state = 5;
    fill_stream(data, sizeof data);
    seg(&f, 0, PACKET_TCP_SYN, NULL, 0);
    seg(&f, 1001, PACKET_TCP_ACK, data + 1000, 8000);
    cr_assert_eq(f.s.held_bytes, 8000);
    seg(&f, 1, PACKET_TCP_ACK, data, 1000);
    cr_assert_eq(f.cap.len, 9000);
    cr_assert_arr_eq(f.cap.bytes, data, 9000);
    fixture_done(&f);
}

Test(reassembly, syn_retried_with_a_new_isn_restarts_the_stream)
{
    struct fixture f;
    fixture_init(&f, 4096, 1 << 20);
    seg(&f, 1000, PACKET_TCP_SYN, NULL, 0);
    seg(&f, 5000, PACKET_TCP_SYN, NULL, 0);
    seg(&f, 5001, PACKET_TCP_ACK, (const uint8_t *)"go", 2);
    cr_assert_eq(f.cap.len, 2);
    cr_assert_eq(f.s.held_bytes, 0);
    /* once data flowed, a stray SYN changes nothing */
    seg(&f, 9000, PACKET_TCP_SYN, NULL, 0);
    seg(&f, 5003, PACKET_TCP_ACK, (const uint8_t *)"!", 1);
    cr_assert_eq(f.cap.len, 3);
    cr_assert_arr_eq(f.cap.bytes, "go!", 3);
    fixture_done(&f);
}

Test(reassembly, retransmission_that_changes_delivered_bytes_is_reported)
{
    struct fixture f;
    fixture_init(&f, 4096, 1 << 20);
    f.s.keep_history = true;
    seg(&f, 0, PACKET_TCP_SYN, NULL, 0);
    seg(&f, 1, PACKET_TCP_ACK, (const uint8_t *)"write 1\n", 8);
    seg(&f, 1, PACKET_TCP_ACK, (const uint8_t *)"write 1\n", 8); /* same bytes: no anomaly */
    cr_assert_eq(f.cap.mismatches, 0);
    cr_assert_eq(f.stats.tcp_retransmitted, 1);
    seg(&f, 1, PACKET_TCP_ACK, (const uint8_t *)"write 9\n", 8); /* changed: evasion */
    cr_assert_eq(f.cap.mismatches, 1);
    cr_assert_eq(f.stats.tcp_overlap_mismatches, 1);
    /* a partial overlap that differs in its old part, then continues */
    seg(&f, 7, PACKET_TCP_ACK, (const uint8_t *)"X\nmore\n", 7);
    cr_assert_eq(f.cap.mismatches, 2);
    cr_assert_eq(f.cap.len, 13);
    cr_assert_arr_eq(f.cap.bytes, "write 1\nmore\n", 13);
    /* a keep-alive (one garbage byte just below next_seq) is not an anomaly */
    seg(&f, 13, PACKET_TCP_ACK, (const uint8_t *)"", 1);
    cr_assert_eq(f.cap.mismatches, 2);
    /* bytes older than the history are not compared */
    static uint8_t bulk[3000];
    memset(bulk, 'b', sizeof bulk);
    seg(&f, 14, PACKET_TCP_ACK, bulk, sizeof bulk);
    seg(&f, 1, PACKET_TCP_ACK, (const uint8_t *)"XXXXXXXX", 8);
    cr_assert_eq(f.cap.mismatches, 2);
    fixture_done(&f);
}

Test(reassembly, history_compares_bytes_across_its_ring_end)
{
    struct fixture f;
    fixture_init(&f, 4096, 1 << 20);
    f.s.keep_history = true;
    static uint8_t filler[1000], across[100];
    memset(filler, 'a', sizeof filler);
    for (size_t i = 0; i < sizeof across; i++)
        across[i] = (uint8_t)('0' + i % 10);
    seg(&f, 0, PACKET_TCP_SYN, NULL, 0);
    seg(&f, 1, PACKET_TCP_ACK, filler, sizeof filler);
    seg(&f, 1001, PACKET_TCP_ACK, across, sizeof across); /* ring positions 1001..1023, then 0..76 */
    seg(&f, 1001, PACKET_TCP_ACK, across, sizeof across);
    cr_assert_eq(f.cap.mismatches, 0, "the same bytes, remembered across the wrap");
    across[sizeof across - 1] ^= 1; /* its last byte sits at ring position 76 */
    seg(&f, 1001, PACKET_TCP_ACK, across, sizeof across);
    cr_assert_eq(f.cap.mismatches, 1);
    fixture_done(&f);
}

Test(reassembly, without_history_old_bytes_are_not_compared)
{
    struct fixture f;
    fixture_init(&f, 4096, 1 << 20);
    seg(&f, 0, PACKET_TCP_SYN, NULL, 0);
    seg(&f, 1, PACKET_TCP_ACK, (const uint8_t *)"abc", 3);
    seg(&f, 1, PACKET_TCP_ACK, (const uint8_t *)"xyz", 3);
    cr_assert_eq(f.cap.mismatches, 0);
    cr_assert_eq(f.r.chunks_allocated, 0);
    fixture_done(&f);
}
