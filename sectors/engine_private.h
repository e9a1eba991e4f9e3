/* engine_private.h — the detection engine's state, shared by its files:
 * engine.c (rules per event and flow), engine_window.c (windowed counters for
 * recon, floods and storms), engine_alert.c (building, rate-limiting and
 * emitting alerts) and engine_publish.c (GOOSE/SV timing). */
#ifndef MAMORI_ENGINE_PRIVATE_H
#define MAMORI_ENGINE_PRIVATE_H

#include "baseline.h"
#include "bounded_table.h"
#include "engine.h"

#define ENGINE_TEXT_MAX 48
#define WINDOW_SNAPSHOTS 3
#define WINDOW_DISTINCT_BITS 4096
/* How often (capture time) open windows are checked for expiry. */
#define ENGINE_TICK_US 1000000ull
#define US_PER_S 1000000ull
#define US_PER_MS 1000.0

/* The fields of an event kept beyond the event's lifetime, as evidence. */
struct event_snapshot {
    uint64_t time_us;
    struct mamori_endpoints where;
    uint8_t kind, role, op;
    bool has_unit, has_function, has_range;
    uint32_t unit, function_code, range_start, range_count;
    char protocol[BL_PROTOCOL_MAX];
    char function[ENGINE_TEXT_MAX];
    char object[ENGINE_TEXT_MAX];
    char anomaly[ENGINE_TEXT_MAX];
};

struct window_key {
    uint8_t kind; /* enum profile_threshold */
    char protocol[BL_PROTOCOL_MAX];
    struct bl_endpoint src, dst; /* dst is zero for per-source windows */
};

/* A counter over the profile's window for one key. While the measure stays at
 * or above the limit window after window, the window keeps "firing" and its
 * totals keep growing; the alert goes out when it stops (or at the end). */
struct window {
    uint64_t window_start_us, first_us, last_us;
    uint32_t window_count; /* events in the current window */
    uint32_t window_new;   /* distinct values first seen in the current window */
    uint64_t total;        /* events since the window (or firing run) began */
    uint32_t distinct;     /* distinct values since then */
    uint32_t min_value, max_value;
    bool firing;
    uint8_t n_snapshots;
    struct event_snapshot snapshots[WINDOW_SNAPSHOTS];
    uint64_t seen[WINDOW_DISTINCT_BITS / 64];
};

struct limiter_key {
    uint8_t finding;
    char protocol[BL_PROTOCOL_MAX];
    struct bl_endpoint src;
};

struct limiter {
    uint64_t last_alert_us;
    uint64_t suppressed; /* since the last alert that went out */
};

struct publisher_key {
    char protocol[BL_PROTOCOL_MAX];
    struct bl_endpoint src;
    char object[BL_OBJECT_MAX];
};

struct publisher_state {
    uint64_t rate_window_start_us;
    uint32_t rate_window_count;
};

/* Polling of a learned pair in detection mode. */
struct poll_key {
    char protocol[BL_PROTOCOL_MAX];
    struct bl_endpoint client, server;
};

struct poll_state {
    uint64_t last_request_us;
    double period_us; /* smoothed like the baseline's */
    uint32_t intervals;
};

struct engine {
    const struct mamori_profile *profile;
    const struct baseline *baseline;
    struct engine_output out;
    char sensor[64];
    struct engine_stats stats;
    uint64_t now_us, last_tick_us;
    struct bounded_table *windows, *limiters, *assets, *publishers, *polls;
    /* Scratch space, reused for every alert. */
    struct mamori_alert alert;
    struct mamori_detail scratch;
};

/* engine_alert.c */
void endpoint_text(const struct mamori_endpoints *where, bool source, char *out, size_t outlen);
void flow_key_text(const struct mamori_endpoints *where, const struct mamori_detail *detail, char *out,
                   size_t outlen);
/* Starts e->alert for a finding; false when the finding is suppressed (site
 * device list or suppression window), and then nothing is to be sent. */
bool alert_begin(struct engine *e, enum finding f, uint64_t time_us, const char *protocol,
                 const struct mamori_endpoints *where, const struct mamori_detail *detail);
__attribute__((format(printf, 2, 3))) void alert_summary(struct engine *e, const char *fmt, ...);
void alert_technique(struct engine *e, enum finding f);
/* Evidence: opens/closes the "events" array, adds one event or snapshot. */
void evidence_events_begin(struct engine *e);
void evidence_event(struct engine *e, const struct mamori_event *ev);
void evidence_snapshot(struct engine *e, const struct event_snapshot *s);
void evidence_events_end(struct engine *e);
void alert_send(struct engine *e);
void snapshot_take(struct event_snapshot *s, const struct mamori_event *ev);
/* The first number stored under `key` anywhere in a detail stream. */
bool detail_find_number(const struct mamori_detail *d, const char *key, double *out);

/* engine_window.c */
void window_count_event(struct engine *e, enum profile_threshold kind, const struct mamori_event *ev,
                        const struct bl_endpoint *src, const struct bl_endpoint *dst, bool has_value,
                        uint32_t value);
void windows_expire(struct engine *e, uint64_t now_us, bool finish);
void window_evicted(void *ctx, const void *key, void *value);

/* engine_publish.c */
/* Handles a GOOSE/SV integrity or timing anomaly; false when it is neither. */
bool publish_anomaly(struct engine *e, const struct mamori_event *ev);
/* Compares an SV stream's rate with the baseline's. */
void publish_rate(struct engine *e, const struct mamori_event *ev);

/* engine.c */
bool engine_finding_suppressed_for(const struct engine *e, enum finding f, const struct mamori_endpoints *where);

#endif
