/* indicator_watch.c — matching flows and events against pushed indicator
 * sets (indicator_watch.h). The table is one sorted array of (kind, address)
 * searched by bisection; each entry remembers the sector and version of the
 * set that listed it. */
#include "indicator_watch.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "event_json.h"
#include "json_writer.h"
#include "sectors/alert_codec.h"

#define MAX_SECTORS 16
#define SECTOR_TEXT 40
#define LINE_MAX_BYTES 256
#define ALERTED_RING 1024
#define ALERT_JSON_CAP (64 * 1024)
#define HOSTNAME_TEXT 64
#define ADDRESS_TEXT 64
#define IP_TEXT 48 /* an IPv6 address in text, with room to spare */
#define FILE_MAX (1024 * 1024)

enum indicator_kind { KIND_IPV4 = 4, KIND_IPV6 = 6, KIND_MAC = 10 };

struct indicator {
    uint8_t kind;
    uint8_t addr[16]; /* IPv4 in the first 4 bytes, MAC in the first 6, rest zero */
    uint8_t set;      /* index into sets[] */
};

struct indicator_set {
    char sector[SECTOR_TEXT];
    uint64_t version;
    struct indicator *entries; /* this sector's own, unsorted */
    size_t n;
};

struct indicator_watch {
    pthread_rwlock_t lock;
    struct indicator_set sets[MAX_SECTORS];
    unsigned n_sets;
    struct indicator *table; /* all sets merged and sorted, under lock */
    size_t n_table;
    void (*raise)(void *ctx, const struct mamori_alert *a);
    void *ctx;
    char sensor[HOSTNAME_TEXT];
    struct event_engine engine;
};

struct watch_worker {
    struct indicator_watch *w;
    struct output *out;
    uint64_t alerted[ALERTED_RING]; /* flow ids already reported (ring) */
    unsigned next_alerted;
    struct json_writer json;
    struct mamori_alert alert;
};

static int compare(const void *a, const void *b)
{
    const struct indicator *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return memcmp(x->addr, y->addr, sizeof x->addr);
}

/* Parses one line into an indicator; false for comments and other kinds. */
static bool parse_line(char *line, struct indicator *out)
{
    char kind[8], value[ADDRESS_TEXT];
    memset(out, 0, sizeof *out);
    line[strcspn(line, "#\r\n")] = '\0';
    if (sscanf(line, "%7s %63s", kind, value) != 2)
        return false;
    if (strcmp(kind, "ip") == 0) {
        if (inet_pton(AF_INET, value, out->addr) == 1)
            out->kind = KIND_IPV4;
        else if (inet_pton(AF_INET6, value, out->addr) == 1)
            out->kind = KIND_IPV6;
        return out->kind != 0;
    }
    unsigned m[6];
    if (strcmp(kind, "mac") == 0 && strlen(value) == 17 &&
        sscanf(value, "%2x:%2x:%2x:%2x:%2x:%2x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]) == 6) {
        for (int i = 0; i < 6; i++)
            out->addr[i] = (uint8_t)m[i];
        out->kind = KIND_MAC;
        return true;
    }
    return false;
}

/* Parses a set body into a fresh array (bounded by `room`). */
static struct indicator *parse_set(const char *body, size_t len, size_t room, size_t *n)
{
    struct indicator *entries = calloc(room ? room : 1, sizeof *entries);
    *n = 0;
    if (!entries)
        return NULL;
    for (size_t i = 0; i < len && *n < room;) {
        char line[LINE_MAX_BYTES];
        size_t j = i;
        while (j < len && body[j] != '\n')
            j++;
        size_t l = j - i < sizeof line - 1 ? j - i : sizeof line - 1;
        memcpy(line, body + i, l);
        line[l] = '\0';
        if (parse_line(line, &entries[*n]))
            (*n)++;
        i = j + 1;
    }
    return entries;
}

/* Rebuilds the merged table from every set; caller holds the write lock. */
static void rebuild(struct indicator_watch *w, struct indicator *table)
{
    size_t n = 0;
    for (unsigned s = 0; s < w->n_sets; s++)
        for (size_t i = 0; i < w->sets[s].n && n < INDICATOR_WATCH_MAX; i++) {
            table[n] = w->sets[s].entries[i];
            table[n++].set = (uint8_t)s;
        }
    qsort(table, n, sizeof *table, compare);
    free(w->table);
    w->table = table;
    w->n_table = n;
}

void indicator_watch_update(struct indicator_watch *w, const char *sector, uint64_t version, const void *body,
                            size_t len)
{
    size_t n;
    struct indicator *entries = parse_set(body, len, INDICATOR_WATCH_MAX, &n);
    struct indicator *table = calloc(INDICATOR_WATCH_MAX, sizeof *table);
    if (!entries || !table) {
        free(entries);
        free(table);
        fprintf(stderr, "mamori: out of memory for the %s indicators\n", sector);
        return;
    }
    pthread_rwlock_wrlock(&w->lock);
    unsigned s = 0;
    while (s < w->n_sets && strcmp(w->sets[s].sector, sector) != 0)
        s++;
    if (s == MAX_SECTORS) {
        pthread_rwlock_unlock(&w->lock);
        free(entries);
        free(table);
        return;
    }
    if (s == w->n_sets)
        snprintf(w->sets[w->n_sets++].sector, SECTOR_TEXT, "%s", sector);
    free(w->sets[s].entries);
    w->sets[s].entries = entries;
    w->sets[s].n = n;
    w->sets[s].version = version;
    rebuild(w, table);
    pthread_rwlock_unlock(&w->lock);
    fprintf(stderr, "mamori: %s indicators version %" PRIu64 ": watching %zu addresses\n", sector, version, n);
}

static void load_dir(struct indicator_watch *w, const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        const char *dot = strrchr(e->d_name, '.');
        size_t n = dot ? (size_t)(dot - e->d_name) : 0;
        if (!dot || strcmp(dot, ".indicators") != 0 || n == 0 || n >= SECTOR_TEXT)
            continue;
        char sector[SECTOR_TEXT], path[4400];
        memcpy(sector, e->d_name, n);
        sector[n] = '\0';
        unsigned long long version = 0;
        snprintf(path, sizeof path, "%s/%s.version", dir, sector);
        FILE *f = fopen(path, "r");
        if (f && fscanf(f, "%llu", &version) != 1)
            version = 0;
        if (f)
            fclose(f);
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        f = fopen(path, "rb");
        char *body = f ? malloc(FILE_MAX) : NULL;
        size_t len = body ? fread(body, 1, FILE_MAX, f) : 0;
        if (body)
            indicator_watch_update(w, sector, version, body, len);
        free(body);
        if (f)
            fclose(f);
    }
    if (d)
        closedir(d);
}

