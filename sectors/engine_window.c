/* engine_window.c — windowed counters behind the aggregated findings: unit,
 * function, host and identification sweeps, name enumeration, floods,
 * exception storms and anomaly storms.
 *
 * A window counts events (or distinct values: units, function codes, servers)
 * for one key over the profile's window. A window whose measure reached the
 * limit keeps "firing" into the next windows while they also reach it; when a
 * window falls below the limit (or the input ends, or the table must make
 * room) the whole run becomes one alert whose count is the number of distinct
 * values or events. A window that never fired is simply dropped. */
#include "engine_private.h"

#include <stdio.h>
#include <string.h>

static const enum finding window_finding[THRESH__COUNT] = {
    [THRESH_UNIT_SWEEP] = FINDING_UNIT_SWEEP,
    [THRESH_FUNCTION_SWEEP] = FINDING_FUNCTION_SWEEP,
    [THRESH_HOST_SWEEP] = FINDING_HOST_SWEEP,
    [THRESH_IDENTIFY_SWEEP] = FINDING_IDENTIFY_SWEEP,
    [THRESH_NAME_ENUMERATION] = FINDING_NAME_ENUMERATION,
    [THRESH_FLOOD] = FINDING_FLOOD,
    [THRESH_EXCEPTION_STORM] = FINDING_EXCEPTION_STORM,
    [THRESH_ANOMALIES] = FINDING_ANOMALY_STORM,
    [THRESH_UNANSWERED] = FINDING_UNANSWERED,
};

static bool counts_distinct(enum profile_threshold kind)
{
    return kind == THRESH_UNIT_SWEEP || kind == THRESH_FUNCTION_SWEEP || kind == THRESH_HOST_SWEEP ||
           kind == THRESH_IDENTIFY_SWEEP;
}

static uint32_t measure(const struct window *w, enum profile_threshold kind)
{
    return counts_distinct(kind) ? w->window_new : w->window_count;
}

static void summarize(struct engine *e, const struct window_key *k, const struct window *w, char *src, char *dst)
{
    double seconds = (double)(w->last_us - w->first_us) / (double)US_PER_S;
    const char *proto = k->protocol;
    switch ((enum profile_threshold)k->kind) {
    case THRESH_UNIT_SWEEP:
        alert_summary(e, "%s swept %u %s unit ids/addresses (%u-%u) on %s in %.1f s", src, w->distinct, proto,
                      w->min_value, w->max_value, dst, seconds);
        break;
    case THRESH_FUNCTION_SWEEP:
        alert_summary(e, "%s tried %u different %s function codes (%u-%u) on %s in %.1f s", src, w->distinct, proto,
                      w->min_value, w->max_value, dst, seconds);
        break;
    case THRESH_HOST_SWEEP:
        alert_summary(e, "%s spoke %s to %u devices it is not known to talk to in %.1f s", src, proto, w->distinct,
                      seconds);
        break;
    case THRESH_IDENTIFY_SWEEP:
        alert_summary(e, "%s asked %u %s devices to identify themselves in %.1f s", src, w->distinct, proto, seconds);
        break;
    case THRESH_NAME_ENUMERATION:
        alert_summary(e, "%s, not a known client, listed %s names on %s %llu times in %.1f s", src, proto, dst,
                      (unsigned long long)w->total, seconds);
        break;
    case THRESH_FLOOD:
        alert_summary(e, "%s flooded %s with %llu %s requests in %.1f s", src, dst, (unsigned long long)w->total,
                      proto, seconds);
        break;
    case THRESH_EXCEPTION_STORM:
        alert_summary(e, "%s refused %llu %s requests from %s in %.1f s (exception storm)", src,
                      (unsigned long long)w->total, proto, dst, seconds);
        break;
    case THRESH_UNANSWERED:
        alert_summary(e, "%s left %llu %s requests from %s unanswered in %.1f s: down, flooded or silenced", dst,
                      (unsigned long long)w->total, proto, src, seconds);
        break;
    default:
        alert_summary(e, "%s sent %llu malformed or anomalous %s messages in %.1f s", src,
                      (unsigned long long)w->total, proto, seconds);
        break;
    }
}

