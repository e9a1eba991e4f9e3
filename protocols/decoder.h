/* decoder.h — the contract between the capture core and a protocol decoder.
 *
 * Built-in decoders and vendor plugins implement the same struct. A decoder is
 * bytes in, events out: it never allocates alerts, never prints, never touches
 * a socket, and reads packet bytes only through cursor.h.
 *
 * Stream transports (TCP): the core reassembles each direction and calls
 * parse() with in-order bytes. parse() returns how many bytes it consumed; the
 * core keeps the rest (up to max_pdu) and presents it again, followed by the
 * next bytes. So a decoder may refuse a partial PDU by returning less than it
 * was given, and must accept input split at any byte boundary. It must consume
 * garbage it cannot parse (resynchronising on its own), because the core drops
 * the held bytes, counts it and sets ctx->gap once max_pdu is reached unparsed.
 * Datagram transports (UDP) and layer-2 frames: one parse() call per datagram or
 * frame (the payload after the ethertype); the return value is ignored.
 *
 * A plugin is a shared object exporting `mamori_decoder_entry`, a function that
 * returns its struct; the core refuses it unless `abi == MAMORI_DECODER_ABI`.
 * See docs/decoders.md. */
#ifndef MAMORI_DECODER_H
#define MAMORI_DECODER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cursor.h"
#include "event.h"

#define MAMORI_DECODER_ABI 2
#define MAMORI_DECODER_MAX_PORTS 8
#define MAMORI_DECODER_ENTRY "mamori_decoder_entry"
/* tick() comes at least this often in capture time while packets flow. */
#define MAMORI_TICK_US 10000

enum mamori_transport {
    MAMORI_TRANSPORT_TCP = 1 << 0,
    MAMORI_TRANSPORT_UDP = 1 << 1,
    MAMORI_TRANSPORT_ETHER = 1 << 2, /* layer-2 frames by ethertype */
};

/* Direction within a flow: the client is the side that opened the connection
 * (or, mid-stream, the side talking to the well-known port). Layer-2 and
 * one-way traffic is always TO_SERVER. */
enum mamori_direction {
    MAMORI_DIR_TO_SERVER = 0,
    MAMORI_DIR_TO_CLIENT = 1,
};

enum mamori_probe {
    MAMORI_PROBE_NO,    /* certainly not this protocol */
    MAMORI_PROBE_MORE,  /* cannot tell yet: show me more bytes */
    MAMORI_PROBE_YES,
};

/* Limits and settings the core hands to every per-flow state. */
struct mamori_decoder_options {
    size_t state_budget;         /* hard cap on bytes this flow's state may hold */
    uint64_t response_timeout_us; /* a request unanswered this long is reported */
};

struct mamori_parse_ctx {
    enum mamori_direction dir;
    uint64_t time_us;         /* capture time of the packet that completed these bytes */
    bool gap;                 /* bytes were lost in this direction before `data` */
    struct mamori_sink *sink;
    void *shared;             /* this worker's instance from shared_new(), or NULL */
    enum mamori_transport transport; /* TCP: stream bytes; UDP, ETHER: one whole datagram or frame */
};

struct mamori_decoder {
    uint32_t abi; /* MAMORI_DECODER_ABI */
    const char *name;        /* short lowercase name; also the event protocol */
    const char *description; /* one line for `mamori --list-decoders` */
    uint32_t transports;     /* mask of enum mamori_transport */
    uint16_t tcp_ports[MAMORI_DECODER_MAX_PORTS]; /* zero-terminated */
    uint16_t udp_ports[MAMORI_DECODER_MAX_PORTS];
    uint16_t ethertypes[MAMORI_DECODER_MAX_PORTS];
    size_t max_pdu; /* most unconsumed stream bytes the core holds for parse() */

    /* Optional: decides from the first bytes of a flow on a port this decoder
     * does not own (and disambiguates on ports shared by several protocols). */
    enum mamori_probe (*probe)(const uint8_t *data, size_t len, enum mamori_direction dir);

    /* Optional: state shared by all flows of one worker (cross-flow checks
     * such as two publishers of one GOOSE control block). */
    void *(*shared_new)(const struct mamori_decoder_options *opts);
    void (*shared_free)(void *shared);

    /* Per-flow state. state_new returns NULL when it cannot stay within
     * opts->state_budget; the core then counts the flow as undecoded. */
    void *(*state_new)(const struct mamori_decoder_options *opts);
    void (*state_free)(void *state);

    size_t (*parse)(void *state, const uint8_t *data, size_t len, const struct mamori_parse_ctx *ctx);

    /* Optional: the flow ended (FIN/RST, idle timeout, eviction, end of
     * capture). Report what is still pending, e.g. unanswered requests. */
    void (*finish)(void *state, const struct mamori_parse_ctx *ctx);

    /* Optional: time passes, for what no packet will announce (a GOOSE
     * publisher that fell silent). Called on this worker's shared state (NULL
     * without shared_new) at least every MAMORI_TICK_US of capture time while
     * packets flow, at the end of the capture, and on the wall clock while a
     * live interface is idle; ctx->time_us is now and ctx->dir TO_SERVER. No
     * packet is current, so the core leaves event->where as the decoder set it after
     * mamori_event_init(): fill in the addresses you remembered. */
    void (*tick)(void *shared, const struct mamori_parse_ctx *ctx);
};

typedef const struct mamori_decoder *(*mamori_decoder_entry_fn)(void);

#endif
