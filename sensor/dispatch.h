/* dispatch.h — choosing a flow's decoder and feeding it.
 *
 * A decoder is chosen by TCP/UDP port (either side) or ethertype from the
 * registry: the owner of a port decodes everything on it, so that garbage sent
 * to a control port is reported by its decoder. On other ports, or where
 * several decoders share a port, the decoders' probes look at the first
 * payload bytes (MORE waits for more, up to
 * DISPATCH_PROBE_MAX_BYTES per direction or DISPATCH_PROBE_MAX_PACKETS
 * packets). Stream bytes the decoder leaves unconsumed are kept, up to its
 * max_pdu per direction, and presented again before the next bytes; a tail that
 * reaches max_pdu unparsed is dropped, counted, and the next call has gap set.
 * Datagrams and layer-2 frames are one parse() each.
 *
 * The sink given to decoders fills each event's time and addresses (sender =
 * src) and flow id, counts it, and passes it to the pipeline's output. */
#ifndef MAMORI_DISPATCH_H
#define MAMORI_DISPATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "protocols/decoder.h"
#include "protocols/event.h"
#include "protocols/registry.h"

#define DISPATCH_PROBE_MAX_BYTES 512
#define DISPATCH_PROBE_MAX_PACKETS 8

struct pipeline_stats;
struct pipeline_output;

enum dispatch_status {
    DISPATCH_UNDECIDED,
    DISPATCH_ATTACHED,
    DISPATCH_NONE, /* no decoder for this flow */
};

/* Per flow. */
struct dispatch_flow {
    enum dispatch_status status;
    uint64_t candidates; /* bit i: registry decoder i may still claim the flow */
    const struct mamori_decoder *decoder;
    uint8_t decoder_index; /* in the registry, for its shared state */
    uint8_t transport;     /* enum mamori_transport of the flow */
    int8_t fallback;       /* registry index taken when probing decides nothing, or -1 */
    void *state;
    uint8_t probe_packets;
    int8_t first_dir;      /* direction whose bytes were buffered first while probing */
    bool gap_pending[2];   /* the next parse() of that direction gets ctx.gap */
    uint8_t *buf[2];       /* unconsumed tail (or probe bytes), allocated when first needed */
    size_t buf_len[2], buf_cap[2];
};

struct dispatcher {
    const struct mamori_registry *reg;
    struct mamori_decoder_options opts;
    void *shared[MAMORI_MAX_DECODERS];
    const struct pipeline_output *out;
    struct pipeline_stats *stats;
    struct mamori_sink sink; /* emit() finds the dispatcher from it */
    struct mamori_detail *detail;
    size_t buffer_bytes; /* held tails and probe bytes of all flows */
    /* set around every decoder call */
    const struct mamori_endpoints *current_where;
    enum mamori_direction current_dir;
    uint64_t current_time_us;
};

/* Creates the per-pipeline decoder state (shared_new once per decoder). */
int dispatcher_init(struct dispatcher *d, const struct mamori_registry *reg,
                    const struct mamori_decoder_options *opts, bool want_detail,
                    const struct pipeline_output *out, struct pipeline_stats *stats);
void dispatcher_destroy(struct dispatcher *d);

/* The decoder that owns this port or ethertype for a transport, NULL if none
 * (used to pick the client side of a flow picked up mid-stream). */
const struct mamori_decoder *dispatch_port_owner(const struct dispatcher *d, enum mamori_transport transport,
                                                 uint16_t port);

/* Starts a flow: by port/ethertype when one decoder owns it, else probing. */
void dispatch_flow_start(struct dispatcher *d, struct dispatch_flow *df, enum mamori_transport transport,
                         uint16_t client_port, uint16_t server_port, uint16_t ethertype);

/* In-order stream bytes of one direction (TCP). `where` is the flow as the
 * client sends (src = client). */
void dispatch_stream(struct dispatcher *d, struct dispatch_flow *df, const struct mamori_endpoints *where,
                     enum mamori_direction dir, const uint8_t *data, size_t len, bool gap, uint64_t time_us);

/* One datagram or layer-2 frame payload. */
void dispatch_datagram(struct dispatcher *d, struct dispatch_flow *df, const struct mamori_endpoints *where,
                       enum mamori_direction dir, const uint8_t *data, size_t len, uint64_t time_us);

/* Emits an event on behalf of the core (e.g. the "tcp" overlap anomaly). */
void dispatch_emit_anomaly(struct dispatcher *d, const struct mamori_endpoints *where, enum mamori_direction dir,
                           uint64_t time_us, const char *protocol, const char *anomaly);

/* The flow ended: finish() for the decoder, then free its state and buffers. */
/* Capture time is now `now_us`: every decoder's tick() (decoder.h). */
void dispatch_tick(struct dispatcher *d, uint64_t now_us);

void dispatch_flow_end(struct dispatcher *d, struct dispatch_flow *df, const struct mamori_endpoints *where,
                       uint64_t time_us);

#endif
