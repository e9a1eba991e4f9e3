/* goose_sv_common.c — the Ethernet header, per-flow publication slots and the
 * worker-wide second-publisher registry shared by GOOSE and Sampled Values. */
#include "goose_sv_common.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REGISTRY_SLOTS 1024 /* power of two */
#define REGISTRY_PROBES 8
#define FNV_OFFSET 2166136261u
#define FNV_PRIME 16777619u

const char *goose_sv_header_read(const uint8_t *data, size_t len, struct goose_sv_header *h, cursor *apdu)
{
    cursor c = cursor_make(data, len);
    memset(h, 0, sizeof *h);
    *apdu = cursor_make(NULL, 0);
    if (cursor_left(&c) < GOOSE_SV_HEADER_LEN)
        return "truncated_header";
    h->appid = cursor_be16(&c);
    h->length = cursor_be16(&c);
    h->reserve1 = cursor_be16(&c);
    h->reserve2 = cursor_be16(&c);
    if (h->length < GOOSE_SV_HEADER_LEN)
        return "bad_length";
    size_t apdu_len = h->length - GOOSE_SV_HEADER_LEN;
    if (apdu_len > cursor_left(&c)) {
        *apdu = cursor_rest(&c);
        return "truncated_frame";
    }
    *apdu = cursor_sub(&c, apdu_len);
    return NULL;
}

void goose_sv_header_detail(struct mamori_detail *d, const struct goose_sv_header *h)
{
    if (!d)
        return;
    detail_uint(d, "appid", h->appid);
    detail_uint(d, "length", h->length);
    detail_uint(d, "reserve1", h->reserve1);
    detail_bool(d, "s_bit", (h->reserve1 & GOOSE_SV_S_BIT) != 0);
    detail_uint(d, "reserve2", h->reserve2);
}

void goose_sv_name_set(struct goose_sv_name *n, const struct mamori_text *t)
{
    size_t keep = t->len < GOOSE_SV_NAME_MAX ? t->len : GOOSE_SV_NAME_MAX;
    n->len = t->len > UINT16_MAX ? UINT16_MAX : (uint16_t)t->len;
    memcpy(n->text, t->ptr, keep);
}

bool goose_sv_name_eq(const struct goose_sv_name *n, const struct mamori_text *t)
{
    if (n->len != t->len)
        return false;
    size_t cmp = t->len < GOOSE_SV_NAME_MAX ? t->len : GOOSE_SV_NAME_MAX;
    return memcmp(n->text, t->ptr, cmp) == 0;
}

struct goose_sv_slot *goose_sv_slot_find(void *slots, size_t stride, size_t count, const struct mamori_text *name,
                                         bool *fresh)
{
    uint8_t *base = slots;
    struct goose_sv_slot *free_slot = NULL, *oldest = NULL;
    for (size_t i = 0; i < count; i++) {
        struct goose_sv_slot *s = (struct goose_sv_slot *)(base + i * stride);
        if (!s->used) {
            if (!free_slot)
                free_slot = s;
            continue;
        }
        if (goose_sv_name_eq(&s->name, name)) {
            *fresh = false;
            return s;
        }
        if (!oldest || s->last_us < oldest->last_us)
            oldest = s;
    }
    struct goose_sv_slot *s = free_slot ? free_slot : oldest;
    memset(s, 0, stride);
    s->used = true;
    goose_sv_name_set(&s->name, name);
    *fresh = true;
    return s;
}

/* ---- second-publisher registry ----------------------------------------- */

struct registry_entry {
    uint64_t owner; /* 0: free */
    uint64_t last_us;
    struct goose_sv_name name;
};

struct goose_sv_registry {
    uint64_t next_owner;
    uint64_t latest_us;
    struct registry_entry entries[REGISTRY_SLOTS];
};

void *goose_sv_registry_new(const struct mamori_decoder_options *opts)
{
    (void)opts;
    struct goose_sv_registry *r = calloc(1, sizeof *r);
    if (r)
        r->next_owner = 1;
    return r;
}

void goose_sv_registry_free(void *registry) { free(registry); }

void *goose_sv_state_new(const struct mamori_decoder_options *opts, size_t size)
{
    if (opts && opts->state_budget < size)
        return NULL;
    return calloc(1, size);
}

uint64_t goose_sv_registry_owner(struct goose_sv_registry *r) { return r->next_owner++; }

uint64_t goose_sv_registry_latest(const struct goose_sv_registry *r) { return r->latest_us; }

static uint32_t name_hash(const struct mamori_text *t)
{
    uint32_t h = FNV_OFFSET;
    for (size_t i = 0; i < t->len; i++)
        h = (h ^ (uint8_t)t->ptr[i]) * FNV_PRIME;
    return h;
}

bool goose_sv_registry_claim(struct goose_sv_registry *r, const struct mamori_text *name, uint64_t owner,
                             uint64_t now_us, uint64_t stale_us)
{
    if (now_us > r->latest_us)
        r->latest_us = now_us;
    uint32_t h = name_hash(name);
    struct registry_entry *victim = NULL;
    for (uint32_t probe = 0; probe < REGISTRY_PROBES; probe++) {
        struct registry_entry *e = &r->entries[(h + probe) & (REGISTRY_SLOTS - 1)];
        if (!e->owner) { /* entries are replaced, never freed: the name is not further on */
            victim = e;
            break;
        }
        if (goose_sv_name_eq(&e->name, name)) {
            bool stale = now_us < e->last_us || now_us - e->last_us >= stale_us;
            if (e->owner == owner || stale) {
                e->owner = owner;
                e->last_us = now_us;
                return false;
            }
            return true;
        }
        if (!victim || e->last_us < victim->last_us)
            victim = e;
    }
    /* a new name: a free entry, else the one silent longest */
    victim->owner = owner;
    victim->last_us = now_us;
    goose_sv_name_set(&victim->name, name);
    return false;
}

void goose_sv_anomaly_begin(struct mamori_event *ev, struct mamori_sink *sink, const char *protocol,
                            const char *anomaly, enum mamori_op op, const struct mamori_text *object)
{
    mamori_event_init(ev, sink, protocol);
    ev->kind = MAMORI_EVENT_ANOMALY;
    ev->role = MAMORI_ROLE_PUBLISH;
    ev->op = op;
    ev->anomaly = anomaly;
    if (object)
        ev->object = *object;
}

#define CONF_REV_PREFIX "conf_rev:"
#define UINT32_DIGITS 10

void goose_sv_conf_rev_identity(struct mamori_sink *sink, const char *protocol, const struct mamori_text *name,
                                uint32_t conf_rev)
{
    char field[sizeof CONF_REV_PREFIX + GOOSE_SV_NAME_MAX];
    char value[UINT32_DIGITS + 1];
    int name_len = (int)(name->len < GOOSE_SV_NAME_MAX ? name->len : GOOSE_SV_NAME_MAX);
    snprintf(field, sizeof field, "%s%.*s", CONF_REV_PREFIX, name_len, name->ptr);
    int value_len = snprintf(value, sizeof value, "%" PRIu32, conf_rev);
    struct mamori_event ev;
    mamori_event_init(&ev, sink, protocol);
    ev.kind = MAMORI_EVENT_IDENTITY;
    ev.role = MAMORI_ROLE_NONE;
    ev.op = MAMORI_OP_IDENTIFY;
    ev.object = *name;
    mamori_event_add_identity(&ev, field, value, (size_t)value_len);
    mamori_emit(sink, &ev);
}