/* The entry listing this address, or NULL; caller holds the read lock. */
static const struct indicator *lookup(const struct indicator_watch *w, uint8_t kind, const uint8_t *addr, size_t n)
{
    struct indicator key = { .kind = kind };
    memcpy(key.addr, addr, n);
    return w->n_table ? bsearch(&key, w->table, w->n_table, sizeof key, compare) : NULL;
}

static const struct indicator *match(const struct indicator_watch *w, const struct mamori_endpoints *where,
                                     bool *is_src)
{
    const struct indicator *hit = NULL;
    static const uint8_t no_mac[6];
    size_t ip_len = where->ip_version == 6 ? 16 : 4;
    uint8_t ip_kind = where->ip_version == 6 ? KIND_IPV6 : KIND_IPV4;
    if (where->ip_version == 4 || where->ip_version == 6) {
        if ((hit = lookup(w, ip_kind, where->src_ip, ip_len))) {
            *is_src = true;
            return hit;
        }
        if ((hit = lookup(w, ip_kind, where->dst_ip, ip_len))) {
            *is_src = false;
            return hit;
        }
    }
    if (memcmp(where->src_mac, no_mac, 6) && (hit = lookup(w, KIND_MAC, where->src_mac, 6))) {
        *is_src = true;
        return hit;
    }
    if (memcmp(where->dst_mac, no_mac, 6) && (hit = lookup(w, KIND_MAC, where->dst_mac, 6)))
        *is_src = false;
    return hit;
}

static bool already_alerted(struct watch_worker *ww, uint64_t flow_id)
{
    for (unsigned i = 0; i < ALERTED_RING; i++)
        if (ww->alerted[i] == flow_id + 1)
            return true;
    ww->alerted[ww->next_alerted] = flow_id + 1;
    ww->next_alerted = (ww->next_alerted + 1) % ALERTED_RING;
    return false;
}

static void endpoint(const struct mamori_endpoints *where, bool src, char *out, size_t outlen)
{
    char ip[IP_TEXT];
    if (where->ip_version != 4 && where->ip_version != 6) {
        format_mac(src ? where->src_mac : where->dst_mac, out, outlen);
        return;
    }
    format_ip(where->ip_version, src ? where->src_ip : where->dst_ip, ip, sizeof ip);
    uint16_t port = src ? where->src_port : where->dst_port;
    if (!where->l4_proto)
        snprintf(out, outlen, "%s", ip);
    else if (where->ip_version == 6)
        snprintf(out, outlen, "[%s]:%u", ip, port);
    else
        snprintf(out, outlen, "%s:%u", ip, port);
}

static void indicator_text(const struct indicator *hit, char *out, size_t outlen)
{
    if (hit->kind == KIND_MAC)
        format_mac(hit->addr, out, outlen);
    else
        format_ip(hit->kind == KIND_IPV6 ? 6 : 4, hit->addr, out, outlen);
}

