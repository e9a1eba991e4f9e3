/* test_frame_ring.c — the reader→worker frame ring: order, wrap-around,
 * oversize frames, and a producer and consumer thread moving many frames of
 * every size without loss, duplication or corruption. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>

#include "sensor/frame_ring.h"

#define SMALL_RING 4096
#define STRESS_FRAMES 200000
#define STRESS_MAX_LEN 1600

/* Frame i has length i % STRESS_MAX_LEN and bytes (i + k) & 0xff. */
static uint32_t frame_len(uint32_t i) { return i % STRESS_MAX_LEN; }

static void fill_frame(uint8_t *buf, uint32_t i)
{
    for (uint32_t k = 0; k < frame_len(i); k++)
        buf[k] = (uint8_t)(i + k);
}

static bool frame_ok(const struct frame_record *rec, uint32_t i)
{
    if (rec->kind != FRAME_RECORD_PACKET || rec->caplen != frame_len(i) || rec->wirelen != frame_len(i) + 4 ||
        rec->time_us != (uint64_t)i * 10 || rec->linktype != (int32_t)(i % 3))
        return false;
    for (uint32_t k = 0; k < rec->caplen; k++)
        if (rec->data[k] != (uint8_t)(i + k))
            return false;
    return true;
}

Test(frame_ring, order_and_control_records)
{
    struct frame_ring r;
    cr_assert_eq(frame_ring_init(&r, SMALL_RING), 0);
    uint8_t frame[100];
    fill_frame(frame, 100);
    cr_assert(frame_ring_push(&r, FRAME_RECORD_PACKET, 1, 1000, frame, 100 % STRESS_MAX_LEN, 104));
    cr_assert(frame_ring_push(&r, FRAME_RECORD_TICK, 0, 2000, NULL, 0, 0));
    cr_assert(frame_ring_push(&r, FRAME_RECORD_FINISH, 0, 0, NULL, 0, 0));
    const struct frame_record *rec = frame_ring_peek(&r);
    cr_assert(frame_ok(rec, 100));
    frame_ring_release(&r, rec);
    rec = frame_ring_peek(&r);
    cr_assert_eq(rec->kind, FRAME_RECORD_TICK);
    cr_assert_eq(rec->time_us, 2000);
    frame_ring_release(&r, rec);
    rec = frame_ring_peek(&r);
    cr_assert_eq(rec->kind, FRAME_RECORD_FINISH);
    frame_ring_release(&r, rec);
    frame_ring_free(&r);
}

Test(frame_ring, wraps_around_many_times)
{
    struct frame_ring r;
    cr_assert_eq(frame_ring_init(&r, SMALL_RING), 0);
    cr_assert_eq(r.cap, SMALL_RING);
    uint8_t frame[STRESS_MAX_LEN];
    /* Lengths chosen so records straddle the end of the buffer in every way. */
    for (uint32_t i = 0; i < 5000; i++) {
        uint32_t len = (i * 37) % 1000;
        for (uint32_t k = 0; k < len; k++)
            frame[k] = (uint8_t)(i ^ k);
        cr_assert(frame_ring_push(&r, FRAME_RECORD_PACKET, 1, i, frame, len, len));
        const struct frame_record *rec = frame_ring_peek(&r);
        cr_assert_eq(rec->caplen, len);
        cr_assert_eq(rec->time_us, i);
        cr_assert_eq(memcmp(rec->data, frame, len), 0, "frame %u", i);
        frame_ring_release(&r, rec);
    }
    frame_ring_free(&r);
}

Test(frame_ring, refuses_a_frame_larger_than_half_the_ring)
{
    struct frame_ring r;
    cr_assert_eq(frame_ring_init(&r, SMALL_RING), 0);
    static uint8_t big[SMALL_RING];
    cr_assert_eq(frame_ring_max_frame(&r), SMALL_RING / 2 - sizeof(struct frame_record));
    cr_assert_not(frame_ring_push(&r, FRAME_RECORD_PACKET, 1, 0, big, (uint32_t)frame_ring_max_frame(&r) + 1, 0));
    cr_assert(frame_ring_push(&r, FRAME_RECORD_PACKET, 1, 0, big, (uint32_t)frame_ring_max_frame(&r), 0));
    frame_ring_free(&r);
}

static void *produce(void *arg)
{
    struct frame_ring *r = arg;
    static uint8_t frame[STRESS_MAX_LEN];
    for (uint32_t i = 0; i < STRESS_FRAMES; i++) {
        fill_frame(frame, i);
        frame_ring_push(r, FRAME_RECORD_PACKET, (int)(i % 3), (uint64_t)i * 10, frame, frame_len(i),
                        frame_len(i) + 4);
    }
    frame_ring_push(r, FRAME_RECORD_FINISH, 0, 0, NULL, 0, 0);
    return NULL;
}

Test(frame_ring, two_threads_move_every_frame_intact)
{
    struct frame_ring r;
    cr_assert_eq(frame_ring_init(&r, 64 * 1024), 0);
    pthread_t producer;
    cr_assert_eq(pthread_create(&producer, NULL, produce, &r), 0);
    uint32_t received = 0, bad = 0;
    for (;;) {
        const struct frame_record *rec = frame_ring_peek(&r);
        if (rec->kind == FRAME_RECORD_FINISH) {
            frame_ring_release(&r, rec);
            break;
        }
        if (!frame_ok(rec, received))
            bad++;
        received++;
        frame_ring_release(&r, rec);
    }
    pthread_join(producer, NULL);
    cr_assert_eq(received, STRESS_FRAMES);
    cr_assert_eq(bad, 0);
    frame_ring_free(&r);
}
