/* hub_store.c — SQLite tables of the hub (hub_store.h). */
#include "hub_store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STORE_BUSY_TIMEOUT_MS 10000

struct hub_store {
    sqlite3 *db;
    sqlite3_stmt *add_alert, *next_alert, *seq_of, *id_at, *last_seq, *count, *add_ind, *latest_ind, *ind_version, *seen, *sensors;
};

static const char schema_sql[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "CREATE TABLE IF NOT EXISTS alerts ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " id TEXT NOT NULL UNIQUE,"
    " received INTEGER NOT NULL,"
    " organisation TEXT NOT NULL, site TEXT NOT NULL, sensor_key TEXT NOT NULL,"
    " sector TEXT NOT NULL, severity INTEGER NOT NULL, category TEXT NOT NULL, topic TEXT NOT NULL,"
    " body BLOB NOT NULL);"
    "CREATE TABLE IF NOT EXISTS indicators ("
    " sector TEXT NOT NULL, version INTEGER NOT NULL, pushed INTEGER NOT NULL, body BLOB NOT NULL,"
    " PRIMARY KEY (sector, version));"
    "CREATE TABLE IF NOT EXISTS sensors ("
    " key TEXT PRIMARY KEY, name TEXT NOT NULL, last_seen INTEGER NOT NULL, applied TEXT NOT NULL);";

static bool prepare(struct hub_store *s, sqlite3_stmt **st, const char *sql)
{
    return sqlite3_prepare_v2(s->db, sql, -1, st, NULL) == SQLITE_OK;
}

void hub_store_close(struct hub_store *s)
{
    if (!s)
        return;
    sqlite3_stmt *all[] = { s->add_alert, s->next_alert, s->seq_of, s->id_at, s->last_seq, s->count,
                            s->add_ind, s->latest_ind, s->ind_version, s->seen, s->sensors };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        sqlite3_finalize(all[i]);
    sqlite3_close(s->db);
    free(s);
}

struct hub_store *hub_store_open(const char *path, char *err, size_t errlen)
{
    struct hub_store *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "store: out of memory");
        return NULL;
    }
    if (sqlite3_open(path, &s->db) != SQLITE_OK || sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS) != SQLITE_OK ||
        sqlite3_exec(s->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK ||
        !prepare(s, &s->add_alert,
                 "INSERT OR IGNORE INTO alerts(id, received, organisation, site, sensor_key, sector, severity,"
                 " category, topic, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)") ||
        !prepare(s, &s->next_alert,
                 "SELECT seq, organisation, sector, severity, topic, body FROM alerts"
                 " WHERE seq > ? AND severity >= ? ORDER BY seq LIMIT 1") ||
        !prepare(s, &s->seq_of, "SELECT seq FROM alerts WHERE id = ?") ||
        !prepare(s, &s->id_at, "SELECT id FROM alerts WHERE seq <= ? ORDER BY seq DESC LIMIT 1") ||
        !prepare(s, &s->last_seq, "SELECT coalesce(max(seq), 0) FROM alerts") ||
        !prepare(s, &s->count, "SELECT count(*) FROM alerts") ||
        !prepare(s, &s->add_ind,
                 "INSERT INTO indicators(sector, version, pushed, body) SELECT ?1,"
                 " coalesce(max(version), 0) + 1, ?2, ?3 FROM indicators WHERE sector = ?1 RETURNING version") ||
        !prepare(s, &s->latest_ind,
                 "SELECT version, body FROM indicators WHERE sector = ? ORDER BY version DESC LIMIT 1") ||
        !prepare(s, &s->ind_version, "SELECT coalesce(max(version), 0) FROM indicators WHERE sector = ?") ||
        !prepare(s, &s->seen,
                 "INSERT INTO sensors(key, name, last_seen, applied) VALUES (?, ?, ?, ?)"
                 " ON CONFLICT(key) DO UPDATE SET name = excluded.name, last_seen = excluded.last_seen,"
                 " applied = excluded.applied") ||
        !prepare(s, &s->sensors, "SELECT name, last_seen, applied FROM sensors ORDER BY name")) {
        snprintf(err, errlen, "store %s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
        hub_store_close(s);
        return NULL;
    }
    return s;
}

bool hub_store_begin(struct hub_store *s) { return sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) == SQLITE_OK; }
bool hub_store_commit(struct hub_store *s) { return sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK; }

int hub_store_add_alert(struct hub_store *s, const struct stored_alert_meta *m, const void *body, size_t len)
{
    sqlite3_stmt *st = s->add_alert;
    sqlite3_bind_text(st, 1, m->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL));
    sqlite3_bind_text(st, 3, m->organisation, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, m->site, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, m->sensor_key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, m->sector, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 7, m->severity);
    sqlite3_bind_text(st, 8, m->category, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, m->topic, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 10, body, (int)len, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int result = rc != SQLITE_DONE ? -1 : sqlite3_changes(s->db) == 1 ? 1 : 0;
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return result;
}

