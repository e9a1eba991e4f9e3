/* stream_feed.h — drives any TCP decoder the way the capture core does, for
 * tests: bytes of each direction are held until parse() consumes them (up to
 * max_pdu, then dropped with a gap), and every event is captured as its
 * event-log JSON line (sensor/event_json.c). Test-only code. */
#ifndef MAMORI_TEST_STREAM_FEED_H
#define MAMORI_TEST_STREAM_FEED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocols/decoder.h"
#include "sensor/json_writer.h"

#define STREAM_FEED_MAX_EVENTS 4096
#define STREAM_FEED_HOLD_MAX (70 * 1024)

struct stream_feed {
    struct mamori_sink sink; /* first: the emit callback casts back */
    struct mamori_detail detail;
    struct json_writer writer;
    const struct mamori_decoder *decoder;
    void *state;
    uint8_t held[2][STREAM_FEED_HOLD_MAX];
    size_t held_len[2];
    bool pending_gap[2];
    uint64_t now_us;
    char *events[STREAM_FEED_MAX_EVENTS];
    size_t n_events;
};

/* A zero budget or timeout selects the decoder's defaults. Returns false when
 * the decoder refused the state budget. */
bool stream_feed_init(struct stream_feed *f, const struct mamori_decoder *dec, size_t state_budget,
                      uint64_t response_timeout_us);
void stream_feed_free(struct stream_feed *f);
/* Bytes of one direction at capture time t_us, in pieces of at most `chunk`
 * bytes (0: all at once). */
void stream_feed_bytes(struct stream_feed *f, enum mamori_direction dir, uint64_t t_us, const void *data,
                       size_t len, size_t chunk);
void stream_feed_gap(struct stream_feed *f, enum mamori_direction dir);
/* One whole UDP datagram: a single parse() call, as the core makes it. */
void stream_feed_datagram(struct stream_feed *f, enum mamori_direction dir, uint64_t t_us, const void *data,
                          size_t len);
void stream_feed_finish(struct stream_feed *f, uint64_t t_us);
/* Events whose JSON line contains `needle`. */
size_t stream_feed_count(const struct stream_feed *f, const char *needle);
/* All event lines joined with newlines (caller frees). */
char *stream_feed_join(const struct stream_feed *f);
/* The index of the first event containing every needle (NULL-terminated
 * list), or -1. */
long stream_feed_find(const struct stream_feed *f, const char *const *needles);

#endif
