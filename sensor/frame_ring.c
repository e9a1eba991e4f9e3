/* frame_ring.c — the SPSC frame ring (see frame_ring.h for the protocol).
 *
 * head and tail count bytes ever written and released; a record never wraps:
 * when it does not fit before the end of the buffer, the producer skips to
 * the start (writing a PAD record when there is room for its header; a
 * shorter remainder is skipped by both sides by the same rule). */
#include "frame_ring.h"

#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RECORD_ALIGN 8
#define SPINS_BEFORE_YIELD 64
#define YIELDS_BEFORE_SLEEP 64
#define SLEEP_START_NS 20000L
#define SLEEP_MAX_NS 1000000L

static size_t align_record(size_t n)
{
    return (n + RECORD_ALIGN - 1) & ~(size_t)(RECORD_ALIGN - 1);
}

/* Escalating wait: spin, then yield, then sleep up to SLEEP_MAX_NS. */
static void backoff(unsigned *round)
{
    unsigned n = (*round)++;
    if (n < SPINS_BEFORE_YIELD)
        return;
    if (n < SPINS_BEFORE_YIELD + YIELDS_BEFORE_SLEEP) {
        sched_yield();
        return;
    }
    unsigned sleeps = n - SPINS_BEFORE_YIELD - YIELDS_BEFORE_SLEEP;
    long ns = SLEEP_START_NS;
    while (sleeps-- > 0 && ns < SLEEP_MAX_NS)
        ns *= 2;
    struct timespec ts = {0, ns < SLEEP_MAX_NS ? ns : SLEEP_MAX_NS};
    nanosleep(&ts, NULL);
}

int frame_ring_init(struct frame_ring *r, size_t cap)
{
    memset(r, 0, sizeof *r);
    size_t size = 4096;
    while (size < cap)
        size <<= 1;
    r->buf = aligned_alloc(FRAME_RING_CACHE_LINE, size);
    if (!r->buf)
        return -1;
    r->cap = size;
    atomic_init(&r->head, 0);
    atomic_init(&r->tail, 0);
    return 0;
}

void frame_ring_free(struct frame_ring *r)
{
    free(r->buf);
    r->buf = NULL;
}

size_t frame_ring_max_frame(const struct frame_ring *r)
{
    return r->cap / 2 - sizeof(struct frame_record);
}

bool frame_ring_push(struct frame_ring *r, enum frame_record_kind kind, int linktype, uint64_t time_us,
                     const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
    if (caplen > frame_ring_max_frame(r))
        return false;
    size_t need = align_record(sizeof(struct frame_record) + caplen);
    uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
    size_t offset = (size_t)(head & (r->cap - 1));
    size_t to_end = r->cap - offset;
    size_t skip = to_end < need ? to_end : 0;
    unsigned round = 0;
    while (r->cap - (size_t)(head - r->tail_seen) < skip + need) {
        r->tail_seen = atomic_load_explicit(&r->tail, memory_order_acquire);
        if (r->cap - (size_t)(head - r->tail_seen) >= skip + need)
            break;
        backoff(&round);
    }
    if (skip) {
        if (skip >= sizeof(struct frame_record)) {
            struct frame_record pad = {.size = (uint32_t)skip, .kind = FRAME_RECORD_PAD};
            memcpy(r->buf + offset, &pad, sizeof pad);
        }
        offset = 0;
    }
    struct frame_record hdr = {
        .size = (uint32_t)need,
        .kind = (uint16_t)kind,
        .linktype = linktype,
        .caplen = caplen,
        .wirelen = wirelen,
        .time_us = time_us,
    };
    memcpy(r->buf + offset, &hdr, sizeof hdr);
    if (caplen)
        memcpy(r->buf + offset + sizeof hdr, data, caplen);
    atomic_store_explicit(&r->head, head + skip + need, memory_order_release);
    return true;
}

const struct frame_record *frame_ring_peek(struct frame_ring *r)
{
    unsigned round = 0;
    for (;;) {
        uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
        if (r->head_seen == tail) {
            r->head_seen = atomic_load_explicit(&r->head, memory_order_acquire);
            if (r->head_seen == tail) {
                backoff(&round);
                continue;
            }
        }
        size_t offset = (size_t)(tail & (r->cap - 1));
        size_t to_end = r->cap - offset;
        if (to_end < sizeof(struct frame_record)) {
            atomic_store_explicit(&r->tail, tail + to_end, memory_order_release);
            continue;
        }
        const struct frame_record *rec = (const struct frame_record *)(r->buf + offset);
        if (rec->kind == FRAME_RECORD_PAD) {
            atomic_store_explicit(&r->tail, tail + rec->size, memory_order_release);
            continue;
        }
        return rec;
    }
}

void frame_ring_release(struct frame_ring *r, const struct frame_record *rec)
{
    uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    atomic_store_explicit(&r->tail, tail + rec->size, memory_order_release);
}
