/* inventory_cli.c — the `mamori inventory` command (inventory_cli.h). */
#include "inventory_cli.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "inventory.h"
#include "inventory_report.h"
#include "inventory_store.h"

#define MAX_DEVICES_LISTED 1000000
#define US_PER_S 1000000ull

static const char usage[] =
    "usage: mamori inventory --db FILE [--format table|json|csv] [--at TIME | --diff FROM TO]\n"
    "  TIME is now, seconds since 1970, or UTC as 2024-05-01 or 2024-05-01T12:00:00Z\n";

/* Parses a time; false when it is none of the accepted forms. */
static bool parse_time(const char *s, uint64_t *us)
{
    if (strcmp(s, "now") == 0) {
        *us = UINT64_MAX;
        return true;
    }
    char *end;
    unsigned long long secs = strtoull(s, &end, 10);
    if (*s && !*end && s[0] != '-') {
        *us = secs * US_PER_S;
        return true;
    }
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *rest = strptime(s, "%Y-%m-%d", &tm);
    if (rest && *rest == 'T')
        rest = strptime(rest + 1, "%H:%M:%S", &tm);
    if (!rest || (*rest && strcmp(rest, "Z") != 0))
        return false;
    time_t t = timegm(&tm);
    if (t < 0)
        return false;
    *us = (uint64_t)t * US_PER_S;
    return true;
}

static struct inventory *load(const char *db, uint64_t at, FILE *err)
{
    char msg[512];
    struct inventory *inv = inventory_new(MAX_DEVICES_LISTED, NULL, NULL, NULL);
    if (!inv) {
        fprintf(err, "mamori inventory: out of memory\n");
        return NULL;
    }
    if (inventory_store_load_at(db, at, inv, msg, sizeof msg) != 0) {
        fprintf(err, "mamori inventory: %s\n", msg);
        inventory_free(inv);
        return NULL;
    }
    return inv;
}

int inventory_cli(int argc, char **argv, FILE *out, FILE *err)
{
    const char *db = NULL;
    int fmt = isatty(fileno(out)) ? INV_FORMAT_TABLE : INV_FORMAT_JSON;
    uint64_t at = UINT64_MAX, from = 0, to = 0;
    bool diff = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool has_value = i + 1 < argc;
        if (strcmp(a, "--db") == 0 && has_value) {
            db = argv[++i];
        } else if (strcmp(a, "--format") == 0 && has_value) {
            fmt = inventory_format_parse(argv[++i]);
            if (fmt < 0) {
                fprintf(err, "mamori inventory: --format must be table, json or csv, not \"%s\"\n", argv[i]);
                return 2;
            }
        } else if (strcmp(a, "--at") == 0 && has_value) {
            if (!parse_time(argv[++i], &at)) {
                fprintf(err, "mamori inventory: --at: cannot read \"%s\" as a time\n", argv[i]);
                return 2;
            }
        } else if (strcmp(a, "--diff") == 0 && i + 2 < argc) {
            diff = true;
            if (!parse_time(argv[i + 1], &from) || !parse_time(argv[i + 2], &to)) {
                fprintf(err, "mamori inventory: --diff: cannot read \"%s\" and \"%s\" as times\n", argv[i + 1],
                        argv[i + 2]);
                return 2;
            }
            i += 2;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, out);
            return 0;
        } else {
            fprintf(err, "mamori inventory: unexpected argument \"%s\"\n%s", a, usage);
            return 2;
        }
    }
    if (!db) {
        fprintf(err, "mamori inventory: --db FILE is required\n%s", usage);
        return 2;
    }
    if (access(db, R_OK) != 0) {
        fprintf(err, "mamori inventory: %s: no such inventory database\n", db);
        return 1;
    }
    struct inventory *now = load(db, diff ? to : at, err);
    if (!now)
        return 1;
    if (!diff) {
        inventory_print(now, (enum inventory_format)fmt, out);
        inventory_free(now);
        return 0;
    }
    struct inventory *before = load(db, from, err);
    if (!before) {
        inventory_free(now);
        return 1;
    }
    inventory_print_diff(before, now, (enum inventory_format)fmt, out);
    inventory_free(before);
    inventory_free(now);
    return 0;
}
