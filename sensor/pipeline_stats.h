/* pipeline_stats.h — the counters of one pipeline (one worker), how to merge
 * the workers' counters, and how to render them as the "stats" JSON object.
 *
 * Protocol and anomaly names are pointers to the decoders' static strings;
 * they stay valid while the registry that provided the decoders is open. */
#ifndef MAMORI_PIPELINE_STATS_H
#define MAMORI_PIPELINE_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "json_writer.h"

#define PIPELINE_STATS_MAX_PROTOCOLS 72
#define PIPELINE_STATS_MAX_ANOMALIES 256

struct pipeline_protocol_count {
    const char *protocol;
    uint64_t events;
};

struct pipeline_anomaly_count {
    const char *protocol;
    const char *anomaly;
    uint64_t count;
};

/* Every summed counter, in the order they are rendered. X(name) */
#define PIPELINE_STATS_COUNTERS(X)                                                                 \
    X(packets) X(bytes)                                                                            \
    /* frames we could not decode fully; IP/UDP lengths larger than captured */                     \
    X(truncated) X(malformed) X(unsupported) X(ip_truncated)                                       \
    /* frames cut by the capture's snap length (caplen < wire length) */                           \
    X(snaplen_cut)                                                                                 \
    X(ipv4) X(ipv6) X(l2_frames) X(vlan_tagged)                                                    \
    /* IP fragments */                                                                             \
    X(fragments) X(fragments_reassembled) X(fragments_dropped) X(fragments_timed_out)              \
    X(fragment_overlaps)                                                                           \
    /* flows */                                                                                    \
    X(flows_created) X(flows_ended) X(flows_evicted) X(flows_timed_out) X(flows_active)            \
    X(midstream_pickups)                                                                           \
    /* TCP reassembly; tcp_held_bytes is what is held now */                                       \
    X(tcp_segments) X(tcp_out_of_order) X(tcp_retransmitted) X(tcp_overlap_mismatches)            \
    X(tcp_ooo_dropped) X(tcp_gaps) X(tcp_gap_bytes) X(tcp_held_bytes)                              \
    /* decoders */                                                                                 \
    X(decoder_flows) X(decoder_state_budget_failures) X(decoder_pdu_overflows)                     \
    X(decoder_probe_rejects) X(events)                                                             \
    /* nDPI */                                                                                     \
    X(classified_flows) X(classify_unknown)                                                        \
    /* memory in use, bytes; flows include nDPI state and decoders' held tails */                   \
    X(memory_flows) X(memory_reassembly) X(memory_defrag)

/* High-water marks: merged by taking the maximum. */
#define PIPELINE_STATS_MAXIMA(X) X(tcp_held_bytes_high_water) X(memory_high_water)

#define PIPELINE_STATS_FIELD(name) uint64_t name;

struct pipeline_stats {
    PIPELINE_STATS_COUNTERS(PIPELINE_STATS_FIELD)
    PIPELINE_STATS_MAXIMA(PIPELINE_STATS_FIELD)

    size_t n_protocols;
    struct pipeline_protocol_count protocols[PIPELINE_STATS_MAX_PROTOCOLS];
    size_t last_protocol; /* the slot the latest event was counted in */
    size_t n_anomalies;
    struct pipeline_anomaly_count anomalies[PIPELINE_STATS_MAX_ANOMALIES];
    uint64_t anomaly_kinds_dropped; /* (protocol, name) pairs beyond the table */
};

/* Finds (or makes) the slot of `protocol` and counts an event there. */
void pipeline_stats_count_protocol(struct pipeline_stats *st, const char *protocol);

/* Adds one to the events of `protocol`. A decoder names its events with one
 * pointer, so the slot of the previous event is tried first. */
static inline void pipeline_stats_count_event(struct pipeline_stats *st, const char *protocol)
{
    st->events++;
    if (protocol && st->last_protocol < st->n_protocols && st->protocols[st->last_protocol].protocol == protocol)
        st->protocols[st->last_protocol].events++;
    else
        pipeline_stats_count_protocol(st, protocol);
}

/* Adds one to the anomaly (protocol, name). */
void pipeline_stats_count_anomaly(struct pipeline_stats *st, const char *protocol, const char *anomaly);

/* dst += src, counter by counter; high-water marks take the maximum. */
void pipeline_stats_add(struct pipeline_stats *dst, const struct pipeline_stats *src);

/* Writes the counters as members of the object currently open in w. */
void pipeline_stats_json(struct json_writer *w, const struct pipeline_stats *st);

#endif
