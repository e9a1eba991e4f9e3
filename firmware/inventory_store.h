/* inventory_store.h — the inventory kept across runs in a SQLite file.
 *
 * Devices, their roles and every identity value ever seen (with first and last
 * seen) are rows; so is every change. Changes are written as they happen into
 * a transaction that inventory_store_flush() commits together with the
 * last-seen times (and closing commits too), so a burst of discoveries costs
 * one commit. Opening a store loads it into an inventory, so a
 * device that reports a new firmware revision tomorrow is a change, not a new
 * device. inventory_store_load_at() reads the inventory as it stood at any
 * past time, which `mamori inventory` prints and compares. */
#ifndef MAMORI_INVENTORY_STORE_H
#define MAMORI_INVENTORY_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "inventory.h"

struct inventory_store;

/* Opens (creating if needed) the file and loads it into `inv`. On failure
 * returns NULL and writes one line into err. */
struct inventory_store *inventory_store_open(const char *path, struct inventory *inv, char *err, size_t errlen);
/* Records a change reported by the inventory (call it from the change callback). */
int inventory_store_change(struct inventory_store *st, const struct inv_change *change);
/* Writes last-seen times of every device touched since the last flush. */
int inventory_store_flush(struct inventory_store *st, struct inventory *inv);
void inventory_store_close(struct inventory_store *st);

/* Whether (device, advisory) was already alerted; marks it when `mark`. */
bool inventory_store_advisory_seen(struct inventory_store *st, uint64_t device_id, const char *advisory, bool mark,
                                   uint64_t time_us);

/* Loads, read-only, the inventory as it stood at `at_us` (UINT64_MAX: now). */
int inventory_store_load_at(const char *path, uint64_t at_us, struct inventory *inv, char *err, size_t errlen);

#endif
