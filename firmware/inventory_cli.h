/* inventory_cli.h — `mamori inventory`: the inventory kept in a SQLite file,
 * printed now or as it stood at a past time, or what changed between two
 * times; as a table, JSON lines or CSV. */
#ifndef MAMORI_INVENTORY_CLI_H
#define MAMORI_INVENTORY_CLI_H

#include <stdio.h>

/* argv[0] is "inventory". Returns the process exit status: 0, 1 for an
 * unreadable database, 2 for a usage error (one line on err). */
int inventory_cli(int argc, char **argv, FILE *out, FILE *err);

#endif
