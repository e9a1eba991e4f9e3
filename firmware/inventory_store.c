/* inventory_store.c — SQLite persistence and queries of the inventory. */
#include "inventory_store.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sensor/event_json.h"

#define MAC_TEXT_MAX 18
#define VLAN_TEXT_MAX 32
#define BUSY_TIMEOUT_MS 5000

static const char schema[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "CREATE TABLE IF NOT EXISTS device(id INTEGER PRIMARY KEY, key TEXT UNIQUE NOT NULL, ip_version INTEGER,"
    " mac TEXT, mac_vendor TEXT, vlans TEXT, first_seen INTEGER, last_seen INTEGER);"
    "CREATE TABLE IF NOT EXISTS role(device_id INTEGER NOT NULL, protocol TEXT, role TEXT, detail TEXT,"
    " first_seen INTEGER, last_seen INTEGER, PRIMARY KEY(device_id, protocol, role, detail));"
    "CREATE TABLE IF NOT EXISTS identity(device_id INTEGER NOT NULL, field TEXT, value TEXT, source TEXT,"
    " first_seen INTEGER, last_seen INTEGER, PRIMARY KEY(device_id, field, first_seen));"
    "CREATE TABLE IF NOT EXISTS change(time INTEGER, device_id INTEGER, kind TEXT, field TEXT, old_value TEXT,"
    " new_value TEXT, source TEXT);"
    "CREATE TABLE IF NOT EXISTS advisory_alert(device_id INTEGER, advisory TEXT, time INTEGER,"
    " PRIMARY KEY(device_id, advisory));";

#define STATEMENT_CACHE 16 /* more than this file has SQL texts */

struct inventory_store {
    sqlite3 *db;
    bool in_transaction; /* changes are batched until the next flush */
    /* prepared statements, keyed by the address of their SQL text */
    const char *cached_sql[STATEMENT_CACHE];
    sqlite3_stmt *cached[STATEMENT_CACHE];
};

static void set_err(char *err, size_t errlen, const char *path, sqlite3 *db, const char *what)
{
    snprintf(err, errlen, "%s: %s: %s", path, what, db ? sqlite3_errmsg(db) : "out of memory");
}

static const char *text_col(sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    return t ? (const char *)t : "";
}

static void copy_col(char *dst, size_t cap, sqlite3_stmt *s, int col) { snprintf(dst, cap, "%s", text_col(s, col)); }

/* Runs a query whose one parameter is a time and calls `row` for each result
 * row; -1 on error. */
static int each_row(sqlite3 *db, const char *sql, int64_t at, int (*row)(void *ctx, sqlite3_stmt *s), void *ctx)
{
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
        return -1;
    sqlite3_bind_int64(s, 1, at);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        if (row(ctx, s) != 0)
            break;
    sqlite3_finalize(s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static int load_device(void *ctx, sqlite3_stmt *s)
{
    struct inventory *inv = ctx;
    struct inv_device *dev = inventory_restore_device(inv, text_col(s, 1), (uint64_t)sqlite3_column_int64(s, 0));
    if (!dev)
        return 0;
    dev->ip_version = (uint8_t)sqlite3_column_int(s, 2);
    if (dev->ip_version)
        inet_pton(dev->ip_version == 6 ? AF_INET6 : AF_INET, dev->key, dev->ip);
    unsigned m[6];
    if (sscanf(text_col(s, 3), "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) == 6) {
        dev->has_mac = true;
        for (int i = 0; i < 6; i++)
            dev->mac[i] = (uint8_t)m[i];
    }
    copy_col(dev->mac_vendor, sizeof dev->mac_vendor, s, 4);
    const char *v = text_col(s, 5);
    while (*v && dev->n_vlans < INV_MAX_VLANS) {
        dev->vlans[dev->n_vlans++] = (uint16_t)strtoul(v, (char **)&v, 10);
        v += strspn(v, ",");
    }
    dev->first_us = (uint64_t)sqlite3_column_int64(s, 6);
    dev->last_us = (uint64_t)sqlite3_column_int64(s, 7);
    return 0;
}

/* Devices are restored in id order, so ids ascend with the position. */
static struct inv_device *device_by_id(struct inventory *inv, uint64_t id)
{
    size_t lo = 0, hi = inventory_count(inv);
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        struct inv_device *d = inventory_at(inv, mid);
        if (d->id == id)
            return d;
        if (d->id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int load_role(void *ctx, sqlite3_stmt *s)
{
    struct inv_device *dev = device_by_id(ctx, (uint64_t)sqlite3_column_int64(s, 0));
    struct inv_role r = { .first_us = (uint64_t)sqlite3_column_int64(s, 4),
                          .last_us = (uint64_t)sqlite3_column_int64(s, 5) };
    copy_col(r.protocol, sizeof r.protocol, s, 1);
    copy_col(r.role, sizeof r.role, s, 2);
    copy_col(r.detail, sizeof r.detail, s, 3);
    return dev ? inventory_restore_role(dev, &r) : 0;
}

static int load_identity(void *ctx, sqlite3_stmt *s)
{
    struct inv_device *dev = device_by_id(ctx, (uint64_t)sqlite3_column_int64(s, 0));
    struct inv_identity f = { .first_us = (uint64_t)sqlite3_column_int64(s, 4),
                              .last_us = (uint64_t)sqlite3_column_int64(s, 5) };
    copy_col(f.field, sizeof f.field, s, 1);
    copy_col(f.value, sizeof f.value, s, 2);
    copy_col(f.source, sizeof f.source, s, 3);
    return dev ? inventory_restore_identity(dev, &f) : 0;
}

static sqlite3 *open_db(const char *path, int flags, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        set_err(err, errlen, path, db, "cannot open inventory database");
        sqlite3_close(db);
        return NULL;
    }
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    char *msg = NULL;
    if (sqlite3_exec(db, schema, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s: not a mamori inventory database: %s", path, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(db);
        return NULL;
    }
    return db;
}

/* Loads everything known at time `at` (microseconds) into inv. */
static int load_at(sqlite3 *db, int64_t at, struct inventory *inv)
{
    return each_row(db, "SELECT id, key, ip_version, mac, mac_vendor, vlans, first_seen, last_seen FROM device"
                        " WHERE first_seen <= ?1 ORDER BY id", at, load_device, inv) ||
           each_row(db, "SELECT device_id, protocol, role, detail, first_seen, last_seen FROM role"
                        " WHERE first_seen <= ?1 ORDER BY rowid", at, load_role, inv) ||
           each_row(db, "SELECT device_id, field, value, source, first_seen, last_seen FROM identity i"
                        " WHERE first_seen = (SELECT MAX(first_seen) FROM identity j WHERE j.device_id = i.device_id"
                        " AND j.field = i.field AND j.first_seen <= ?1) ORDER BY device_id, rowid", at,
                    load_identity, inv)
               ? -1
               : 0;
}

struct inventory_store *inventory_store_open(const char *path, struct inventory *inv, char *err, size_t errlen)
{
    struct inventory_store *st = calloc(1, sizeof *st);
    if (!st) {
        set_err(err, errlen, path, NULL, "cannot open inventory database");
        return NULL;
    }
    st->db = open_db(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err, errlen);
    if (!st->db)
        return free(st), NULL;
    if (load_at(st->db, INT64_MAX, inv) != 0) {
        set_err(err, errlen, path, st->db, "cannot read inventory");
        inventory_store_close(st);
        return NULL;
    }
    return st;
}

int inventory_store_load_at(const char *path, uint64_t at_us, struct inventory *inv, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        set_err(err, errlen, path, db, "cannot open inventory database");
        sqlite3_close(db);
        return -1;
    }
    sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
    int rc = load_at(db, at_us > INT64_MAX ? INT64_MAX : (int64_t)at_us, inv);
    if (rc != 0)
        snprintf(err, errlen, "%s: not a mamori inventory database: %s", path, sqlite3_errmsg(db));
    sqlite3_close(db);
    return rc;
}

void inventory_store_close(struct inventory_store *st)
{
    if (!st)
        return;
    if (st->in_transaction)
        sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
    for (size_t i = 0; i < STATEMENT_CACHE; i++)
        sqlite3_finalize(st->cached[i]);
    sqlite3_close(st->db);
    free(st);
}

/* The prepared statement for one of this file's SQL texts. */
static sqlite3_stmt *statement(struct inventory_store *st, const char *sql)
{
    size_t i = 0;
    for (; i < STATEMENT_CACHE && st->cached_sql[i]; i++)
        if (st->cached_sql[i] == sql)
            return st->cached[i];
    sqlite3_stmt *s = NULL;
    if (i == STATEMENT_CACHE ||
        sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK)
        return NULL;
    st->cached_sql[i] = sql;
    st->cached[i] = s;
    return s;
}

/* Runs one of this file's statements with the arguments described by `types`
 * (i = int64, t = text). */
static int exec_bound(struct inventory_store *st, const char *sql, const char *types, ...)
{
    sqlite3_stmt *s = statement(st, sql);
    if (!s)
        return -1;
    va_list ap;
    va_start(ap, types);
    for (int i = 0; types[i]; i++) {
        if (types[i] == 'i')
            sqlite3_bind_int64(s, i + 1, va_arg(ap, int64_t));
        else
            sqlite3_bind_text(s, i + 1, va_arg(ap, const char *), -1, SQLITE_TRANSIENT);
    }
    va_end(ap);
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

static void vlan_text(const struct inv_device *dev, char *out, size_t cap)
{
    size_t n = 0;
    out[0] = '\0';
    for (uint32_t i = 0; i < dev->n_vlans && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, "%s%u", i ? "," : "", dev->vlans[i]);
}

int inventory_store_change(struct inventory_store *st, const struct inv_change *c)
{
    if (!st->in_transaction && sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK)
        st->in_transaction = true;
    const struct inv_device *d = c->device;
    int64_t id = (int64_t)d->id, now = (int64_t)c->time_us;
    const char *kind = inv_change_kind_name(c->kind);
    switch (c->kind) {
    case INV_NEW_DEVICE:
        if (exec_bound(st, "INSERT OR IGNORE INTO device(id, key, ip_version, first_seen, last_seen)"
                               " VALUES(?, ?, ?, ?, ?)", "itiii", id, d->key, (int64_t)d->ip_version, now, now) != 0)
            return -1;
        return exec_bound(st, "INSERT INTO change(time, device_id, kind) VALUES(?, ?, ?)", "iit", now, id, kind);
    case INV_NEW_ROLE:
        if (exec_bound(st, "INSERT OR IGNORE INTO role VALUES(?, ?, ?, ?, ?, ?)", "itttii", id,
                       c->role->protocol, c->role->role, c->role->detail, now, now) != 0)
            return -1;
        return exec_bound(st, "INSERT INTO change(time, device_id, kind, field, new_value) VALUES(?, ?, ?, ?, ?)",
                          "iittt", now, id, kind, c->role->protocol, c->role->role);
    case INV_IDENTITY_LEARNED:
    case INV_IDENTITY_CHANGED:
        if (exec_bound(st, "INSERT OR REPLACE INTO identity VALUES(?, ?, ?, ?, ?, ?)", "itttii", id,
                       c->identity->field, c->identity->value, c->identity->source, now, now) != 0)
            return -1;
        return exec_bound(st, "INSERT INTO change VALUES(?, ?, ?, ?, ?, ?, ?)", "iittttt", now, id, kind,
                          c->identity->field, c->old_value ? c->old_value : "", c->identity->value,
                          c->identity->source);
    }
    return 0;
}

int inventory_store_flush(struct inventory_store *st, struct inventory *inv)
{
    if (!st->in_transaction && sqlite3_exec(st->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    st->in_transaction = false;
    int rc = 0;
    for (size_t i = 0; i < inventory_count(inv) && rc == 0; i++) {
        struct inv_device *d = inventory_at(inv, i);
        if (!d->dirty)
            continue;
        char mac[MAC_TEXT_MAX] = "", vlans[VLAN_TEXT_MAX];
        if (d->has_mac)
            format_mac(d->mac, mac, sizeof mac);
        vlan_text(d, vlans, sizeof vlans);
        int64_t id = (int64_t)d->id;
        rc |= exec_bound(st, "UPDATE device SET mac = ?, mac_vendor = ?, vlans = ?, last_seen = ? WHERE id = ?",
                         "tttii", mac, d->mac_vendor, vlans, (int64_t)d->last_us, id);
        for (uint32_t r = 0; r < d->n_roles && rc == 0; r++)
            rc |= exec_bound(st, "UPDATE role SET last_seen = ? WHERE device_id = ? AND protocol = ? AND role = ?"
                                     " AND detail = ?", "iittt", (int64_t)d->roles[r].last_us, id,
                             d->roles[r].protocol, d->roles[r].role, d->roles[r].detail);
        for (uint32_t f = 0; f < d->n_identity && rc == 0; f++)
            rc |= exec_bound(st, "UPDATE identity SET last_seen = ? WHERE device_id = ? AND field = ? AND"
                                     " first_seen = ?", "iiti", (int64_t)d->identity[f].last_us, id,
                             d->identity[f].field, (int64_t)d->identity[f].first_us);
        d->dirty = false;
    }
    if (sqlite3_exec(st->db, rc == 0 ? "COMMIT" : "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
        return -1;
    return rc;
}

bool inventory_store_advisory_seen(struct inventory_store *st, uint64_t device_id, const char *advisory, bool mark,
                                   uint64_t time_us)
{
    sqlite3_stmt *s;
    bool seen = false;
    if (sqlite3_prepare_v2(st->db, "SELECT 1 FROM advisory_alert WHERE device_id = ? AND advisory = ?", -1, &s,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_int64(s, 1, (int64_t)device_id);
        sqlite3_bind_text(s, 2, advisory, -1, SQLITE_TRANSIENT);
        seen = sqlite3_step(s) == SQLITE_ROW;
        sqlite3_finalize(s);
    }
    if (!seen && mark)
        exec_bound(st, "INSERT OR IGNORE INTO advisory_alert VALUES(?, ?, ?)", "iti", (int64_t)device_id,
                   advisory, (int64_t)time_us);
    return seen;
}
