/* engine.h — the detection engine: events and flow records in, alerts out.
 *
 * The engine judges every normalized ICS event (protocols/event.h) and every
 * finished flow (sensor/pipeline.h) against a sector profile with its site
 * file (profile.h) and, when given, a learned baseline (baseline.h). It raises
 * schema-v1 alerts (alert.h) with an ATT&CK for ICS technique, a one-line
 * summary and the evidence events: privileged operations by hosts whose role
 * does not permit them, reconnaissance and floods aggregated over windows
 * (a sweep of 200 units is one alert with count 200), forbidden and
 * unexpected protocols, external peers, GOOSE/SV integrity and timing, and
 * deviations from the baseline. Alerts are rate-limited per source, protocol and
 * finding by the profile's suppression windows.
 *
 * One engine is single-threaded; it never parses packet bytes and never
 * allocates after engine_new(). All state is in bounded tables; evictions are
 * counted in engine_stats. Time is capture time, taken from the events. */
#ifndef MAMORI_ENGINE_H
#define MAMORI_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "../protocols/event.h"
#include "../sensor/pipeline.h"
#include "alert.h"
#include "baseline.h"
#include "profile.h"

struct engine_output {
    /* The alert and its evidence are valid only during the call. */
    void (*on_alert)(void *ctx, const struct mamori_alert *alert);
    void *ctx;
};

struct engine_limits {
    size_t max_aggregates; /* windowed counters (sweeps, floods, storms) */
    size_t max_limiters;   /* rate-limit entries (source x finding) */
    size_t max_assets;     /* hosts seen in ICS traffic */
    size_t max_publishers; /* GOOSE/SV streams timed */
    size_t max_polls;      /* learned pairs whose polling period is followed */
};

struct engine_stats {
    uint64_t events, flows, alerts;
    uint64_t alerts_by_finding[FINDING__COUNT];
    uint64_t suppressed;         /* alerts withheld by a suppression window */
    uint64_t device_suppressed;  /* findings the site file suppresses for a device */
    uint64_t evicted_aggregates; /* windows dropped from a full table (reported first when firing) */
    uint64_t evicted_limiters, evicted_assets, evicted_publishers, evicted_polls;
};

struct engine;

void engine_limits_defaults(struct engine_limits *lim);

/* `profile` and `baseline` (NULL: no baseline) must outlive the engine.
 * `sensor` names this sensor in alerts. NULL on allocation failure. */
struct engine *engine_new(const struct mamori_profile *profile, const struct baseline *baseline,
                          const char *sensor, const struct engine_limits *lim, const struct engine_output *out);
void engine_free(struct engine *e);

void engine_event(struct engine *e, const struct mamori_event *ev);
void engine_flow(struct engine *e, const struct flow_record *rec);
/* Closes every window that ended before now_us (capture time). */
void engine_tick(struct engine *e, uint64_t now_us);
/* End of input: reports every window still open that crossed its threshold. */
void engine_finish(struct engine *e);

const struct engine_stats *engine_get_stats(const struct engine *e);
/* Bytes allocated by the engine. */
size_t engine_memory(const struct engine *e);

#endif
