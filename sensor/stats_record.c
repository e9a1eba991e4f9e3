/* stats_record.c — renders the statistics record and the human summary. */
#include "stats_record.h"

#define MIB_F (1024.0 * 1024.0)

static void capture_totals(const struct stats_snapshot *s, struct source_counters *sum)
{
    *sum = (struct source_counters){0};
    for (size_t i = 0; i < s->n_sources; i++) {
        const struct source_counters *c = &s->sources[i].counters;
        sum->packets += c->packets;
        sum->bytes += c->bytes;
        sum->received += c->received;
        sum->dropped += c->dropped;
        sum->if_dropped += c->if_dropped;
        sum->truncated |= c->truncated;
    }
}

static void counters_json(struct json_writer *w, const struct source_counters *c, bool live)
{
    jw_uint(w, "packets", c->packets);
    jw_uint(w, "bytes", c->bytes);
    if (live) {
        jw_uint(w, "received", c->received);
        jw_uint(w, "dropped", c->dropped);
        jw_uint(w, "if_dropped", c->if_dropped);
    }
}

void stats_record_json(struct json_writer *w, const struct stats_snapshot *s)
{
    static const char *const line_names[OUTPUT__COUNT] = {"flow", "event", "alert", "stats"};
    json_writer_reset(w);
    jw_object_begin(w, NULL);
    jw_string(w, "type", "stats");
    if (s->capture_time_us)
        jw_time(w, "ts", s->capture_time_us);
    jw_bool(w, "final", s->final);
    jw_time(w, "elapsed", (uint64_t)(s->elapsed_s * 1e6));
    jw_uint(w, "workers", s->workers);

    struct source_counters total;
    capture_totals(s, &total);
    bool any_live = false;
    for (size_t i = 0; i < s->n_sources; i++)
        any_live |= s->sources[i].live;
    jw_object_begin(w, "capture");
    counters_json(w, &total, any_live);
    jw_uint(w, "oversize_frames", s->oversize_frames);
    jw_array_begin(w, "sources");
    for (size_t i = 0; i < s->n_sources; i++) {
        const struct stats_source *src = &s->sources[i];
        jw_object_begin(w, NULL);
        jw_string(w, src->live ? "interface" : "file", src->name);
        jw_string(w, "linktype", src->linktype);
        counters_json(w, &src->counters, src->live);
        if (!src->live)
            jw_bool(w, "truncated", src->counters.truncated);
        jw_object_end(w);
    }
    jw_array_end(w);
    jw_object_end(w);

    jw_object_begin(w, "pipeline");
    pipeline_stats_json(w, s->pipeline);
    jw_object_end(w);

    jw_object_begin(w, "output");
    for (int i = 0; i < OUTPUT__COUNT; i++)
        jw_uint(w, line_names[i], s->lines[i]);
    jw_uint(w, "dropped", s->lines_dropped);
    jw_object_end(w);
    jw_object_end(w);
}

void stats_summary(FILE *out, const struct stats_snapshot *s)
{
    struct source_counters total;
    capture_totals(s, &total);
    const struct pipeline_stats *p = s->pipeline;
    bool live = s->n_sources && s->sources[0].live;
    fprintf(out, "mamori: %llu packets (%.1f MiB) from %zu %s in %.2f s",
            (unsigned long long)total.packets, total.bytes / MIB_F, s->n_sources,
            live ? "interface" : (s->n_sources == 1 ? "file" : "files"), s->elapsed_s);
    if (live)
        fprintf(out, "; kernel: %llu received, %llu dropped, %llu dropped by the interface",
                (unsigned long long)total.received, (unsigned long long)total.dropped,
                (unsigned long long)total.if_dropped);
    fputc('\n', out);
    fprintf(out, "mamori: %llu flows (%llu evicted, %llu picked up mid-stream), %llu events, %llu alerts\n",
            (unsigned long long)p->flows_created, (unsigned long long)p->flows_evicted,
            (unsigned long long)p->midstream_pickups, (unsigned long long)p->events,
            (unsigned long long)s->lines[OUTPUT_ALERT]);
    if (p->n_protocols) {
        fputs("mamori: events by protocol:", out);
        for (size_t i = 0; i < p->n_protocols; i++)
            fprintf(out, " %s=%llu", p->protocols[i].protocol, (unsigned long long)p->protocols[i].events);
        fputc('\n', out);
    }
    uint64_t bad = p->truncated + p->malformed + p->ip_truncated;
    if (bad || p->tcp_gaps || s->lines_dropped)
        fprintf(out, "mamori: %llu truncated or malformed frames, %llu TCP gaps, %llu records dropped\n",
                (unsigned long long)bad, (unsigned long long)p->tcp_gaps, (unsigned long long)s->lines_dropped);
}
