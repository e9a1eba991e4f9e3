/* tcp_reassembly.c — per-direction TCP reassembly (see tcp_reassembly.h).
 *
 * Sequence numbers compare modulo 2^32 (seq_before), so streams that wrap
 * around zero work. In-order data goes straight to the output; held data sits
 * in a sorted, non-overlapping list of pooled chunks. */
#include "tcp_reassembly.h"

#include <stdlib.h>
#include <string.h>

#include "packet.h"
#include "pipeline_stats.h"

static bool seq_before(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static bool seq_before_eq(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static uint32_t chunk_end(const struct tcp_chunk *c) { return c->seq + c->len; }

void tcp_reassembly_init(struct tcp_reassembly *r, size_t stream_limit, size_t total_limit,
                         struct pipeline_stats *stats)
{
    memset(r, 0, sizeof *r);
    r->stream_limit = stream_limit;
    r->total_limit = total_limit;
    r->stats = stats;
}

void tcp_reassembly_destroy(struct tcp_reassembly *r)
{
    while (r->free_chunks) {
        struct tcp_chunk *c = r->free_chunks;
        r->free_chunks = c->next;
        free(c);
    }
    r->stats->memory_reassembly = 0;
    r->chunks_allocated = 0;
}

static struct tcp_chunk *chunk_get(struct tcp_reassembly *r)
{
    struct tcp_chunk *c = r->free_chunks;
    if (c) {
        r->free_chunks = c->next;
        return c;
    }
    if ((r->chunks_allocated + 1) * sizeof *c > r->total_limit)
        return NULL;
    c = malloc(sizeof *c);
    if (!c)
        return NULL;
    r->chunks_allocated++;
    r->stats->memory_reassembly = r->chunks_allocated * sizeof *c;
    return c;
}

static void chunk_put(struct tcp_reassembly *r, struct tcp_stream *s, struct tcp_chunk *c)
{
    s->held_bytes -= c->len;
    r->held_total -= c->len;
    r->stats->tcp_held_bytes = r->held_total;
    c->next = r->free_chunks;
    r->free_chunks = c;
}

/* Copies delivered bytes [seq, seq+len) into the history ring. */
static void remember(struct tcp_reassembly *r, struct tcp_stream *s, uint32_t seq, const uint8_t *data, size_t len)
{
    if (!s->history) {
        if (!(s->history = chunk_get(r)))
            return; /* no memory: this stream goes without history */
        s->history->len = 0;
        s->history->next = NULL;
    }
    if (len > TCP_HISTORY_BYTES) {
        data += len - TCP_HISTORY_BYTES;
        seq += (uint32_t)(len - TCP_HISTORY_BYTES);
        len = TCP_HISTORY_BYTES;
    }
    /* the ring position of seq, then at most two copies: up to the ring's end, and from its start */
    size_t at = seq & (TCP_HISTORY_BYTES - 1);
    size_t first = len < TCP_HISTORY_BYTES - at ? len : TCP_HISTORY_BYTES - at;
    memcpy(s->history->data + at, data, first);
    memcpy(s->history->data, data + first, len - first);
    s->history_len = s->history_len + len > TCP_HISTORY_BYTES ? TCP_HISTORY_BYTES : s->history_len + (uint32_t)len;
}

/* Compares old bytes [seq, seq+len) (all before next_seq) with the history. */
static void compare_with_history(struct tcp_reassembly *r, struct tcp_stream *s, uint32_t seq, const uint8_t *data,
                                 size_t len, const struct tcp_stream_output *out)
{
    if (!s->history || s->history_len == 0)
        return;
    uint32_t oldest = s->next_seq - s->history_len;
    if (seq_before(seq, oldest)) {
        uint32_t skip = oldest - seq;
        if (skip >= len)
            return;
        data += skip;
        len -= skip;
        seq = oldest;
    }
    for (size_t i = 0; i < len; i++) {
        if (s->history->data[(seq + i) & (TCP_HISTORY_BYTES - 1)] != data[i]) {
            r->stats->tcp_overlap_mismatches++;
            if (out->overlap_mismatch)
                out->overlap_mismatch(out->ctx);
            return;
        }
    }
}

static void deliver(struct tcp_reassembly *r, struct tcp_stream *s, const uint8_t *data, size_t len,
                    const struct tcp_stream_output *out)
{
    if (len == 0)
        return;
    if (s->keep_history)
        remember(r, s, s->next_seq, data, len);
    bool gap = s->gap_pending;
    s->gap_pending = false;
    s->delivered = true;
    s->next_seq += (uint32_t)len;
    out->deliver(out->ctx, data, len, gap);
}

static void check_overlap(struct tcp_reassembly *r, const uint8_t *first, const uint8_t *second, size_t len,
                          const struct tcp_stream_output *out)
{
    if (memcmp(first, second, len) != 0) {
        r->stats->tcp_overlap_mismatches++;
        if (out->overlap_mismatch)
            out->overlap_mismatch(out->ctx);
    }
}

/* Delivers from next_seq on, taking held chunks where they cover next_seq (the
 * first copy wins) and the new bytes [seq, seq+len) elsewhere. seq must not be
 * after next_seq when len > 0. */
static void deliver_in_order(struct tcp_reassembly *r, struct tcp_stream *s, uint32_t seq, const uint8_t *data,
                             size_t len, const struct tcp_stream_output *out)
{
    uint32_t end = seq + (uint32_t)len;
    for (;;) {
        struct tcp_chunk *h = s->held;
        while (h && seq_before_eq(chunk_end(h), s->next_seq)) {
            s->held = h->next;
            chunk_put(r, s, h);
            h = s->held;
        }
        if (h && seq_before_eq(h->seq, s->next_seq)) {
            uint32_t skip = s->next_seq - h->seq;
            const uint8_t *piece = h->data + skip;
            size_t piece_len = h->len - skip;
            if (len > 0 && seq_before(s->next_seq, end)) {
                size_t new_left = end - s->next_seq;
                size_t common = new_left < piece_len ? new_left : piece_len;
                check_overlap(r, piece, data + (s->next_seq - seq), common, out);
            }
            s->held = h->next;
            deliver(r, s, piece, piece_len, out);
            chunk_put(r, s, h);
            continue;
        }
        if (len > 0 && seq_before(s->next_seq, end)) {
            uint32_t limit = end;
            if (h && seq_before(h->seq, end))
                limit = h->seq;
            deliver(r, s, data + (s->next_seq - seq), limit - s->next_seq, out);
            continue;
        }
        break;
    }
    if (s->fin_seen && s->next_seq == s->fin_seq)
        s->closed = true;
}

enum hold_result { HOLD_ADDED, HOLD_ALREADY_HELD, HOLD_NO_MEMORY };

/* Inserts [seq, seq+len) (all after next_seq) into the held list, keeping
 * the bytes already held where they overlap. */
static enum hold_result hold(struct tcp_reassembly *r, struct tcp_stream *s, uint32_t seq, const uint8_t *data, size_t len,
                   const struct tcp_stream_output *out)
{
    uint32_t end = seq + (uint32_t)len;
    uint32_t cur = seq;
    size_t added = 0;
    struct tcp_chunk **link = &s->held;
    while (seq_before(cur, end)) {
        struct tcp_chunk *h = *link;
        if (h && seq_before_eq(chunk_end(h), cur)) {
            link = &h->next;
            continue;
        }
        if (h && seq_before_eq(h->seq, cur)) {
            /* held bytes cover cur: compare and keep them */
            uint32_t stop = seq_before(chunk_end(h), end) ? chunk_end(h) : end;
            check_overlap(r, h->data + (cur - h->seq), data + (cur - seq), stop - cur, out);
            cur = stop;
            link = &h->next;
            continue;
        }
        uint32_t stop = (h && seq_before(h->seq, end)) ? h->seq : end;
        if (stop - cur > TCP_CHUNK_DATA)
            stop = cur + TCP_CHUNK_DATA;
        struct tcp_chunk *c = chunk_get(r);
        if (!c) {
            r->stats->tcp_ooo_dropped++;
            return HOLD_NO_MEMORY;
        }
        c->seq = cur;
        c->len = (uint16_t)(stop - cur);
        memcpy(c->data, data + (cur - seq), c->len);
        c->next = h;
        *link = c;
        link = &c->next;
        s->held_bytes += c->len;
        r->held_total += c->len;
        added += c->len;
        cur = stop;
    }
    r->stats->tcp_held_bytes = r->held_total;
    if (r->held_total > r->stats->tcp_held_bytes_high_water)
        r->stats->tcp_held_bytes_high_water = r->held_total;
    return added > 0 ? HOLD_ADDED : HOLD_ALREADY_HELD;
}

/* Gives up on the hole before the first held chunk: skips to it and delivers. */
static void skip_hole(struct tcp_reassembly *r, struct tcp_stream *s, const struct tcp_stream_output *out)
{
    if (!s->held)
        return;
    uint32_t lost = s->held->seq - s->next_seq;
    if (seq_before(s->next_seq, s->held->seq)) {
        s->gap_bytes += lost;
        r->stats->tcp_gaps++;
        r->stats->tcp_gap_bytes += lost;
        s->gap_pending = true;
        s->next_seq = s->held->seq;
    }
    deliver_in_order(r, s, s->next_seq, NULL, 0, out);
}

static void add_data(struct tcp_reassembly *r, struct tcp_stream *s, uint32_t seq, const uint8_t *data, size_t len,
                     const struct tcp_stream_output *out)
{
    if (s->closed)
        return;
    if (seq_before(seq, s->next_seq)) {
        uint32_t old = s->next_seq - seq;
        bool keepalive = len == 1 && old == 1; /* one byte below next_seq, often garbage */
        if (!keepalive)
            compare_with_history(r, s, seq, data, old < len ? old : len, out);
        if (old >= len) {
            r->stats->tcp_retransmitted++;
            return;
        }
        data += old;
        len -= old;
        seq = s->next_seq;
    }
    if (seq == s->next_seq) {
        deliver_in_order(r, s, seq, data, len, out);
        return;
    }
    enum hold_result held = hold(r, s, seq, data, len, out);
    if (held == HOLD_ADDED)
        r->stats->tcp_out_of_order++;
    else if (held == HOLD_ALREADY_HELD)
        r->stats->tcp_retransmitted++; /* compared with what was held */
    while (s->held && s->held_bytes > r->stream_limit)
        skip_hole(r, s, out);
}

void tcp_stream_segment(struct tcp_reassembly *r, struct tcp_stream *s, uint32_t seq, uint8_t flags,
                        const uint8_t *data, size_t len, const struct tcp_stream_output *out)
{
    r->stats->tcp_segments++;
    bool syn = (flags & PACKET_TCP_SYN) != 0;
    if (!s->started || (syn && !s->delivered && !s->held && seq + 1 != s->next_seq)) {
        /* first segment, or a SYN retried with a new ISN before any data */
        s->started = true;
        s->next_seq = syn ? seq + 1 : seq;
    }
    uint32_t data_seq = syn ? seq + 1 : seq;
    if (len > 0)
        add_data(r, s, data_seq, data, len, out);
    if ((flags & PACKET_TCP_FIN) && !s->fin_seen) {
        s->fin_seen = true;
        s->fin_seq = data_seq + (uint32_t)len;
        while (s->held && !s->closed)
            skip_hole(r, s, out);
        if (s->next_seq == s->fin_seq)
            s->closed = true;
    }
}

void tcp_stream_lost(struct tcp_reassembly *r, struct tcp_stream *s, uint32_t seq, size_t len,
                     const struct tcp_stream_output *out)
{
    if (!s->started || s->closed || len == 0 || seq != s->next_seq)
        return;
    s->next_seq += (uint32_t)len;
    s->gap_bytes += len;
    s->gap_pending = true;
    r->stats->tcp_gaps++;
    r->stats->tcp_gap_bytes += len;
    deliver_in_order(r, s, s->next_seq, NULL, 0, out);
}

void tcp_stream_flush(struct tcp_reassembly *r, struct tcp_stream *s, const struct tcp_stream_output *out)
{
    while (s->held)
        skip_hole(r, s, out);
}

void tcp_stream_release(struct tcp_reassembly *r, struct tcp_stream *s)
{
    if (s->history) {
        s->history->next = r->free_chunks;
        r->free_chunks = s->history;
    }
    while (s->held) {
        struct tcp_chunk *c = s->held;
        s->held = c->next;
        chunk_put(r, s, c);
    }
    memset(s, 0, sizeof *s);
}