static void column_text(sqlite3_stmt *st, int col, char *out, size_t outlen)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(out, outlen, "%s", t ? (const char *)t : "");
}

bool hub_store_next_alert(struct hub_store *s, int64_t after, int min_severity, struct stored_alert *out)
{
    sqlite3_stmt *st = s->next_alert;
    bool found = false;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int(st, 2, min_severity);
    if (sqlite3_step(st) == SQLITE_ROW) {
        int len = sqlite3_column_bytes(st, 5);
        out->seq = sqlite3_column_int64(st, 0);
        column_text(st, 1, out->organisation, sizeof out->organisation);
        column_text(st, 2, out->sector, sizeof out->sector);
        out->severity = sqlite3_column_int(st, 3);
        column_text(st, 4, out->topic, sizeof out->topic);
        out->len = len > 0 && (size_t)len <= sizeof out->body ? (size_t)len : 0;
        if (out->len)
            memcpy(out->body, sqlite3_column_blob(st, 5), out->len);
        found = true;
    }
    sqlite3_reset(st);
    return found;
}

static int64_t single_int(sqlite3_stmt *st, int64_t otherwise)
{
    int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : otherwise;
    sqlite3_reset(st);
    return v;
}

int64_t hub_store_seq_of(struct hub_store *s, const char *id)
{
    sqlite3_bind_text(s->seq_of, 1, id, -1, SQLITE_TRANSIENT);
    return single_int(s->seq_of, -1);
}

bool hub_store_id_at(struct hub_store *s, int64_t at, char *out, size_t outlen)
{
    bool found = false;
    sqlite3_bind_int64(s->id_at, 1, at);
    if (sqlite3_step(s->id_at) == SQLITE_ROW) {
        column_text(s->id_at, 0, out, outlen);
        found = true;
    }
    sqlite3_reset(s->id_at);
    return found;
}

int64_t hub_store_last_seq(struct hub_store *s) { return single_int(s->last_seq, 0); }
int64_t hub_store_alert_count(struct hub_store *s) { return single_int(s->count, 0); }

uint64_t hub_store_add_indicators(struct hub_store *s, const char *sector, const void *body, size_t len)
{
    sqlite3_bind_text(s->add_ind, 1, sector, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s->add_ind, 2, (sqlite3_int64)time(NULL));
    sqlite3_bind_blob(s->add_ind, 3, body, (int)len, SQLITE_TRANSIENT);
    uint64_t version = 0;
    if (sqlite3_step(s->add_ind) == SQLITE_ROW) {
        version = (uint64_t)sqlite3_column_int64(s->add_ind, 0);
        if (sqlite3_step(s->add_ind) != SQLITE_DONE)
            version = 0;
    }
    sqlite3_reset(s->add_ind);
    sqlite3_clear_bindings(s->add_ind);
    return version;
}

uint64_t hub_store_indicators_version(struct hub_store *s, const char *sector)
{
    sqlite3_bind_text(s->ind_version, 1, sector, -1, SQLITE_TRANSIENT);
    return (uint64_t)single_int(s->ind_version, 0);
}

uint64_t hub_store_latest_indicators(struct hub_store *s, const char *sector, void *buf, size_t cap, size_t *len)
{
    uint64_t version = 0;
    *len = 0;
    sqlite3_bind_text(s->latest_ind, 1, sector, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(s->latest_ind) == SQLITE_ROW) {
        int n = sqlite3_column_bytes(s->latest_ind, 1);
        if (n >= 0 && (size_t)n <= cap) {
            version = (uint64_t)sqlite3_column_int64(s->latest_ind, 0);
            memcpy(buf, sqlite3_column_blob(s->latest_ind, 1), (size_t)n);
            *len = (size_t)n;
        }
    }
    sqlite3_reset(s->latest_ind);
    return version;
}

bool hub_store_sensor_seen(struct hub_store *s, const char *key, const char *name, const char *applied)
{
    sqlite3_bind_text(s->seen, 1, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s->seen, 2, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s->seen, 3, (sqlite3_int64)time(NULL));
    sqlite3_bind_text(s->seen, 4, applied, -1, SQLITE_TRANSIENT);
    bool ok = sqlite3_step(s->seen) == SQLITE_DONE;
    sqlite3_reset(s->seen);
    return ok;
}

void hub_store_each_sensor(struct hub_store *s, void (*fn)(void *ctx, const char *name, int64_t last_seen,
                                                           const char *applied), void *ctx)
{
    while (sqlite3_step(s->sensors) == SQLITE_ROW)
        fn(ctx, (const char *)sqlite3_column_text(s->sensors, 0), sqlite3_column_int64(s->sensors, 1),
           (const char *)sqlite3_column_text(s->sensors, 2));
    sqlite3_reset(s->sensors);
}
