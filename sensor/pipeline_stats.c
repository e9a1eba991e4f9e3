/* pipeline_stats.c — counting events and anomalies by name, merging workers'
 * counters and rendering them as JSON (see pipeline_stats.h). */
#include "pipeline_stats.h"

#include <string.h>

static bool same_name(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

static void add_protocol(struct pipeline_stats *st, const char *protocol, uint64_t n)
{
    for (size_t i = 0; i < st->n_protocols; i++) {
        if (same_name(st->protocols[i].protocol, protocol)) {
            st->protocols[i].events += n;
            st->last_protocol = i;
            return;
        }
    }
    if (st->n_protocols < PIPELINE_STATS_MAX_PROTOCOLS) {
        st->last_protocol = st->n_protocols;
        st->protocols[st->n_protocols++] = (struct pipeline_protocol_count){ protocol, n };
    }
}

static void add_anomaly(struct pipeline_stats *st, const char *protocol, const char *anomaly, uint64_t n)
{
    for (size_t i = 0; i < st->n_anomalies; i++) {
        struct pipeline_anomaly_count *a = &st->anomalies[i];
        if (same_name(a->protocol, protocol) && same_name(a->anomaly, anomaly)) {
            a->count += n;
            return;
        }
    }
    if (st->n_anomalies < PIPELINE_STATS_MAX_ANOMALIES)
        st->anomalies[st->n_anomalies++] = (struct pipeline_anomaly_count){ protocol, anomaly, n };
    else
        st->anomaly_kinds_dropped += n;
}

void pipeline_stats_count_protocol(struct pipeline_stats *st, const char *protocol)
{
    add_protocol(st, protocol ? protocol : "unknown", 1);
}

void pipeline_stats_count_anomaly(struct pipeline_stats *st, const char *protocol, const char *anomaly)
{
    add_anomaly(st, protocol ? protocol : "unknown", anomaly ? anomaly : "unnamed", 1);
}

void pipeline_stats_add(struct pipeline_stats *dst, const struct pipeline_stats *src)
{
#define ADD_COUNTER(name) dst->name += src->name;
#define MAX_COUNTER(name) if (src->name > dst->name) dst->name = src->name;
    PIPELINE_STATS_COUNTERS(ADD_COUNTER)
    PIPELINE_STATS_MAXIMA(MAX_COUNTER)
#undef ADD_COUNTER
#undef MAX_COUNTER
    for (size_t i = 0; i < src->n_protocols; i++)
        add_protocol(dst, src->protocols[i].protocol, src->protocols[i].events);
    for (size_t i = 0; i < src->n_anomalies; i++)
        add_anomaly(dst, src->anomalies[i].protocol, src->anomalies[i].anomaly, src->anomalies[i].count);
    dst->anomaly_kinds_dropped += src->anomaly_kinds_dropped;
}

void pipeline_stats_json(struct json_writer *w, const struct pipeline_stats *st)
{
#define WRITE_COUNTER(name) jw_uint(w, #name, st->name);
    PIPELINE_STATS_COUNTERS(WRITE_COUNTER)
    PIPELINE_STATS_MAXIMA(WRITE_COUNTER)
#undef WRITE_COUNTER
    jw_object_begin(w, "events_by_protocol");
    for (size_t i = 0; i < st->n_protocols; i++)
        jw_uint(w, st->protocols[i].protocol, st->protocols[i].events);
    jw_object_end(w);
    /* {"modbus": {"invalid_length": 3}, "tcp": {"overlap_mismatch": 1}} */
    jw_object_begin(w, "anomalies");
    for (size_t i = 0; i < st->n_anomalies; i++) {
        const char *protocol = st->anomalies[i].protocol;
        bool seen_before = false;
        for (size_t j = 0; j < i && !seen_before; j++)
            seen_before = same_name(st->anomalies[j].protocol, protocol);
        if (seen_before)
            continue;
        jw_object_begin(w, protocol);
        for (size_t j = i; j < st->n_anomalies; j++)
            if (same_name(st->anomalies[j].protocol, protocol))
                jw_uint(w, st->anomalies[j].anomaly, st->anomalies[j].count);
        jw_object_end(w);
    }
    jw_object_end(w);
    jw_uint(w, "anomaly_kinds_dropped", st->anomaly_kinds_dropped);
}
