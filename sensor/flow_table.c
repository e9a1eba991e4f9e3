/* flow_table.c — hash table, flow pool and per-class LRU lists (see flow_table.h). */
#include "flow_table.h"

#include <stdlib.h>
#include <string.h>

#define FLOW_SLAB 256
#define FLOW_BUCKETS_MIN 1024
#define FLOW_BUCKETS_MAX (1u << 22)

struct flow_slab {
    struct flow_slab *next;
    struct flow flows[FLOW_SLAB];
};

struct lru_list {
    struct flow *head, *tail; /* head: least recently used */
};

struct flow_table {
    size_t max_flows, count, allocated;
    uint64_t timeouts_us[FLOW_CLASS__COUNT];
    struct flow **buckets;
    uint32_t bucket_mask;
    struct flow *free_flows;
    struct flow_slab *slabs;
    struct lru_list lru[FLOW_CLASS__COUNT];
};

struct flow_table *flow_table_new(size_t max_flows, const uint64_t timeouts_us[FLOW_CLASS__COUNT])
{
    struct flow_table *ft = calloc(1, sizeof *ft);
    if (!ft)
        return NULL;
    size_t buckets = FLOW_BUCKETS_MIN;
    while (buckets < max_flows && buckets < FLOW_BUCKETS_MAX)
        buckets <<= 1;
    ft->buckets = calloc(buckets, sizeof *ft->buckets);
    if (!ft->buckets) {
        free(ft);
        return NULL;
    }
    ft->bucket_mask = (uint32_t)(buckets - 1);
    ft->max_flows = max_flows;
    memcpy(ft->timeouts_us, timeouts_us, sizeof ft->timeouts_us);
    return ft;
}

void flow_table_free(struct flow_table *ft)
{
    if (!ft)
        return;
    while (ft->slabs) {
        struct flow_slab *s = ft->slabs;
        ft->slabs = s->next;
        free(s);
    }
    free(ft->buckets);
    free(ft);
}

/* Multiply-xorshift over the key, eight bytes at a time (the key is 40 bytes). */
uint32_t flow_key_hash(const struct flow_key *key)
{
    const uint8_t *b = (const uint8_t *)key;
    uint64_t h = UINT64_C(0x9E3779B97F4A7C15);
    for (size_t i = 0; i + 8 <= sizeof *key; i += 8) {
        uint64_t word;
        memcpy(&word, b + i, 8);
        h = (h ^ word) * UINT64_C(0xFF51AFD7ED558CCD);
        h ^= h >> 32;
    }
    _Static_assert(sizeof(struct flow_key) % 8 == 0, "flow_key is hashed in 8-byte words");
    h ^= h >> 29;
    h *= UINT64_C(0xC4CEB9FE1A85EC53);
    h ^= h >> 32;
    return (uint32_t)h;
}

struct flow *flow_table_find(struct flow_table *ft, const struct flow_key *key, uint32_t hash)
{
    for (struct flow *f = ft->buckets[hash & ft->bucket_mask]; f; f = f->hash_next)
        if (f->hash == hash && memcmp(&f->key, key, sizeof *key) == 0)
            return f;
    return NULL;
}

static bool grow_pool(struct flow_table *ft)
{
    struct flow_slab *s = malloc(sizeof *s);
    if (!s)
        return false;
    s->next = ft->slabs;
    ft->slabs = s;
    ft->allocated += FLOW_SLAB;
    for (size_t i = FLOW_SLAB; i > 0; i--) {
        s->flows[i - 1].hash_next = ft->free_flows;
        ft->free_flows = &s->flows[i - 1];
    }
    return true;
}

static void lru_unlink(struct flow_table *ft, struct flow *f)
{
    struct lru_list *l = &ft->lru[f->timeout_class];
    if (f->lru_prev)
        f->lru_prev->lru_next = f->lru_next;
    else
        l->head = f->lru_next;
    if (f->lru_next)
        f->lru_next->lru_prev = f->lru_prev;
    else
        l->tail = f->lru_prev;
    f->lru_prev = f->lru_next = NULL;
}

static void lru_append(struct flow_table *ft, struct flow *f)
{
    struct lru_list *l = &ft->lru[f->timeout_class];
    f->lru_prev = l->tail;
    f->lru_next = NULL;
    if (l->tail)
        l->tail->lru_next = f;
    else
        l->head = f;
    l->tail = f;
}

struct flow *flow_table_insert(struct flow_table *ft, const struct flow_key *key, uint32_t hash)
{
    if (ft->count >= ft->max_flows)
        return NULL;
    if (!ft->free_flows && !grow_pool(ft))
        return NULL;
    struct flow *f = ft->free_flows;
    ft->free_flows = f->hash_next;
    memset(f, 0, sizeof *f);
    f->key = *key;
    f->hash = hash;
    f->in_use = true;
    struct flow **bucket = &ft->buckets[hash & ft->bucket_mask];
    f->hash_next = *bucket;
    *bucket = f;
    f->timeout_class = FLOW_CLASS_UDP;
    lru_append(ft, f);
    ft->count++;
    return f;
}

void flow_table_touch(struct flow_table *ft, struct flow *f, uint64_t now_us, enum flow_timeout_class cls)
{
    if (now_us > f->last_us)
        f->last_us = now_us;
    lru_unlink(ft, f);
    f->timeout_class = (uint8_t)cls;
    lru_append(ft, f);
}

struct flow *flow_table_lru(struct flow_table *ft)
{
    struct flow *oldest = NULL;
    for (int c = 0; c < FLOW_CLASS__COUNT; c++) {
        struct flow *f = ft->lru[c].head;
        if (f && (!oldest || f->last_us < oldest->last_us))
            oldest = f;
    }
    return oldest;
}

struct flow *flow_table_expired(struct flow_table *ft, uint64_t now_us)
{
    for (int c = 0; c < FLOW_CLASS__COUNT; c++) {
        struct flow *f = ft->lru[c].head;
        if (f && f->last_us + ft->timeouts_us[c] <= now_us)
            return f;
    }
    return NULL;
}

void flow_table_remove(struct flow_table *ft, struct flow *f)
{
    struct flow **link = &ft->buckets[f->hash & ft->bucket_mask];
    while (*link && *link != f)
        link = &(*link)->hash_next;
    if (*link)
        *link = f->hash_next;
    lru_unlink(ft, f);
    f->in_use = false;
    f->hash_next = ft->free_flows;
    ft->free_flows = f;
    ft->count--;
}

size_t flow_table_count(const struct flow_table *ft) { return ft->count; }

size_t flow_table_memory(const struct flow_table *ft)
{
    return sizeof *ft + ((size_t)ft->bucket_mask + 1) * sizeof(struct flow *) +
           ft->allocated / FLOW_SLAB * sizeof(struct flow_slab);
}

void flow_table_each(struct flow_table *ft, void (*fn)(void *ctx, struct flow *f), void *ctx)
{
    for (int c = 0; c < FLOW_CLASS__COUNT; c++) {
        struct flow *f = ft->lru[c].head;
        while (f) {
            struct flow *next = f->lru_next;
            fn(ctx, f);
            f = next;
        }
    }
}
