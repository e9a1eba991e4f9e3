/* dnp3_session.c — transactions and select-before-operate (see dnp3_session.h). */
#include "dnp3_session.h"

#include <string.h>

#include "../cursor.h"

#define FNV_OFFSET 2166136261u
#define FNV_PRIME 16777619u
#define SEQ_MODULO 16

void dnp3_session_init(struct dnp3_session *s, uint64_t timeout_us)
{
    memset(s, 0, sizeof *s);
    s->timeout_us = timeout_us;
}

static bool expired(const struct dnp3_session *s, uint64_t then_us, uint64_t now_us)
{
    return s->timeout_us && now_us > then_us && now_us - then_us > s->timeout_us;
}

bool dnp3_session_expect(struct dnp3_session *s, enum dnp3_pending_kind kind, uint8_t func, uint16_t master,
                         uint16_t outstation, uint8_t seq, uint64_t now_us)
{
    struct dnp3_pending *slot = NULL, *oldest = &s->pending[0];
    size_t live = 0;
    for (size_t i = 0; i < DNP3_MAX_PENDING; i++) {
        struct dnp3_pending *p = &s->pending[i];
        if (p->used && expired(s, p->time_us, now_us))
            p->used = false;
        if (!p->used) {
            if (!slot)
                slot = p;
            continue;
        }
        live++;
        if (p->time_us < oldest->time_us)
            oldest = p;
    }
    if (live < DNP3_MAX_PENDING / 2)
        s->flooded = false;
    bool flood_starts = false;
    if (!slot) {
        slot = oldest;
        flood_starts = !s->flooded;
        s->flooded = true;
    }
    *slot = (struct dnp3_pending){ true, (uint8_t)kind, seq, func, master, outstation, now_us };
    return flood_starts;
}

int64_t dnp3_session_answer(struct dnp3_session *s, enum dnp3_pending_kind kind, uint16_t master,
                            uint16_t outstation, uint8_t seq, uint64_t now_us)
{
    struct dnp3_pending *newest = NULL; /* a retried request is answered once */
    for (size_t i = 0; i < DNP3_MAX_PENDING; i++) {
        struct dnp3_pending *p = &s->pending[i];
        if (p->used && p->kind == kind && p->master == master && p->outstation == outstation && p->seq == seq &&
            (!newest || p->time_us >= newest->time_us))
            newest = p;
    }
    if (!newest)
        return -1;
    newest->used = false;
    return now_us >= newest->time_us ? (int64_t)(now_us - newest->time_us) : 0;
}

bool dnp3_session_take_unanswered(struct dnp3_session *s, struct dnp3_pending *out)
{
    struct dnp3_pending *oldest = NULL;
    for (size_t i = 0; i < DNP3_MAX_PENDING; i++) {
        struct dnp3_pending *p = &s->pending[i];
        if (p->used && p->kind == DNP3_PENDING_REQUEST && (!oldest || p->time_us < oldest->time_us))
            oldest = p;
    }
    if (!oldest)
        return false;
    *out = *oldest;
    oldest->used = false;
    s->unanswered++;
    return true;
}

void dnp3_session_select(struct dnp3_session *s, uint16_t master, uint16_t outstation, uint8_t seq,
                         uint32_t objects_hash, uint64_t now_us)
{
    struct dnp3_select *slot = &s->selects[0];
    for (size_t i = 0; i < DNP3_MAX_SELECTS; i++) {
        struct dnp3_select *sel = &s->selects[i];
        if (!sel->used || (sel->master == master && sel->outstation == outstation)) {
            slot = sel;
            break;
        }
        if (sel->time_us < slot->time_us)
            slot = sel;
    }
    *slot = (struct dnp3_select){ true, seq, master, outstation, objects_hash, now_us };
}

bool dnp3_session_operate(struct dnp3_session *s, uint16_t master, uint16_t outstation, uint8_t seq,
                          uint32_t objects_hash, uint64_t now_us)
{
    for (size_t i = 0; i < DNP3_MAX_SELECTS; i++) {
        struct dnp3_select *sel = &s->selects[i];
        if (!sel->used || sel->master != master || sel->outstation != outstation)
            continue;
        sel->used = false;
        return (uint8_t)((sel->seq + 1) % SEQ_MODULO) == seq && sel->objects_hash == objects_hash &&
               !expired(s, sel->time_us, now_us);
    }
    return false;
}

uint32_t dnp3_objects_hash(const uint8_t *data, size_t len)
{
    cursor c = cursor_make(data, len);
    uint32_t hash = FNV_OFFSET;
    while (!cursor_empty(&c))
        hash = (hash ^ cursor_u8(&c)) * FNV_PRIME;
    return hash;
}
