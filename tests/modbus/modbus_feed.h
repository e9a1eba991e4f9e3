/* modbus_feed.h — drives the Modbus decoder the way the capture core does,
 * without the core: stream bytes per direction are held until parse()
 * consumes them (up to max_pdu, then dropped with a gap), and every event is
 * captured as its event-log JSON line (sensor/event_json.c) for comparison. */
#ifndef MAMORI_TEST_MODBUS_FEED_H
#define MAMORI_TEST_MODBUS_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocols/decoder.h"
#include "sensor/json_writer.h"

#define FEED_MAX_EVENTS 4096
#define FEED_HOLD_MAX 8192

struct feed {
    struct mamori_sink sink; /* first: the emit callback casts back */
    struct mamori_detail detail;
    struct json_writer writer;
    const struct mamori_decoder *decoder;
    void *state;
    uint8_t held[2][FEED_HOLD_MAX];
    size_t held_len[2];
    bool pending_gap[2];
    uint64_t now_us;
    char *events[FEED_MAX_EVENTS];
    size_t n_events;
};

/* response_timeout_us 0 selects the decoder's default. */
void feed_init(struct feed *f, uint64_t response_timeout_us);
void feed_free(struct feed *f);
/* Hands bytes of one direction to the decoder at capture time t_us. */
void feed_bytes(struct feed *f, enum mamori_direction dir, uint64_t t_us, const void *data, size_t len);
/* Bytes were lost in this direction before the next feed_bytes(). */
void feed_gap(struct feed *f, enum mamori_direction dir);
/* The flow ended: pending requests are reported. */
void feed_finish(struct feed *f, uint64_t t_us);
/* Events whose JSON line contains `needle`. */
size_t feed_count(const struct feed *f, const char *needle);
/* All event lines joined with newlines (caller frees). */
char *feed_join(const struct feed *f);

#endif
