/* indicator_watch.h — applies the indicator sets an ISAC pushes through the
 * hub: every flow and ICS event whose source or destination is a listed IP or
 * MAC address raises an alert (category "indicator-match").
 *
 * A set is text, one indicator per line: "ip ADDRESS" (IPv4 or IPv6),
 * "mac ADDRESS"; "#" starts a comment; other lines (advisories, profile
 * updates) are kept by the hub link but not matched here. Sets are loaded
 * from DIR/<sector>.indicators at start and replaced while the sensor runs
 * when the hub pushes a new version (no restart). The watch is an event-bus
 * engine (event_bus.h): lookups take a read lock; an update builds the new
 * table first and swaps it under the write lock. One alert per flow and
 * address. Memory is bounded by INDICATOR_WATCH_MAX entries. */
#ifndef MAMORI_INDICATOR_WATCH_H
#define MAMORI_INDICATOR_WATCH_H

#include <stddef.h>
#include <stdint.h>

#include "event_bus.h"
#include "sectors/alert.h"

#define INDICATOR_WATCH_MAX 65536

struct indicator_watch;

/* Loads DIR/<sector>.indicators (with <sector>.version) if present. `raise`
 * gets every alert after it was written to the alert log (may be NULL). */
struct indicator_watch *indicator_watch_new(const char *dir, void (*raise)(void *ctx, const struct mamori_alert *a),
                                            void *ctx);
void indicator_watch_free(struct indicator_watch *w);

/* Replaces the set of a sector; safe from any thread (the hub link's). */
void indicator_watch_update(struct indicator_watch *w, const char *sector, uint64_t version, const void *body,
                            size_t len);

/* Number of addresses watched now. */
size_t indicator_watch_count(struct indicator_watch *w);

/* The bus engine; attach with event_bus_attach(). */
const struct event_engine *indicator_watch_engine(struct indicator_watch *w);

#endif
