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

static void remove_at(struct dnp3_session *s, size_t i)
{
    memmove(&s->pending[i], &s->pending[i + 1], (s->n_pending - i - 1) * sizeof s->pending[0]);
    s->n_pending--;
}

bool dnp3_session_expect(struct dnp3_session *s, enum dnp3_pending_kind kind, uint8_t func, uint16_t master,
                         uint16_t outstation, uint8_t seq, uint64_t now_us)
{
    if (s->n_pending < DNP3_MAX_PENDING / 2)
        s->flooded = false;
    bool flood_starts = false;
    if (s->n_pending == DNP3_MAX_PENDING) {
        remove_at(s, 0);
        flood_starts = !s->flooded;
        s->flooded = true;
    }
    s->pending[s->n_pending++] = (struct dnp3_pending){ (uint8_t)kind, seq, func, master, outstation, now_us };
    return flood_starts;
}

int64_t dnp3_session_answer(struct dnp3_session *s, enum dnp3_pending_kind kind, uint16_t master,
                            uint16_t outstation, uint8_t seq, uint64_t now_us)
{
    for (size_t i = s->n_pending; i-- > 0;) { /* the newest: a retried request is answered once */
        const struct dnp3_pending *p = &s->pending[i];
        if (p->kind == kind && p->master == master && p->outstation == outstation && p->seq == seq) {
            uint64_t then = p->time_us;
            remove_at(s, i);
            return now_us >= then ? (int64_t)(now_us - then) : 0;
        }
    }
    return -1;
}

/* The oldest request into *out, counted as unanswered; with `expired_only`,
 * only one past the timeout, dropping expired confirms ahead of it. */
static bool take_request(struct dnp3_session *s, bool expired_only, uint64_t now_us, struct dnp3_pending *out)
{
    size_t i = 0;
    while (i < s->n_pending) {
        const struct dnp3_pending *p = &s->pending[i];
        if (expired_only && !expired(s, p->time_us, now_us))
            return false;
        if (p->kind == DNP3_PENDING_REQUEST) {
            *out = *p;
            remove_at(s, i);
            s->unanswered++;
            return true;
        }
        if (expired_only)
            remove_at(s, i);
        else
            i++;
    }
    return false;
}

bool dnp3_session_take_unanswered(struct dnp3_session *s, struct dnp3_pending *out)
{
    return take_request(s, false, 0, out);
}

bool dnp3_session_take_expired(struct dnp3_session *s, uint64_t now_us, struct dnp3_pending *out)
{
    return take_request(s, true, now_us, out);
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
