/* dnp3_feed.h — test driver for the DNP3 decoder without the capture core.
 *
 * Streams are fed the way the core feeds TCP (unconsumed bytes are held and
 * presented again with the next bytes); datagrams are fed one parse() call
 * each, as for UDP. Every event is kept as its event-log JSON line. The frame
 * builders wrap transport+application bytes into link frames with correct
 * CRCs, splitting a fragment over as many frames as asked. */
#ifndef MAMORI_TEST_DNP3_FEED_H
#define MAMORI_TEST_DNP3_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocols/decoder.h"
#include "sensor/json_writer.h"

#define DNP3_FEED_MAX_EVENTS 512
#define DNP3_FEED_HOLD 2048
#define DNP3_FEED_BUDGET (64 * 1024)
#define DNP3_FEED_TIMEOUT_US 5000000u /* the decoder's response timeout */
#define DNP3_CTL_MASTER_UNCONFIRMED 0xC4 /* DIR, PRM, unconfirmed user data */
#define DNP3_CTL_OUTSTATION_UNCONFIRMED 0x44

struct dnp3_feed {
    struct mamori_sink sink; /* first member: the emit callback casts back */
    struct mamori_detail detail;
    struct json_writer writer;
    void *state;
    uint8_t held[2][DNP3_FEED_HOLD];
    size_t held_len[2];
    char *lines[DNP3_FEED_MAX_EVENTS];
    size_t n_lines;
};

void dnp3_feed_init(struct dnp3_feed *f);
void dnp3_feed_free(struct dnp3_feed *f);
void dnp3_feed_stream(struct dnp3_feed *f, enum mamori_direction dir, uint64_t t_us, const void *data, size_t len);
void dnp3_feed_datagram(struct dnp3_feed *f, enum mamori_direction dir, uint64_t t_us, const void *data,
                        size_t len);
/* The flow ends at t_us (the decoder's finish()). */
void dnp3_feed_finish(struct dnp3_feed *f, uint64_t t_us);
/* Number of event lines containing `needle`. */
size_t dnp3_feed_count(const struct dnp3_feed *f, const char *needle);
/* Line i, or "" past the end. */
const char *dnp3_feed_line(const struct dnp3_feed *f, size_t i);

/* One link frame around `user` (at most 250 bytes); returns its wire length. */
size_t dnp3_build_frame(uint8_t *out, uint8_t ctl, uint16_t dst, uint16_t src, const uint8_t *user, size_t n);

/* An application fragment split into transport segments of at most
 * `segment_payload` bytes, each in its own link frame, transport sequence
 * numbers from *tr_seq on. Returns the bytes written to out. */
size_t dnp3_build_fragment(uint8_t *out, uint8_t ctl, uint16_t dst, uint16_t src, const uint8_t *app, size_t n,
                           size_t segment_payload, uint8_t *tr_seq);

#endif
