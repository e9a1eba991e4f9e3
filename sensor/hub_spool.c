/* hub_spool.c — SQLite-backed alert spool (hub_spool.h). */
#include "hub_spool.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SPOOL_BUSY_TIMEOUT_MS 5000

struct hub_spool {
    sqlite3 *db;
    sqlite3_stmt *insert, *next, *remove, *victim, *evict;
    uint64_t max_bytes, bytes, count, dropped;
};

static const char schema_sql[] =
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=FULL;"
    "CREATE TABLE IF NOT EXISTS spool ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
    " id TEXT NOT NULL UNIQUE,"
    " severity INTEGER NOT NULL,"
    " body BLOB NOT NULL);"
    "CREATE INDEX IF NOT EXISTS spool_by_severity ON spool(severity, seq);";

static bool prepare(struct hub_spool *s, sqlite3_stmt **st, const char *sql)
{
    return sqlite3_prepare_v2(s->db, sql, -1, st, NULL) == SQLITE_OK;
}

void hub_spool_close(struct hub_spool *s)
{
    if (!s)
        return;
    sqlite3_finalize(s->insert);
    sqlite3_finalize(s->next);
    sqlite3_finalize(s->remove);
    sqlite3_finalize(s->victim);
    sqlite3_finalize(s->evict);
    sqlite3_close(s->db);
    free(s);
}

static bool load_totals(struct hub_spool *s)
{
    sqlite3_stmt *st;
    if (!prepare(s, &st, "SELECT count(*), coalesce(sum(length(body)), 0) FROM spool"))
        return false;
    bool ok = sqlite3_step(st) == SQLITE_ROW;
    if (ok) {
        s->count = (uint64_t)sqlite3_column_int64(st, 0);
        s->bytes = (uint64_t)sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    return ok;
}

struct hub_spool *hub_spool_open(const char *path, uint64_t max_bytes, char *err, size_t errlen)
{
    struct hub_spool *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "spool: out of memory");
        return NULL;
    }
    s->max_bytes = max_bytes;
    if (sqlite3_open(path, &s->db) != SQLITE_OK ||
        sqlite3_busy_timeout(s->db, SPOOL_BUSY_TIMEOUT_MS) != SQLITE_OK ||
        sqlite3_exec(s->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK ||
        !prepare(s, &s->insert, "INSERT OR IGNORE INTO spool(id, severity, body) VALUES (?, ?, ?)") ||
        !prepare(s, &s->next, "SELECT seq, id, body FROM spool WHERE seq > ? ORDER BY seq LIMIT 1") ||
        !prepare(s, &s->remove, "DELETE FROM spool WHERE id = ? RETURNING length(body)") ||
        !prepare(s, &s->victim, "SELECT seq, severity, length(body) FROM spool ORDER BY severity, seq LIMIT 1") ||
        !prepare(s, &s->evict, "DELETE FROM spool WHERE seq = ?") || !load_totals(s)) {
        snprintf(err, errlen, "spool %s: %s", path, s->db ? sqlite3_errmsg(s->db) : "cannot open");
        hub_spool_close(s);
        return NULL;
    }
    return s;
}

bool hub_spool_begin(struct hub_spool *s) { return sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK; }
bool hub_spool_commit(struct hub_spool *s) { return sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK; }

/* Evicts the oldest alert of the lowest severity, if not above `severity`. */
static bool evict_one(struct hub_spool *s, int severity)
{
    bool evicted = false;
    if (sqlite3_step(s->victim) == SQLITE_ROW && sqlite3_column_int(s->victim, 1) <= severity) {
        int64_t seq = sqlite3_column_int64(s->victim, 0);
        uint64_t len = (uint64_t)sqlite3_column_int64(s->victim, 2);
        sqlite3_reset(s->victim);
        sqlite3_bind_int64(s->evict, 1, seq);
        evicted = sqlite3_step(s->evict) == SQLITE_DONE;
        sqlite3_reset(s->evict);
        if (evicted) {
            s->count--;
            s->bytes -= len;
            s->dropped++;
        }
    }
    sqlite3_reset(s->victim);
    return evicted;
}

bool hub_spool_add(struct hub_spool *s, const char *id, int severity, const void *body, size_t len)
{
    if (len > s->max_bytes) {
        s->dropped++;
        return false;
    }
    while (s->bytes + len > s->max_bytes)
        if (!evict_one(s, severity)) {
            s->dropped++;
            return false;
        }
    sqlite3_bind_text(s->insert, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int(s->insert, 2, severity);
    sqlite3_bind_blob(s->insert, 3, body, (int)len, SQLITE_STATIC);
    bool ok = sqlite3_step(s->insert) == SQLITE_DONE;
    bool added = ok && sqlite3_changes(s->db) == 1;
    sqlite3_reset(s->insert);
    sqlite3_clear_bindings(s->insert);
    if (added) {
        s->count++;
        s->bytes += len;
    }
    return ok;
}

bool hub_spool_next(struct hub_spool *s, int64_t after_seq, struct spool_record *rec)
{
    bool found = false;
    sqlite3_bind_int64(s->next, 1, after_seq);
    if (sqlite3_step(s->next) == SQLITE_ROW) {
        const unsigned char *id = sqlite3_column_text(s->next, 1);
        int len = sqlite3_column_bytes(s->next, 2);
        if (id && len > 0 && (size_t)len <= sizeof rec->body) {
            rec->seq = sqlite3_column_int64(s->next, 0);
            snprintf(rec->id, sizeof rec->id, "%s", (const char *)id);
            memcpy(rec->body, sqlite3_column_blob(s->next, 2), (size_t)len);
            rec->len = (size_t)len;
            found = true;
        }
    }
    sqlite3_reset(s->next);
    return found;
}

int hub_spool_remove(struct hub_spool *s, const char *id)
{
    int removed = 0;
    sqlite3_bind_text(s->remove, 1, id, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s->remove);
    if (rc == SQLITE_ROW) {
        s->count--;
        s->bytes -= (uint64_t)sqlite3_column_int64(s->remove, 0);
        removed = 1;
        rc = sqlite3_step(s->remove);
    }
    sqlite3_reset(s->remove);
    return rc == SQLITE_DONE ? removed : -1;
}

uint64_t hub_spool_count(const struct hub_spool *s) { return s->count; }
uint64_t hub_spool_bytes(const struct hub_spool *s) { return s->bytes; }
uint64_t hub_spool_dropped(const struct hub_spool *s) { return s->dropped; }
