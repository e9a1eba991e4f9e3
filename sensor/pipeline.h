/* pipeline.h — one worker's packet path, from captured frame to events.
 *
 * A pipeline decodes link/IP/transport headers, reassembles IP fragments,
 * tracks bidirectional flows, reassembles TCP per direction, classifies flows
 * with nDPI, and feeds the matching protocol decoder. It reports through
 * callbacks: every ICS event (with time, addresses and flow id filled in) and
 * every finished flow. A pipeline is single-threaded and owns all its memory;
 * `--workers N` runs N pipelines and splits packets between them with
 * packet_flow_hash(), which sends both directions of a flow (and every
 * fragment of a datagram) to the same worker.
 *
 * Memory is bounded by pipeline_config; when a bound is hit the pipeline evicts
 * and counts, and keeps processing. */
#ifndef MAMORI_PIPELINE_H
#define MAMORI_PIPELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../protocols/event.h"
#include "../protocols/registry.h"
#include "json_writer.h"

struct pipeline_config {
    size_t max_flows;
    uint64_t tcp_idle_timeout_us;    /* established TCP with no packets */
    uint64_t tcp_closed_timeout_us;  /* after FIN/RST */
    uint64_t udp_idle_timeout_us;
    uint64_t l2_idle_timeout_us;     /* GOOSE / SV publishers */
    size_t reassembly_flow_bytes;    /* out-of-order bytes held per direction */
    size_t reassembly_total_bytes;   /* and across all flows of this pipeline */
    size_t defrag_max_datagrams;
    size_t defrag_total_bytes;
    uint64_t defrag_timeout_us;
    size_t decoder_state_budget;     /* per flow, passed to decoders */
    uint64_t response_timeout_us;    /* passed to decoders */
    bool want_detail;                /* render decoder detail into events */
    bool classify;                   /* run nDPI */
    bool vlan_in_key;                /* the outer VLAN id tells flows apart */
    unsigned worker_index;           /* this pipeline's worker, 0..worker_count-1 */
    unsigned worker_count;           /* flow ids are counter * worker_count + worker_index */
};

/* Fills the defaults documented in docs/mamori.8. */
void pipeline_config_defaults(struct pipeline_config *cfg);

/* A finished flow, as written to the flow log (like Zeek's conn.log). */
struct flow_record {
    uint64_t id;
    uint64_t first_us, last_us;
    struct mamori_endpoints where; /* src = originator (client) */
    uint64_t packets[2], bytes[2]; /* [0] from originator, [1] from responder */
    const char *state;             /* "S0", "SF", "REJ", "RSTO", "OTH", ... (Zeek's conn_state) */
    const char *end_reason;        /* "closed", "idle", "evicted", "end_of_capture" */
    bool midstream;                /* first packet seen was not a SYN */
    const char *app_protocol;      /* nDPI application protocol name, or "Unknown" */
    const char *category;          /* nDPI category name */
    const char *decoder;           /* our decoder's name, NULL if none */
    const char *ndpi;              /* nDPI's own label (app_protocol is the decoder's name when
                                      one claimed the flow), NULL for layer-2 flows */
    uint64_t gaps;                 /* bytes lost to sequence gaps */
    bool has_appid;                /* GOOSE and SV publishers: */
    uint16_t appid;                /* the APPID of the flow */
};

struct pipeline_output {
    void (*on_event)(void *ctx, const struct mamori_event *ev);
    void (*on_flow)(void *ctx, const struct flow_record *rec);
    void (*on_tick)(void *ctx, uint64_t now_us); /* optional: from pipeline_tick() */
    void *ctx;
};

struct pipeline;

struct pipeline *pipeline_new(const struct pipeline_config *cfg, const struct mamori_registry *reg,
                              const struct pipeline_output *out);
void pipeline_free(struct pipeline *pl);

/* One captured frame. `linktype` is the pcap DLT of its source. */
void pipeline_packet(struct pipeline *pl, int linktype, uint64_t time_us, const uint8_t *data,
                     uint32_t caplen, uint32_t wirelen);

/* Expires idle flows and fragments as of `now_us` (capture time), ticks the
 * decoders (decoder.h tick()) and the output's on_tick. */
void pipeline_tick(struct pipeline *pl, uint64_t now_us);

/* End of capture: a last decoder tick, then every flow ends with reason
 * "end_of_capture". */
void pipeline_finish(struct pipeline *pl);

/* Counters; the struct is defined in pipeline_stats.h. */
struct pipeline_stats;
const struct pipeline_stats *pipeline_get_stats(const struct pipeline *pl);

/* Symmetric hash used to pick a worker for a frame. */
uint32_t packet_flow_hash(int linktype, const uint8_t *data, uint32_t caplen);

#endif
