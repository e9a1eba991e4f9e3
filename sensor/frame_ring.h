/* frame_ring.h — a bounded single-producer/single-consumer ring of frames.
 *
 * The reader thread copies each frame (with its capture metadata) into the
 * ring of the worker that owns its flow; the worker reads it in place and
 * releases it. Records are variable-sized and 8-byte aligned in one byte
 * buffer allocated up front, so nothing is allocated per frame. The only
 * synchronisation is a release/acquire pair on the head and tail counters: no
 * lock on the packet path. When the ring is full the producer waits (a file
 * is never dropped from; on a live interface the kernel buffer absorbs the
 * wait and pcap_stats counts what it cannot). Control records (tick, stats
 * snapshot, finish) travel in order with the frames. */
#ifndef MAMORI_FRAME_RING_H
#define MAMORI_FRAME_RING_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum frame_record_kind {
    FRAME_RECORD_PACKET,
    FRAME_RECORD_TICK,     /* expire idle state as of time_us */
    FRAME_RECORD_SNAPSHOT, /* publish a statistics snapshot */
    FRAME_RECORD_FINISH,   /* end of capture: the worker finishes and exits */
    FRAME_RECORD_PAD,      /* internal: skip to the start of the buffer */
};

struct frame_record {
    uint32_t size; /* whole record, header included, multiple of 8 */
    uint16_t kind;
    uint16_t reserved;
    int32_t linktype;
    uint32_t caplen;
    uint32_t wirelen;
    uint32_t reserved2;
    uint64_t time_us;
    uint8_t data[]; /* caplen bytes */
};

#define FRAME_RING_CACHE_LINE 64

struct frame_ring {
    uint8_t *buf;
    size_t cap; /* power of two */
    _Alignas(FRAME_RING_CACHE_LINE) _Atomic uint64_t head; /* written by the producer */
    uint64_t tail_seen;                                    /* producer's cached tail */
    _Alignas(FRAME_RING_CACHE_LINE) _Atomic uint64_t tail; /* written by the consumer */
    uint64_t head_seen;                                    /* consumer's cached head */
};

/* cap is rounded up to a power of two; it must hold the largest frame. */
int frame_ring_init(struct frame_ring *r, size_t cap);
void frame_ring_free(struct frame_ring *r);

/* The largest frame a ring of this capacity accepts. */
size_t frame_ring_max_frame(const struct frame_ring *r);

/* Producer: copies one record in, waiting while the ring is full. Returns
 * false only if caplen exceeds frame_ring_max_frame(). */
bool frame_ring_push(struct frame_ring *r, enum frame_record_kind kind, int linktype, uint64_t time_us,
                     const uint8_t *data, uint32_t caplen, uint32_t wirelen);

/* Consumer: the oldest record, waiting until there is one. */
const struct frame_record *frame_ring_peek(struct frame_ring *r);
/* Consumer: releases the record returned by the last peek. */
void frame_ring_release(struct frame_ring *r, const struct frame_record *rec);

#endif
