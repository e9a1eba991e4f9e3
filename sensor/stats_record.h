/* stats_record.h — the statistics record ({"type":"stats",...}, periodic and
 * final) and the human summary of the final one on stderr.
 *
 * It renders what it is given: capture counters per source, the workers'
 * summed pipeline counters and the output's line counts. It reads no capture
 * and keeps no state. Schema: docs/records.md. */
#ifndef MAMORI_STATS_RECORD_H
#define MAMORI_STATS_RECORD_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "json_writer.h"
#include "output.h"
#include "pipeline_stats.h"
#include "source.h"

struct stats_source {
    const char *name;
    bool live;
    const char *linktype;
    struct source_counters counters;
};

struct stats_snapshot {
    bool final;
    uint64_t capture_time_us; /* time of the last frame, 0 before any */
    double elapsed_s;         /* wall clock since start */
    unsigned workers;
    const struct stats_source *sources;
    size_t n_sources;
    const struct pipeline_stats *pipeline;
    uint64_t oversize_frames;
    uint64_t lines[OUTPUT__COUNT];
    uint64_t lines_dropped;
};

void stats_record_json(struct json_writer *w, const struct stats_snapshot *s);

/* A few lines for people: packets, drops, flows, events per protocol. */
void stats_summary(FILE *out, const struct stats_snapshot *s);

#endif
