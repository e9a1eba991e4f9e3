/* tcp_reassembly.h — in-order delivery of one TCP direction.
 *
 * Each direction of a flow is a tcp_stream. Segments at the expected sequence
 * number are delivered at once without copying; segments ahead of it are held
 * in pooled chunks (bounded per direction and across the pipeline) until the
 * hole before them fills. Exact retransmissions are dropped; where segments
 * overlap the first copy wins, and overlapping bytes that differ are reported
 * (an evasion attempt). A hole that is never filled — the held bytes exceed the
 * per-direction bound, the direction sends FIN, or the flow ends — is skipped
 * and the next delivery carries gap = true. A stream first seen without its
 * SYN (mid-stream pick-up) starts at the first sequence number seen. A stream
 * with keep_history set also remembers its last delivered bytes, and reports
 * a retransmission whose bytes differ from what was delivered.
 *
 * It knows nothing of flows, decoders or connection state. */
#ifndef MAMORI_TCP_REASSEMBLY_H
#define MAMORI_TCP_REASSEMBLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pipeline_stats;

#define TCP_CHUNK_DATA 1460
/* Delivered bytes remembered per direction (a power of two, within one chunk),
 * so a retransmission that changes them is seen. */
#define TCP_HISTORY_BYTES 1024

/* A held piece of out-of-order data, from the pipeline's pool. */
struct tcp_chunk {
    struct tcp_chunk *next;
    uint32_t seq;
    uint16_t len;
    uint8_t data[TCP_CHUNK_DATA];
};

struct tcp_stream {
    bool started;
    bool fin_seen, closed; /* FIN received; everything up to it delivered */
    uint32_t next_seq;     /* sequence number of the next byte to deliver */
    uint32_t fin_seq;
    bool gap_pending;      /* bytes were skipped since the last delivery */
    bool delivered;        /* some data has been delivered */
    bool keep_history;     /* remember the last TCP_HISTORY_BYTES delivered */
    struct tcp_chunk *history; /* ring indexed by seq % TCP_HISTORY_BYTES */
    uint32_t history_len;
    struct tcp_chunk *held; /* sorted by seq, never overlapping */
    size_t held_bytes;
    uint64_t gap_bytes;
};

struct tcp_stream_output {
    void (*deliver)(void *ctx, const uint8_t *data, size_t len, bool gap);
    void (*overlap_mismatch)(void *ctx);
    void *ctx;
};

struct tcp_reassembly {
    size_t stream_limit; /* held bytes per direction */
    size_t total_limit;  /* bytes of chunk memory across all streams */
    size_t chunks_allocated;
    struct tcp_chunk *free_chunks;
    size_t held_total;
    struct pipeline_stats *stats;
};

void tcp_reassembly_init(struct tcp_reassembly *r, size_t stream_limit, size_t total_limit,
                         struct pipeline_stats *stats);
/* Frees the chunk pool; every stream must have been released. */
void tcp_reassembly_destroy(struct tcp_reassembly *r);

/* One segment of this direction. flags are the TCP flags (packet.h). */
void tcp_stream_segment(struct tcp_reassembly *r, struct tcp_stream *s, uint32_t seq, uint8_t flags,
                        const uint8_t *data, size_t len, const struct tcp_stream_output *out);

/* `len` bytes at `seq` were on the wire but not captured (snap length): when
 * they are next in sequence, they are skipped as a gap at once instead of
 * holding everything after them. */
void tcp_stream_lost(struct tcp_reassembly *r, struct tcp_stream *s, uint32_t seq, size_t len,
                     const struct tcp_stream_output *out);

/* Skips every remaining hole and delivers everything held (flow end). */
void tcp_stream_flush(struct tcp_reassembly *r, struct tcp_stream *s, const struct tcp_stream_output *out);

/* Returns the held chunks to the pool and clears the stream. */
void tcp_stream_release(struct tcp_reassembly *r, struct tcp_stream *s);

#endif
