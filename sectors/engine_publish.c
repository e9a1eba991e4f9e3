/* engine_publish.c — published data (GOOSE, SV): integrity anomalies the
 * decoders report (sequence jumps, configuration changes, simulation flags, a
 * second source), publishers silent beyond timeAllowedtoLive times the
 * profile's tolerance, and SV streams whose rate moved away from the learned
 * rate by more than the profile's tolerance. */
#include "engine_private.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Anomaly names (docs/goose.md, docs/sv.md) that mean the published data can
 * no longer be trusted. */
static const char *const integrity_anomalies[] = {
    "st_num_jump",    "st_num_back",   "sq_num_reset", "sq_num_back", "conf_rev_changed",
    "simulation_set", "nds_com_set",   "second_source", "num_dat_set_entries_mismatch",
    "duplicate_sample", "smp_cnt_discontinuity", "smp_synch_lost",
};

static bool is_integrity_anomaly(const char *name)
{
    for (size_t i = 0; i < sizeof integrity_anomalies / sizeof integrity_anomalies[0]; i++)
        if (strcmp(name, integrity_anomalies[i]) == 0)
            return true;
    return false;
}

static void object_text(const struct mamori_event *ev, char *out, size_t outlen)
{
    size_t n = ev->object.len < outlen - 1 ? ev->object.len : outlen - 1;
    memcpy(out, ev->object.ptr ? ev->object.ptr : "", n);
    out[n] = '\0';
}

static void send_single(struct engine *e, const struct mamori_event *ev)
{
    evidence_events_begin(e);
    evidence_event(e, ev);
    evidence_events_end(e);
    alert_send(e);
}

bool publish_anomaly(struct engine *e, const struct mamori_event *ev)
{
    char object[BL_OBJECT_MAX], src[64];
    object_text(ev, object, sizeof object);
    endpoint_text(&ev->where, true, src, sizeof src);
    if (strcmp(ev->anomaly, "time_allowed_to_live_expired") == 0) {
        double ttl_ms, silence_ms;
        if (detail_find_number(ev->detail, "timeAllowedtoLive", &ttl_ms) &&
            detail_find_number(ev->detail, "silence_ms", &silence_ms) &&
            silence_ms <= ttl_ms * e->profile->goose_ttl_tolerance)
            return true; /* within the sector's tolerance */
        if (alert_begin(e, FINDING_PUBLISH_LATE, ev->time_us, ev->protocol, &ev->where, ev->detail)) {
            alert_summary(e, "%s publisher %s (%s) went silent beyond its timeAllowedtoLive: subscribers "
                             "treat its data as invalid",
                          ev->protocol, src, object);
            send_single(e, ev);
        }
        return true;
    }
    if (strcmp(ev->anomaly, "late_sample") == 0) {
        if (alert_begin(e, FINDING_PUBLISH_LATE, ev->time_us, ev->protocol, &ev->where, ev->detail)) {
            alert_summary(e, "%s stream %s (%s) delivered a late sample", ev->protocol, src, object);
            send_single(e, ev);
        }
        return true;
    }
    if (!is_integrity_anomaly(ev->anomaly))
        return false;
    if (alert_begin(e, FINDING_INTEGRITY_ANOMALY, ev->time_us, ev->protocol, &ev->where, ev->detail)) {
        alert_summary(e, "%s %s from %s (%s): published data may be spoofed or replayed", ev->protocol,
                      ev->anomaly, src, object);
        send_single(e, ev);
    }
    return true;
}

/* SV only: GOOSE is event-driven and has no steady rate. */
void publish_rate(struct engine *e, const struct mamori_event *ev)
{
    if (!e->baseline || strcmp(ev->protocol, "sv") != 0)
        return;
    struct bl_endpoint src;
    bl_endpoint_from(&src, &ev->where, true);
    const struct bl_publisher *learned = baseline_publisher(e->baseline, ev->protocol, &src, &ev->object);
    if (!learned || learned->interval_us <= 0)
        return;
    struct publisher_key key;
    memset(&key, 0, sizeof key);
    bl_protocol_copy(key.protocol, ev->protocol);
    key.src = src;
    bl_text_copy(key.object, sizeof key.object, &ev->object);
    uint64_t before = bounded_table_evictions(e->publishers);
    bool created;
    struct publisher_state *st = bounded_table_put(e->publishers, &key, &created);
    e->stats.evicted_publishers += bounded_table_evictions(e->publishers) - before;
    if (created || ev->time_us < st->rate_window_start_us) {
        st->rate_window_start_us = ev->time_us;
        st->rate_window_count = 0;
    }
    uint64_t elapsed = ev->time_us - st->rate_window_start_us;
    if (elapsed >= US_PER_S) {
        double rate = st->rate_window_count * (double)US_PER_S / (double)elapsed;
        double expected = (double)US_PER_S / learned->interval_us;
        if (fabs(rate - expected) > expected * e->profile->sv_rate_tolerance &&
            alert_begin(e, FINDING_INTEGRITY_ANOMALY, ev->time_us, ev->protocol, &ev->where, ev->detail)) {
            char object[BL_OBJECT_MAX], text[64];
            object_text(ev, object, sizeof object);
            endpoint_text(&ev->where, true, text, sizeof text);
            alert_summary(e, "sv stream %s (%s) publishes %.0f frames/s, learned %.0f/s: a second publisher or a "
                             "failing merging unit",
                          text, object, rate, expected);
            detail_object_begin(&e->alert.evidence, "learned");
            detail_float(&e->alert.evidence, "interval_ms", learned->interval_us / US_PER_MS);
            detail_float(&e->alert.evidence, "rate_per_s", expected);
            detail_end(&e->alert.evidence);
            detail_object_begin(&e->alert.evidence, "seen");
            detail_float(&e->alert.evidence, "rate_per_s", rate);
            detail_end(&e->alert.evidence);
            e->alert.count = st->rate_window_count;
            send_single(e, ev);
        }
        st->rate_window_start_us = ev->time_us;
        st->rate_window_count = 0;
    }
    st->rate_window_count++;
}
