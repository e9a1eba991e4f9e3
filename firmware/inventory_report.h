/* inventory_report.h — the inventory for people and tools: a table on a
 * terminal, JSON lines or CSV, and the difference between two inventories. */
#ifndef MAMORI_INVENTORY_REPORT_H
#define MAMORI_INVENTORY_REPORT_H

#include <stdio.h>

#include "inventory.h"

enum inventory_format { INV_FORMAT_TABLE, INV_FORMAT_JSON, INV_FORMAT_CSV };

/* Parses "table", "json" or "csv"; -1 otherwise. */
int inventory_format_parse(const char *name);

void inventory_print(const struct inventory *inv, enum inventory_format fmt, FILE *out);
/* What `after` has that `before` did not: new devices, identity values that
 * changed or were learned, new roles. Returns how many differences. */
size_t inventory_print_diff(const struct inventory *before, const struct inventory *after, enum inventory_format fmt,
                            FILE *out);

#endif
