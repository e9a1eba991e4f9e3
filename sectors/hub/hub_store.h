/* hub_store.h — the hub's SQLite store (WAL, synchronous=FULL).
 *
 * Alerts in arrival order with a sequence number that subscribers resume from,
 * unique by alert id so that a retried alert is stored once; indicator sets by
 * sector and version; what each sensor last reported. An alert is acknowledged
 * to its sensor only after the transaction holding it has committed. The
 * `mamori-hub indicators push` command opens the same file while the hub runs;
 * WAL lets both work at once. */
#ifndef MAMORI_HUB_STORE_H
#define MAMORI_HUB_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sectors/alert_codec.h"

struct hub_store;

struct stored_alert {
    int64_t seq;
    char organisation[64];
    char sector[40];
    int severity;
    char topic[128];
    size_t len;
    uint8_t body[ALERT_MSGPACK_MAX];
};

struct stored_alert_meta {
    const char *id, *organisation, *site, *sensor_key, *sector, *category, *topic;
    int severity;
};

struct hub_store *hub_store_open(const char *path, char *err, size_t errlen);
void hub_store_close(struct hub_store *s);
bool hub_store_begin(struct hub_store *s);
bool hub_store_commit(struct hub_store *s);

/* 1 stored, 0 already stored (same id), -1 error. */
int hub_store_add_alert(struct hub_store *s, const struct stored_alert_meta *m, const void *body, size_t len);
/* The first alert with seq > after and severity >= min_severity; false when none. */
bool hub_store_next_alert(struct hub_store *s, int64_t after, int min_severity, struct stored_alert *out);
/* Sequence number of an alert id, or -1 when unknown. */
int64_t hub_store_seq_of(struct hub_store *s, const char *id);
int64_t hub_store_last_seq(struct hub_store *s);
/* Id of the last alert with seq <= at into out (37 bytes); false when none. */
bool hub_store_id_at(struct hub_store *s, int64_t at, char *out, size_t outlen);
int64_t hub_store_alert_count(struct hub_store *s);

/* Stores a new indicator set for a sector; returns its version (1, 2, ...) or 0. */
uint64_t hub_store_add_indicators(struct hub_store *s, const char *sector, const void *body, size_t len);
/* Version of the latest set of a sector, 0 when none. */
uint64_t hub_store_indicators_version(struct hub_store *s, const char *sector);
/* The latest set of a sector: version (0 when none) and a copy of the body in
 * buf (up to cap bytes; *len is its size). */
uint64_t hub_store_latest_indicators(struct hub_store *s, const char *sector, void *buf, size_t cap, size_t *len);

/* What a sensor reported: indicator versions applied ("sector=version,..."). */
bool hub_store_sensor_seen(struct hub_store *s, const char *key, const char *name, const char *applied);

/* Calls fn for each sensor: name, last seen (unix seconds), applied versions. */
void hub_store_each_sensor(struct hub_store *s, void (*fn)(void *ctx, const char *name, int64_t last_seen,
                                                           const char *applied), void *ctx);

#endif