/* Sends the alert for a window that fired. */
static void window_report(struct engine *e, const struct window_key *k, const struct window *w)
{
    enum finding f = window_finding[k->kind];
    const struct event_snapshot *first = &w->snapshots[0];
    if (w->n_snapshots == 0 || !alert_begin(e, f, w->last_us, k->protocol, &first->where, NULL))
        return;
    struct mamori_alert *a = &e->alert;
    a->count = counts_distinct((enum profile_threshold)k->kind) ? w->distinct : (uint32_t)w->total;
    bool per_source = k->kind == THRESH_HOST_SWEEP || k->kind == THRESH_IDENTIFY_SWEEP ||
                      k->kind == THRESH_ANOMALIES;
    if (per_source)
        snprintf(a->dst, sizeof a->dst, "%s", "*");
    summarize(e, k, w, a->src, a->dst);
    struct mamori_detail *d = &a->evidence;
    detail_object_begin(d, "window");
    detail_cstring(d, "threshold", profile_threshold_name((enum profile_threshold)k->kind));
    detail_uint(d, "limit", e->profile->thresholds[k->kind].limit);
    detail_uint(d, "window_s", e->profile->thresholds[k->kind].window_s);
    detail_uint(d, "events", w->total);
    if (counts_distinct((enum profile_threshold)k->kind)) {
        detail_uint(d, "distinct", w->distinct);
        if (k->kind != THRESH_HOST_SWEEP && k->kind != THRESH_IDENTIFY_SWEEP) {
            detail_uint(d, "lowest", w->min_value);
            detail_uint(d, "highest", w->max_value);
        }
    }
    detail_float(d, "first_ts", (double)w->first_us / (double)US_PER_S);
    detail_float(d, "last_ts", (double)w->last_us / (double)US_PER_S);
    detail_end(d);
    evidence_events_begin(e);
    for (int i = 0; i < w->n_snapshots; i++)
        evidence_snapshot(e, &w->snapshots[i]);
    evidence_events_end(e);
    alert_send(e);
}

void window_evicted(void *ctx, const void *key, void *value)
{
    struct engine *e = ctx;
    const struct window_key *k = key;
    struct window *w = value;
    e->stats.evicted_aggregates++;
    if (w->firing || measure(w, (enum profile_threshold)k->kind) >= e->profile->thresholds[k->kind].limit)
        window_report(e, k, w);
}

/* Ends the current window of w at now: returns false when the entry should be
 * dropped (reported or never fired). */
static bool window_close(struct engine *e, const struct window_key *k, struct window *w)
{
    if (measure(w, (enum profile_threshold)k->kind) >= e->profile->thresholds[k->kind].limit) {
        w->firing = true;
        w->window_count = 0;
        w->window_new = 0;
        return true;
    }
    if (w->firing)
        window_report(e, k, w);
    return false;
}

void windows_expire(struct engine *e, uint64_t now_us, bool finish)
{
    size_t pos = 0;
    const void *key;
    void *value;
    while (bounded_table_next(e->windows, &pos, &key, &value)) {
        const struct window_key *k = key;
        struct window *w = value;
        uint64_t span = (uint64_t)e->profile->thresholds[k->kind].window_s * US_PER_S;
        if (!finish && now_us < w->window_start_us + span)
            continue;
        bool keep = window_close(e, k, w);
        if (finish && keep) {
            window_report(e, k, w);
            keep = false;
        }
        if (keep)
            w->window_start_us = now_us;
        else
            bounded_table_remove(e->windows, key);
    }
}

static bool distinct_add(struct window *w, uint32_t value)
{
    uint32_t bit = value % WINDOW_DISTINCT_BITS;
    if (w->seen[bit / 64] >> (bit % 64) & 1)
        return false;
    w->seen[bit / 64] |= 1ull << (bit % 64);
    return true;
}

void window_count_event(struct engine *e, enum profile_threshold kind, const struct mamori_event *ev,
                        const struct bl_endpoint *src, const struct bl_endpoint *dst, bool has_value,
                        uint32_t value)
{
    struct window_key key;
    memset(&key, 0, sizeof key);
    key.kind = (uint8_t)kind;
    bl_protocol_copy(key.protocol, ev->protocol);
    key.src = *src;
    if (dst)
        key.dst = *dst;
    uint64_t span = (uint64_t)e->profile->thresholds[kind].window_s * US_PER_S;
    bool created;
    struct window *w = bounded_table_put(e->windows, &key, &created);
    if (!created && ev->time_us >= w->window_start_us + span && !window_close(e, &key, w)) {
        memset(w, 0, sizeof *w);
        created = true;
    }
    if (created) {
        w->first_us = ev->time_us;
        w->window_start_us = ev->time_us;
    } else if (ev->time_us >= w->window_start_us + span) {
        w->window_start_us = ev->time_us; /* a firing run continues into a new window */
    }
    w->last_us = ev->time_us > w->last_us ? ev->time_us : w->last_us;
    w->window_count++;
    w->total++;
    if (w->n_snapshots < WINDOW_SNAPSHOTS)
        snapshot_take(&w->snapshots[w->n_snapshots++], ev);
    if (has_value && distinct_add(w, value)) {
        w->window_new++;
        if (w->distinct == 0 || value < w->min_value)
            w->min_value = value;
        if (w->distinct == 0 || value > w->max_value)
            w->max_value = value;
        w->distinct++;
    }
}
