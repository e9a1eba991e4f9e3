/* alert_route.h — where every judge's alerts go: the sector engine's, the
 * firmware engine's. Each alert becomes one JSON line in the alert log and,
 * when the sensor has a hub link, goes to it too. Judges run on worker
 * threads, so emitting is serialised here; alerts are rare next to packets. */
#ifndef MAMORI_ALERT_ROUTE_H
#define MAMORI_ALERT_ROUTE_H

#include <stdint.h>

#include "../sensor/output.h"
#include "alert.h"

typedef void (*alert_sink_fn)(void *ctx, const struct mamori_alert *alert);

struct alert_route;

/* NULL when out of memory. */
struct alert_route *alert_route_new(void);
void alert_route_free(struct alert_route *r);
/* The alert log; until it is set, alerts still reach the sink. */
void alert_route_set_output(struct alert_route *r, struct output *out);
/* A second destination (the hub link), called after the alert log. */
void alert_route_set_sink(struct alert_route *r, alert_sink_fn sink, void *ctx);
void alert_route_emit(struct alert_route *r, const struct mamori_alert *alert);
/* Alerts emitted so far; dropped counts those too large to render. */
uint64_t alert_route_emitted(const struct alert_route *r);
uint64_t alert_route_dropped(const struct alert_route *r);

#endif
