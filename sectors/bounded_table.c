/* bounded_table.c — fixed-capacity hash table with LRU eviction
 * (bounded_table.h). Entries live in one array: chained by index in their hash
 * bucket and in a doubly linked recency list; unused entries form a free list. */
#include "bounded_table.h"

#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX
#define HASH_SEED 0x243F6A8885A308D3ull
#define HASH_MULTIPLIER 0x9E3779B97F4A7C15ull
#define HASH_FINAL_MULTIPLIER 0xBF58476D1CE4E5B9ull

struct entry_links {
    uint32_t bucket_next;
    uint32_t newer, older; /* recency list */
    bool used;
};

struct bounded_table {
    size_t capacity, key_size, value_size, entry_size, count;
    uint64_t evictions;
    uint32_t *buckets;
    size_t bucket_mask;
    uint8_t *entries; /* capacity x [links | key | value] */
    uint32_t free_head, newest, oldest;
    bounded_table_evict_fn on_evict;
    void *ctx;
};

static size_t align8(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

static struct entry_links *links_at(const struct bounded_table *t, uint32_t i)
{
    return (struct entry_links *)(t->entries + (size_t)i * t->entry_size);
}

static uint8_t *key_at(const struct bounded_table *t, uint32_t i)
{
    return t->entries + (size_t)i * t->entry_size + align8(sizeof(struct entry_links));
}

static uint8_t *value_at(const struct bounded_table *t, uint32_t i)
{
    return key_at(t, i) + align8(t->key_size);
}

/* Mixes the key eight bytes at a time (keys are small structs hashed on
 * every event, so byte-at-a-time hashing would dominate the engine's cost). */
static size_t hash_key(const struct bounded_table *t, const void *key)
{
    const uint8_t *k = key;
    uint64_t h = HASH_SEED ^ t->key_size, w;
    size_t i = 0;
    for (; i + 8 <= t->key_size; i += 8) {
        memcpy(&w, k + i, 8);
        h = (h ^ w) * HASH_MULTIPLIER;
        h ^= h >> 32;
    }
    if (i < t->key_size) {
        w = 0;
        memcpy(&w, k + i, t->key_size - i);
        h = (h ^ w) * HASH_MULTIPLIER;
    }
    h ^= h >> 29;
    h *= HASH_FINAL_MULTIPLIER;
    h ^= h >> 32;
    return (size_t)h & t->bucket_mask;
}

struct bounded_table *bounded_table_new(size_t capacity, size_t key_size, size_t value_size,
                                        bounded_table_evict_fn on_evict, void *ctx)
{
    if (capacity == 0 || capacity >= NIL || key_size == 0)
        return NULL;
    struct bounded_table *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->capacity = capacity;
    t->key_size = key_size;
    t->value_size = value_size;
    t->entry_size = align8(sizeof(struct entry_links)) + align8(key_size) + align8(value_size);
    size_t buckets = 1;
    while (buckets < capacity * 2)
        buckets <<= 1;
    t->bucket_mask = buckets - 1;
    t->buckets = malloc(buckets * sizeof *t->buckets);
    t->entries = calloc(capacity, t->entry_size);
    if (!t->buckets || !t->entries) {
        bounded_table_free(t);
        return NULL;
    }
    memset(t->buckets, 0xff, buckets * sizeof *t->buckets);
    for (uint32_t i = 0; i < capacity; i++)
        links_at(t, i)->bucket_next = i + 1 < capacity ? i + 1 : NIL;
    t->free_head = 0;
    t->newest = t->oldest = NIL;
    t->on_evict = on_evict;
    t->ctx = ctx;
    return t;
}

void bounded_table_free(struct bounded_table *t)
{
    if (!t)
        return;
    free(t->buckets);
    free(t->entries);
    free(t);
}

static uint32_t find(const struct bounded_table *t, const void *key, size_t bucket)
{
    for (uint32_t i = t->buckets[bucket]; i != NIL; i = links_at(t, i)->bucket_next)
        if (memcmp(key_at(t, i), key, t->key_size) == 0)
            return i;
    return NIL;
}

static void recency_unlink(struct bounded_table *t, uint32_t i)
{
    struct entry_links *l = links_at(t, i);
    if (l->newer != NIL)
        links_at(t, l->newer)->older = l->older;
    else
        t->newest = l->older;
    if (l->older != NIL)
        links_at(t, l->older)->newer = l->newer;
    else
        t->oldest = l->newer;
}

static void recency_push_newest(struct bounded_table *t, uint32_t i)
{
    struct entry_links *l = links_at(t, i);
    l->newer = NIL;
    l->older = t->newest;
    if (t->newest != NIL)
        links_at(t, t->newest)->newer = i;
    t->newest = i;
    if (t->oldest == NIL)
        t->oldest = i;
}

static void remove_index(struct bounded_table *t, uint32_t i)
{
    size_t bucket = hash_key(t, key_at(t, i));
    uint32_t *slot = &t->buckets[bucket];
    while (*slot != i)
        slot = &links_at(t, *slot)->bucket_next;
    *slot = links_at(t, i)->bucket_next;
    recency_unlink(t, i);
    struct entry_links *l = links_at(t, i);
    l->used = false;
    l->bucket_next = t->free_head;
    t->free_head = i;
    t->count--;
}

void *bounded_table_get(struct bounded_table *t, const void *key)
{
    uint32_t i = find(t, key, hash_key(t, key));
    if (i == NIL)
        return NULL;
    if (t->newest != i) {
        recency_unlink(t, i);
        recency_push_newest(t, i);
    }
    return value_at(t, i);
}

const void *bounded_table_peek(const struct bounded_table *t, const void *key)
{
    uint32_t i = find(t, key, hash_key(t, key));
    return i == NIL ? NULL : value_at(t, i);
}

void *bounded_table_put(struct bounded_table *t, const void *key, bool *created)
{
    void *v = bounded_table_get(t, key);
    if (v) {
        if (created)
            *created = false;
        return v;
    }
    if (t->free_head == NIL) {
        uint32_t victim = t->oldest;
        if (t->on_evict)
            t->on_evict(t->ctx, key_at(t, victim), value_at(t, victim));
        remove_index(t, victim);
        t->evictions++;
    }
    uint32_t i = t->free_head;
    struct entry_links *l = links_at(t, i);
    t->free_head = l->bucket_next;
    l->used = true;
    memcpy(key_at(t, i), key, t->key_size);
    memset(value_at(t, i), 0, t->value_size);
    size_t bucket = hash_key(t, key);
    l->bucket_next = t->buckets[bucket];
    t->buckets[bucket] = i;
    recency_push_newest(t, i);
    t->count++;
    if (created)
        *created = true;
    return value_at(t, i);
}

void bounded_table_remove(struct bounded_table *t, const void *key)
{
    uint32_t i = find(t, key, hash_key(t, key));
    if (i != NIL)
        remove_index(t, i);
}

size_t bounded_table_count(const struct bounded_table *t)
{
    return t->count;
}

size_t bounded_table_capacity(const struct bounded_table *t)
{
    return t->capacity;
}

uint64_t bounded_table_evictions(const struct bounded_table *t)
{
    return t->evictions;
}

size_t bounded_table_memory(const struct bounded_table *t)
{
    return sizeof *t + (t->bucket_mask + 1) * sizeof *t->buckets + t->capacity * t->entry_size;
}

bool bounded_table_next(const struct bounded_table *t, size_t *pos, const void **key, void **value)
{
    while (*pos < t->capacity) {
        uint32_t i = (uint32_t)(*pos)++;
        if (links_at(t, i)->used) {
            *key = key_at(t, i);
            *value = value_at(t, i);
            return true;
        }
    }
    return false;
}
