/* bounded_table.h — a fixed-capacity hash table with least-recently-used
 * eviction, for the engine's and the baseline's per-host state.
 *
 * Keys and values are fixed-size byte blocks (callers zero a key struct before
 * filling it, so padding compares equal). All memory is allocated once in
 * bounded_table_new(); inserting into a full table evicts the entry used least
 * recently, tells the owner through `on_evict`, and counts the eviction. Not
 * thread-safe. */
#ifndef MAMORI_BOUNDED_TABLE_H
#define MAMORI_BOUNDED_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bounded_table;

/* Called with an entry about to be evicted (its key and value are still valid). */
typedef void (*bounded_table_evict_fn)(void *ctx, const void *key, void *value);

struct bounded_table *bounded_table_new(size_t capacity, size_t key_size, size_t value_size,
                                        bounded_table_evict_fn on_evict, void *ctx);
void bounded_table_free(struct bounded_table *t);

/* The value for key, or NULL. Marks the entry as recently used. */
void *bounded_table_get(struct bounded_table *t, const void *key);
/* Like get, without touching recency; usable on a const table. */
const void *bounded_table_peek(const struct bounded_table *t, const void *key);
/* The value for key, created zero-filled (evicting if full) when missing;
 * *created tells which. */
void *bounded_table_put(struct bounded_table *t, const void *key, bool *created);
void bounded_table_remove(struct bounded_table *t, const void *key);

size_t bounded_table_count(const struct bounded_table *t);
size_t bounded_table_capacity(const struct bounded_table *t);
uint64_t bounded_table_evictions(const struct bounded_table *t);
/* Bytes allocated for the table. */
size_t bounded_table_memory(const struct bounded_table *t);

/* Iteration in no particular order; do not insert or remove while iterating
 * removing the entry just returned is allowed. `pos` starts at 0. */
bool bounded_table_next(const struct bounded_table *t, size_t *pos, const void **key, void **value);

#endif