/* Builds and sends the alert; caller holds the read lock (for hit's set). */
static void raise_alert(struct watch_worker *ww, const struct indicator *hit, bool is_src,
                        const struct mamori_endpoints *where, uint64_t time_us, const char *protocol)
{
    struct indicator_watch *w = ww->w;
    const struct indicator_set *set = &w->sets[hit->set];
    struct mamori_alert *a = &ww->alert;
    char listed[ADDRESS_TEXT];
    memset(a, 0, offsetof(struct mamori_alert, evidence));
    alert_new_id(a->id);
    a->time_us = time_us;
    snprintf(a->sensor, sizeof a->sensor, "%s", w->sensor);
    snprintf(a->sector, sizeof a->sector, "%s", set->sector);
    a->severity = MAMORI_SEV_HIGH;
    snprintf(a->category, sizeof a->category, "indicator-match");
    snprintf(a->protocol, sizeof a->protocol, "%s", protocol ? protocol : "");
    endpoint(where, true, a->src, sizeof a->src);
    endpoint(where, false, a->dst, sizeof a->dst);
    indicator_text(hit, listed, sizeof listed);
    snprintf(a->summary, sizeof a->summary, "%s %s is listed in the %s indicators (version %" PRIu64 ")",
             is_src ? "traffic from" : "traffic to", listed, set->sector, set->version);
    snprintf(a->flow_key, sizeof a->flow_key, "%s %.60s-%.60s",
             where->l4_proto == 6 ? "tcp" : where->l4_proto == 17 ? "udp" : where->ip_version ? "ip" : "ether",
             a->src, a->dst);
    a->count = 1;
    detail_reset(&a->evidence);
    detail_object_begin(&a->evidence, "indicator");
    detail_cstring(&a->evidence, "type", hit->kind == KIND_MAC ? "mac" : "ip");
    detail_cstring(&a->evidence, "value", listed);
    detail_cstring(&a->evidence, "sector", set->sector);
    detail_uint(&a->evidence, "version", set->version);
    detail_end(&a->evidence);
    detail_uint(&a->evidence, "flow_id", where->flow_id);
    alert_json(&ww->json, a);
    if (json_writer_ok(&ww->json) && ww->out)
        output_alert(ww->out, ww->json.buf, ww->json.len);
    if (w->raise)
        w->raise(w->ctx, a);
}

static void check(struct watch_worker *ww, const struct mamori_endpoints *where, uint64_t time_us,
                  const char *protocol)
{
    struct indicator_watch *w = ww->w;
    bool is_src = false;
    pthread_rwlock_rdlock(&w->lock);
    const struct indicator *hit = match(w, where, &is_src);
    if (hit && !already_alerted(ww, where->flow_id))
        raise_alert(ww, hit, is_src, where, time_us, protocol);
    pthread_rwlock_unlock(&w->lock);
}

static void on_event(void *state, const struct mamori_event *ev)
{
    check(state, &ev->where, ev->time_us, ev->protocol);
}

static void on_flow(void *state, const struct flow_record *rec)
{
    struct mamori_endpoints where = rec->where;
    where.flow_id = rec->id;
    check(state, &where, rec->last_us, rec->decoder ? rec->decoder : rec->app_protocol);
}

static void *worker_open(void *ctx, unsigned worker, struct output *out)
{
    (void)worker;
    struct watch_worker *ww = calloc(1, sizeof *ww);
    if (!ww || json_writer_init(&ww->json, ALERT_JSON_CAP) != 0) {
        free(ww);
        return NULL;
    }
    ww->w = ctx;
    ww->out = out;
    return ww;
}

static void worker_close(void *state)
{
    struct watch_worker *ww = state;
    if (!ww)
        return;
    json_writer_free(&ww->json);
    free(ww);
}

struct indicator_watch *indicator_watch_new(const char *dir, void (*raise)(void *ctx, const struct mamori_alert *a),
                                            void *ctx)
{
    struct indicator_watch *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    pthread_rwlock_init(&w->lock, NULL);
    w->raise = raise;
    w->ctx = ctx;
    if (gethostname(w->sensor, sizeof w->sensor) != 0)
        w->sensor[0] = '\0';
    w->sensor[sizeof w->sensor - 1] = '\0';
    w->engine = (struct event_engine){
        .name = "indicators",
        .ctx = w,
        .worker_open = worker_open,
        .on_event = on_event,
        .on_flow = on_flow,
        .worker_close = worker_close,
    };
    if (dir)
        load_dir(w, dir);
    return w;
}

void indicator_watch_free(struct indicator_watch *w)
{
    if (!w)
        return;
    for (unsigned s = 0; s < w->n_sets; s++)
        free(w->sets[s].entries);
    free(w->table);
    pthread_rwlock_destroy(&w->lock);
    free(w);
}

size_t indicator_watch_count(struct indicator_watch *w)
{
    pthread_rwlock_rdlock(&w->lock);
    size_t n = w->n_table;
    pthread_rwlock_unlock(&w->lock);
    return n;
}

const struct event_engine *indicator_watch_engine(struct indicator_watch *w) { return &w->engine; }
