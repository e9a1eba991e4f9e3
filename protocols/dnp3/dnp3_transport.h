/* dnp3_transport.h — DNP3 transport function: reassembles application
 * fragments from transport segments (IEEE 1815 clause 8).
 *
 * Each segment starts with one byte: FIN (0x80), FIR (0x40), sequence (6 bits).
 * Reassembly is kept per direction and link-address pair in a fixed number of
 * slots, each bounded to max_fragment bytes; when every slot is busy the least
 * recently used one is evicted. A one-segment fragment (FIR and FIN) is handed
 * back in place without copying. This file neither decodes applications nor
 * emits events; its caller turns the results into anomalies. */
#ifndef MAMORI_DNP3_TRANSPORT_H
#define MAMORI_DNP3_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNP3_TR_FIN 0x80
#define DNP3_TR_FIR 0x40
#define DNP3_TR_SEQ 0x3F
#define DNP3_TR_SEQ_MODULO 64

struct dnp3_reassembly {
    bool active;
    bool discarding; /* the fragment grew too long: drop segments until FIN or FIR */
    uint8_t dir;
    uint16_t src, dst;
    uint8_t last_seq;
    uint32_t segments; /* kept so far, for the fragment's al.fragment.count */
    uint64_t last_used;
    size_t len;
    uint8_t *buf; /* max_fragment bytes, owned by the caller's state */
};

struct dnp3_transport {
    struct dnp3_reassembly *slots;
    size_t n_slots;
    size_t max_fragment;
    uint64_t clock; /* ticks once per segment, orders slots for eviction */
};

enum dnp3_tr_result {
    DNP3_TR_PARTIAL,         /* segment kept; fragment not complete yet */
    DNP3_TR_COMPLETE,        /* *frag / *frag_len hold the whole fragment */
    DNP3_TR_DUPLICATE,       /* same sequence as the previous segment: a retry, ignored */
    DNP3_TR_OUT_OF_SEQUENCE, /* no FIR seen, or a sequence gap: segment discarded */
    DNP3_TR_TOO_LONG,        /* the fragment passed max_fragment: discarded */
    DNP3_TR_DISCARDED,       /* part of a fragment already reported too long */
    DNP3_TR_EMPTY,           /* no transport header */
};

/* `slots` and each slot's buf are provided by the caller (the flow state). */
void dnp3_transport_init(struct dnp3_transport *t, struct dnp3_reassembly *slots, size_t n_slots,
                         uint8_t *buffers, size_t max_fragment);

/* What one segment completed: the fragment and how many segments carried it. */
struct dnp3_fragment {
    const uint8_t *data;
    size_t len;
    uint32_t segments;
};

/* Adds one segment (the link frame's user data). *evicted is set when a
 * reassembly in progress had to be dropped to make room. */
enum dnp3_tr_result dnp3_transport_add(struct dnp3_transport *t, uint8_t dir, uint16_t src, uint16_t dst,
                                       const uint8_t *segment, size_t segment_len, struct dnp3_fragment *out,
                                       bool *evicted);

/* Forgets every reassembly in `dir` (after a gap in the stream). */
void dnp3_transport_reset_dir(struct dnp3_transport *t, uint8_t dir);

#endif
