/* hub_spool.h — the sensor's durable, bounded queue of alerts for the hub.
 *
 * A SQLite file (WAL, synchronous=FULL: a committed alert survives kill -9 and
 * power loss) holding each alert's msgpack body in arrival order until the hub
 * acknowledges it. The spool is bounded in bytes: when an alert does not fit,
 * the oldest alert of the lowest severity present goes first, as long as that
 * severity is not above the new alert's; otherwise the new alert is the one
 * dropped. Either way it is counted. Single-threaded: only the publisher thread
 * touches it. It does not talk to the network (hub_publisher.h does). */
#ifndef MAMORI_HUB_SPOOL_H
#define MAMORI_HUB_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sectors/alert_codec.h"

struct hub_spool;

struct spool_record {
    int64_t seq; /* increasing, never reused */
    char id[ALERT_ID_LEN + 1];
    size_t len;
    uint8_t body[ALERT_MSGPACK_MAX];
};

struct hub_spool *hub_spool_open(const char *path, uint64_t max_bytes, char *err, size_t errlen);
void hub_spool_close(struct hub_spool *s);

/* Group writes into one transaction (one fsync). */
bool hub_spool_begin(struct hub_spool *s);
bool hub_spool_commit(struct hub_spool *s);

/* Stores one alert, evicting by the rule above. False when the new alert
 * itself was dropped or could not be written. */
bool hub_spool_add(struct hub_spool *s, const char *id, int severity, const void *body, size_t len);
/* The first record with seq > after_seq; false when there is none. */
bool hub_spool_next(struct hub_spool *s, int64_t after_seq, struct spool_record *rec);
/* Removes an acknowledged (or refused) alert: 1 removed, 0 already gone, -1 error. */
int hub_spool_remove(struct hub_spool *s, const char *id);

uint64_t hub_spool_count(const struct hub_spool *s);
uint64_t hub_spool_bytes(const struct hub_spool *s);
/* Alerts lost because the spool was full (evicted or refused). */
uint64_t hub_spool_dropped(const struct hub_spool *s);

#endif
