/* dnp3_transport.c — transport segment reassembly (see dnp3_transport.h). */
#include "dnp3_transport.h"

#include "../cursor.h"

void dnp3_transport_init(struct dnp3_transport *t, struct dnp3_reassembly *slots, size_t n_slots,
                         uint8_t *buffers, size_t max_fragment)
{
    t->slots = slots;
    t->n_slots = n_slots;
    t->max_fragment = max_fragment;
    t->clock = 0;
    for (size_t i = 0; i < n_slots; i++) {
        memset(&slots[i], 0, sizeof slots[i]);
        slots[i].buf = buffers + i * max_fragment;
    }
}

static struct dnp3_reassembly *slot_find(struct dnp3_transport *t, uint8_t dir, uint16_t src, uint16_t dst)
{
    for (size_t i = 0; i < t->n_slots; i++) {
        struct dnp3_reassembly *s = &t->slots[i];
        if (s->active && s->dir == dir && s->src == src && s->dst == dst)
            return s;
    }
    return NULL;
}

/* A free slot, or the least recently used one (flagging the eviction). */
static struct dnp3_reassembly *slot_take(struct dnp3_transport *t, bool *evicted)
{
    struct dnp3_reassembly *oldest = &t->slots[0];
    for (size_t i = 0; i < t->n_slots; i++) {
        struct dnp3_reassembly *s = &t->slots[i];
        if (!s->active)
            return s;
        if (s->last_used < oldest->last_used)
            oldest = s;
    }
    *evicted = true;
    return oldest;
}

static bool append(struct dnp3_transport *t, struct dnp3_reassembly *s, cursor *payload)
{
    size_t n = cursor_left(payload);
    if (n > t->max_fragment - s->len)
        return false;
    cursor_copy(payload, s->buf + s->len, n);
    s->len += n;
    return true;
}

enum dnp3_tr_result dnp3_transport_add(struct dnp3_transport *t, uint8_t dir, uint16_t src, uint16_t dst,
                                       const uint8_t *segment, size_t segment_len, struct dnp3_fragment *out,
                                       bool *evicted)
{
    cursor c = cursor_make(segment, segment_len);
    *evicted = false;
    if (cursor_empty(&c))
        return DNP3_TR_EMPTY;
    uint8_t header = cursor_u8(&c);
    uint8_t seq = header & DNP3_TR_SEQ;
    bool fir = header & DNP3_TR_FIR, fin = header & DNP3_TR_FIN;
    struct dnp3_reassembly *s = slot_find(t, dir, src, dst);
    t->clock++;

    if (fir) {
        if (s)
            s->active = false; /* a new first segment abandons the old fragment */
        if (fin) {
            cursor rest = cursor_rest(&c);
            *out = (struct dnp3_fragment){ rest.ptr, rest.left, 1 };
            return DNP3_TR_COMPLETE;
        }
        s = slot_take(t, evicted);
        *s = (struct dnp3_reassembly){ .active = true, .dir = dir, .src = src, .dst = dst, .last_seq = seq,
                                       .segments = 1, .last_used = t->clock, .len = 0, .buf = s->buf };
        if (!append(t, s, &c)) {
            s->discarding = true;
            return DNP3_TR_TOO_LONG;
        }
        return DNP3_TR_PARTIAL;
    }

    if (!s)
        return DNP3_TR_OUT_OF_SEQUENCE;
    if (seq == s->last_seq)
        return DNP3_TR_DUPLICATE;
    if (seq != (s->last_seq + 1) % DNP3_TR_SEQ_MODULO) {
        s->active = false;
        return s->discarding ? DNP3_TR_DISCARDED : DNP3_TR_OUT_OF_SEQUENCE;
    }
    s->last_seq = seq;
    s->last_used = t->clock;
    s->segments++;
    if (s->discarding) {
        if (fin)
            s->active = false;
        return DNP3_TR_DISCARDED;
    }
    if (!append(t, s, &c)) {
        s->discarding = true;
        if (fin)
            s->active = false;
        return DNP3_TR_TOO_LONG;
    }
    if (!fin)
        return DNP3_TR_PARTIAL;
    s->active = false;
    *out = (struct dnp3_fragment){ s->buf, s->len, s->segments };
    return DNP3_TR_COMPLETE;
}

void dnp3_transport_reset_dir(struct dnp3_transport *t, uint8_t dir)
{
    for (size_t i = 0; i < t->n_slots; i++)
        if (t->slots[i].dir == dir)
            t->slots[i].active = false;
}
