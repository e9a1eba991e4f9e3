/* test_hub_spool.c — the sensor's spool on a real SQLite file: order, survival
 * across reopening, the byte bound with its drop rule (oldest of the lowest
 * severity first, never a more severe alert for a less severe one), and
 * sequence numbers that are never reused. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sensor/hub_spool.h"

#define BODY 100

static char path[64];
static uint8_t body[BODY];
static struct spool_record rec;
static char err[256];

static void setup(void)
{
    snprintf(path, sizeof path, "/tmp/mamori-spool-test-%d.db", getpid());
    unlink(path);
    memset(body, 0x5a, sizeof body);
}

static void teardown(void)
{
    char side[80];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

TestSuite(hub_spool, .init = setup, .fini = teardown);

static struct hub_spool *open_spool(uint64_t max_bytes)
{
    struct hub_spool *s = hub_spool_open(path, max_bytes, err, sizeof err);
    cr_assert_not_null(s, "%s", err);
    return s;
}

static void add(struct hub_spool *s, const char *id, enum mamori_severity sev)
{
    body[0] = (uint8_t)id[0];
    cr_assert(hub_spool_begin(s));
    hub_spool_add(s, id, (int)sev, body, sizeof body);
    cr_assert(hub_spool_commit(s));
}

/* The ids left, oldest first, as one string "a,b,c". */
static const char *ids(struct hub_spool *s)
{
    static char out[256];
    int64_t after = 0;
    out[0] = '\0';
    while (hub_spool_next(s, after, &rec)) {
        strcat(out, out[0] ? "," : "");
        strcat(out, rec.id);
        cr_assert_eq(rec.len, BODY);
        cr_assert_eq(rec.body[0], (uint8_t)rec.id[0]);
        after = rec.seq;
    }
    return out;
}

Test(hub_spool, keeps_order_and_survives_reopening)
{
    struct hub_spool *s = open_spool(1 << 20);
    add(s, "a", MAMORI_SEV_LOW);
    add(s, "b", MAMORI_SEV_HIGH);
    add(s, "c", MAMORI_SEV_INFO);
    add(s, "b", MAMORI_SEV_HIGH); /* the same id again is stored once */
    cr_assert_str_eq(ids(s), "a,b,c");
    hub_spool_close(s);
    s = open_spool(1 << 20);
    cr_assert_str_eq(ids(s), "a,b,c");
    cr_assert_eq(hub_spool_count(s), 3);
    cr_assert_eq(hub_spool_bytes(s), 3 * BODY);
    cr_assert_eq(hub_spool_remove(s, "b"), 1);
    cr_assert_eq(hub_spool_remove(s, "b"), 0);
    cr_assert_eq(hub_spool_remove(s, "unknown"), 0);
    cr_assert_str_eq(ids(s), "a,c");
    cr_assert_eq(hub_spool_bytes(s), 2 * BODY);
    hub_spool_close(s);
}

Test(hub_spool, full_spool_drops_oldest_of_lowest_severity_first)
{
    struct hub_spool *s = open_spool(3 * BODY);
    add(s, "l", MAMORI_SEV_LOW);
    add(s, "h", MAMORI_SEV_HIGH);
    add(s, "m", MAMORI_SEV_LOW);
    add(s, "x", MAMORI_SEV_MEDIUM); /* evicts "l", the oldest low */
    cr_assert_str_eq(ids(s), "h,m,x");
    add(s, "i", MAMORI_SEV_INFO);   /* less severe than everything kept: dropped itself */
    cr_assert_str_eq(ids(s), "h,m,x");
    add(s, "c", MAMORI_SEV_CRITICAL); /* evicts "m" */
    cr_assert_str_eq(ids(s), "h,x,c");
    cr_assert_eq(hub_spool_dropped(s), 3);
    cr_assert_eq(hub_spool_bytes(s), 3 * BODY);
    hub_spool_close(s);
}

Test(hub_spool, sequence_numbers_are_never_reused)
{
    struct hub_spool *s = open_spool(1 << 20);
    add(s, "a", MAMORI_SEV_LOW);
    add(s, "b", MAMORI_SEV_LOW);
    cr_assert(hub_spool_next(s, 1, &rec));
    int64_t b_seq = rec.seq;
    cr_assert_eq(hub_spool_remove(s, "b"), 1);
    add(s, "c", MAMORI_SEV_LOW);
    cr_assert(hub_spool_next(s, b_seq, &rec));
    cr_assert_str_eq(rec.id, "c");
    cr_assert_gt(rec.seq, b_seq);
    hub_spool_close(s);
}

Test(hub_spool, unusable_path_is_a_clear_error)
{
    cr_assert_null(hub_spool_open("/nonexistent-dir/spool.db", 1024, err, sizeof err));
    cr_assert(strstr(err, "spool /nonexistent-dir/spool.db: "), "%s", err);
}
