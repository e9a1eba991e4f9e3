/* hub_publisher.h — the sensor's side of the sector hub link.
 *
 * The capture path hands each alert to hub_publisher_submit(), which only
 * encodes it into a bounded in-memory queue and never waits on the network:
 * when the queue is full the alert is dropped and counted. A thread of its own
 * moves queued alerts into the durable spool (hub_spool.h), sends them in
 * spool order to the hub over a CURVE-encrypted ZeroMQ DEALER socket, keeps up
 * to `window` of them unacknowledged, removes each one from the spool when the
 * hub acknowledges its id, and sends everything unacknowledged again, oldest
 * first, when an acknowledgement is late (the hub deduplicates by id). Alerts
 * left in the spool at exit or after kill -9 are sent on the next start.
 *
 * The same link brings indicators down from the hub: each set is written to
 * indicators_dir/<sector>.indicators, handed to on_indicators, and its version
 * reported back to the hub (docs/hub.md has the wire protocol). */
#ifndef MAMORI_HUB_PUBLISHER_H
#define MAMORI_HUB_PUBLISHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sectors/alert.h"

struct hub_publisher_config {
    const char *endpoint;            /* tcp://HOST:PORT or ipc://PATH of the hub */
    const char *secret_key_file;     /* this sensor's CURVE secret key */
    const char *hub_public_key_file; /* the hub's CURVE public key */
    const char *spool_path;          /* SQLite file */
    uint64_t spool_max_bytes;
    size_t queue_capacity;           /* alerts between capture and the thread */
    unsigned window;                 /* alerts in flight without acknowledgement */
    unsigned ack_timeout_ms;         /* resend everything unacknowledged after this */
    const char *indicators_dir;      /* NULL: indicators are not accepted */
    void (*on_indicators)(void *ctx, const char *sector, uint64_t version, const void *body, size_t len);
    void *ctx;
};

struct hub_publisher_stats {
    uint64_t submitted;      /* handed to hub_publisher_submit() */
    uint64_t queue_dropped;  /* refused because the in-memory queue was full */
    uint64_t spooled;        /* written to the spool */
    uint64_t spool_dropped;  /* lost because the spool was full */
    uint64_t sent;           /* first transmissions */
    uint64_t resent;         /* retransmissions after a late acknowledgement */
    uint64_t acked;
    uint64_t rejected;       /* refused by the hub (reason logged) */
    uint64_t spool_count;    /* alerts waiting for acknowledgement */
    uint64_t spool_bytes;
    uint64_t queued;         /* alerts in the in-memory queue */
    uint64_t indicator_sets; /* indicator sets applied */
};

/* Fills defaults: 64 MiB spool, 1024 queued alerts, window 64, 2000 ms. */
void hub_publisher_config_defaults(struct hub_publisher_config *cfg);

/* Reads the keys, opens the spool and starts the thread; NULL with a one-line
 * reason in err on failure. */
struct hub_publisher *hub_publisher_start(const struct hub_publisher_config *cfg, char *err, size_t errlen);

/* Queues one alert; never blocks. False when it was dropped (queue full). */
bool hub_publisher_submit(struct hub_publisher *p, const struct mamori_alert *a);

void hub_publisher_get_stats(struct hub_publisher *p, struct hub_publisher_stats *out);

/* Stops the thread after it has delivered everything, or after drain_ms;
 * what is undelivered stays in the spool. Fills *final (if not NULL) with the
 * last counters. Frees p. */
void hub_publisher_stop(struct hub_publisher *p, unsigned drain_ms, struct hub_publisher_stats *final);

#endif
