/* hub_server.c — the hub's event loop (hub_server.h). */
#include "hub_server.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "hub_privacy.h"
#include "hub_protocol.h"
#include "hub_store.h"
#include "hub_zap.h"
#include "sectors/alert_codec.h"
#include "sensor/json_writer.h"
#include "zmq_frames.h"

#define HUB_MAX_SUBSCRIBERS 256
#define SENSOR_BATCH 256
#define PUMP_BATCH 256
#define POLL_MS 100
#define SUBSCRIBER_TIMEOUT_MS 10000
#define SUBSCRIBER_FULL_RETRY_MS 20
#define SENSOR_SEEN_WRITE_MS 30000 /* last_seen is written this often unless something changed */
#define INDICATOR_REPUSH_MS 30000  /* a set not acknowledged is sent again after this */
#define ROUTING_ID_MAX 256
#define REASON_TEXT 200
#define SECTORS_TEXT (HUB_MAX_PEER_SECTORS * HUB_SECTOR_TEXT)
#define APPLIED_TEXT 1024
#define VERSION_TEXT 24
#define CONTROL_TEXT 32
#define JSON_CAP 65536
#define SENSOR_SOCKET_MSG_MAX (256 * 1024)
#define SUBSCRIBER_SOCKET_MSG_MAX 4096
#define SUBSCRIBER_SNDHWM 10000
#define PSEUDONYM_CONTEXT "mamori-hub pseudonyms v1"

struct routing_id {
    size_t len;
    uint8_t bytes[ROUTING_ID_MAX];
};

struct subscriber {
    struct routing_id rid;
    const struct hub_peer *peer;
    bool all_sectors;
    unsigned n_sectors;
    char sectors[HUB_MAX_PEER_SECTORS][HUB_SECTOR_TEXT];
    int min_severity;
    int64_t cursor; /* last seq sent or skipped */
    bool behind;
    uint64_t last_ping_ms;
    uint64_t retry_ms; /* its queue was full: try again from this time */
};

struct reply {
    struct routing_id rid;
    bool ack;
    char id[sizeof(((struct mamori_alert *)0)->id)];
    char reason[REASON_TEXT];
};

/* What the hub remembers of a configured sensor key between its HELLOs. */
struct sensor_state {
    char applied[APPLIED_TEXT];
    uint64_t seen_written_ms;
    uint64_t pushed_version[HUB_MAX_PEER_SECTORS];
    uint64_t pushed_ms[HUB_MAX_PEER_SECTORS];
};

struct hub_stats {
    uint64_t received, stored, duplicates, rejected_invalid, rejected_oversized, rejected_unauthorized,
        rejected_malformed, store_errors, delivered, indicator_pushes, indicator_acks, subscribers_refused;
};

struct hub {
    const struct hub_config *cfg;
    void *zctx, *sensors, *subs, *control;
    struct hub_zap *zap;
    struct hub_store *store;
    uint8_t pseudonym_key[HUB_PSEUDONYM_KEY_BYTES];
    struct subscriber subscribers[HUB_MAX_SUBSCRIBERS];
    unsigned n_subscribers;
    struct sensor_state sensor_state[HUB_MAX_PEERS]; /* by index in cfg->sensors */
    struct hub_stats stats;
    time_t started;
    struct reply replies[SENSOR_BATCH];
    unsigned n_replies;
    struct mamori_alert alert;
    struct mamori_detail scratch;
    struct stored_alert row;
    uint8_t wire[ALERT_MSGPACK_MAX];
    uint8_t *indicators;
    struct json_writer json;
};

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void routing_id_of(const struct frames *f, struct routing_id *rid)
{
    rid->len = frame_size(f, 0) <= ROUTING_ID_MAX ? frame_size(f, 0) : 0;
    memcpy(rid->bytes, frame_data(f, 0), rid->len);
}

static bool routing_id_eq(const struct routing_id *a, const struct routing_id *b)
{
    return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

/* The CURVE key the ZAP handler returned as user id for this message. */
static const struct hub_peer *peer_of(const struct frames *f, const struct hub_peer *peers, unsigned n)
{
    if (f->count < 2)
        return NULL;
    const char *key = zmq_msg_gets((zmq_msg_t *)&f->msg[1], "User-Id");
    return key ? hub_peer_find(peers, n, key) : NULL;
}

static struct reply *new_reply(struct hub *h, const struct frames *f)
{
    struct reply *r = &h->replies[h->n_replies++];
    routing_id_of(f, &r->rid);
    r->ack = false;
    r->id[0] = r->reason[0] = '\0';
    return r;
}

static void refuse(struct reply *r, const struct hub_peer *peer, const char *id, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void refuse(struct reply *r, const struct hub_peer *peer, const char *id, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->reason, sizeof r->reason, fmt, ap);
    va_end(ap);
    snprintf(r->id, sizeof r->id, "%s", id);
    fprintf(stderr, "mamori-hub: refused alert %s from sensor %s: %s\n", id[0] ? id : "(no id)", peer->name,
            r->reason);
}

static bool handle_alert(struct hub *h, const struct frames *f, const struct hub_peer *peer, struct reply *r,
                         bool *in_txn)
{
    char why[ALERT_REASON_MAX], topic[128];
    const void *body = frame_data(f, 2);
    size_t len = frame_size(f, 2);
    h->stats.received++;
    if (len > ALERT_MSGPACK_MAX) {
        h->stats.rejected_oversized++;
        refuse(r, peer, "", "message of %zu bytes exceeds %d", len, ALERT_MSGPACK_MAX);
        return false;
    }
    if (!alert_from_msgpack(body, len, &h->alert, why, sizeof why)) {
        h->stats.rejected_invalid++;
        refuse(r, peer, alert_id_valid(h->alert.id) ? h->alert.id : "", "%s", why);
        return false;
    }
    if (!hub_peer_has_sector(peer, h->alert.sector)) {
        h->stats.rejected_unauthorized++;
        refuse(r, peer, h->alert.id, "sector '%s' is not allowed for this sensor key", h->alert.sector);
        return false;
    }
    if (peer->site[0] && h->alert.site[0] && strcmp(peer->site, h->alert.site) != 0) {
        h->stats.rejected_unauthorized++;
        refuse(r, peer, h->alert.id, "site '%s' is not the site '%s' bound to this key", h->alert.site, peer->site);
        return false;
    }
    bool fill_site = !h->alert.site[0] && peer->site[0], fill_sensor = !h->alert.sensor[0];
    if (fill_site)
        snprintf(h->alert.site, sizeof h->alert.site, "%s", peer->site);
    if (fill_sensor)
        snprintf(h->alert.sensor, sizeof h->alert.sensor, "%s", peer->name);
    if (fill_site || fill_sensor) {
        len = alert_to_msgpack(&h->alert, h->wire, sizeof h->wire);
        body = h->wire;
    }
    mamori_alert_topic(&h->alert, topic, sizeof topic);
    struct stored_alert_meta meta = { h->alert.id, peer->organisation, h->alert.site, peer->key, h->alert.sector,
                                      h->alert.category, topic, (int)h->alert.severity };
    if (!*in_txn)
        *in_txn = hub_store_begin(h->store);
    int rc = hub_store_add_alert(h->store, &meta, body, len);
    if (rc < 0) {
        h->stats.store_errors++;
        h->n_replies--; /* no answer: the sensor sends it again */
        return false;
    }
    if (rc == 1)
        h->stats.stored++;
    else
        h->stats.duplicates++;
    r->ack = true;
    snprintf(r->id, sizeof r->id, "%s", h->alert.id);
    return rc == 1;
}

/* Version of `sector` in a HELLO's "sector=version,..." text, 0 when absent. */
static uint64_t applied_version(const char *applied, const char *sector)
{
    size_t n = strlen(sector);
    for (const char *p = applied; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (strncmp(p, sector, n) == 0 && p[n] == '=')
            return strtoull(p + n + 1, NULL, 10);
    return 0;
}

static void handle_hello(struct hub *h, const struct frames *f, const struct hub_peer *peer)
{
    char applied[APPLIED_TEXT] = "";
    struct sensor_state *st = &h->sensor_state[peer - h->cfg->sensors];
    uint64_t now = now_ms();
    if (f->count >= 3 && !frame_text(f, 2, applied, sizeof applied))
        applied[0] = '\0';
    if (strcmp(st->applied, applied) != 0 || now - st->seen_written_ms >= SENSOR_SEEN_WRITE_MS) {
        hub_store_sensor_seen(h->store, peer->key, peer->name, applied);
        memcpy(st->applied, applied, sizeof applied);
        st->seen_written_ms = now;
    }
    for (unsigned i = 0; i < peer->n_sectors; i++) {
        uint64_t v = hub_store_indicators_version(h->store, peer->sectors[i]);
        if (v == 0 || v <= applied_version(applied, peer->sectors[i]))
            continue;
        if (st->pushed_version[i] == v && now - st->pushed_ms[i] < INDICATOR_REPUSH_MS)
            continue; /* on its way: give the sensor time to apply it */
        size_t len;
        v = hub_store_latest_indicators(h->store, peer->sectors[i], h->indicators, HUB_INDICATORS_MAX, &len);
        char version[VERSION_TEXT];
        snprintf(version, sizeof version, "%" PRIu64, v);
        const void *frames[] = { frame_data(f, 0), HUB_CMD_IND, peer->sectors[i], version, h->indicators };
        size_t lens[] = { frame_size(f, 0), 0, 0, 0, len };
        if (len && frames_send(h->sensors, ZMQ_DONTWAIT, 5, frames, lens)) {
            h->stats.indicator_pushes++;
            st->pushed_version[i] = v;
            st->pushed_ms[i] = now;
        }
    }
}

/* INDACK sector version: records at once what the sensor applied (its next
 * HELLO would say the same, but it may be gone before then). */
static void handle_indicators_applied(struct hub *h, const struct frames *f, const struct hub_peer *peer)
{
    char sector[HUB_SECTOR_TEXT], version[VERSION_TEXT], updated[APPLIED_TEXT] = "";
    struct sensor_state *st = &h->sensor_state[peer - h->cfg->sensors];
    if (!frame_text(f, 2, sector, sizeof sector) || !frame_text(f, 3, version, sizeof version) ||
        !hub_peer_has_sector(peer, sector))
        return;
    size_t used = 0, n = strlen(sector);
    for (char *save = NULL, *tok = strtok_r(st->applied, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (strncmp(tok, sector, n) == 0 && tok[n] == '=')
            continue;
        int w = snprintf(updated + used, sizeof updated - used, "%s,", tok);
        if (w < 0 || (size_t)w >= sizeof updated - used)
            break; /* full: the rest of what the sensor reported is dropped */
        used += (size_t)w;
    }
    snprintf(updated + used, sizeof updated - used, "%s=%s", sector, version);
    memcpy(st->applied, updated, sizeof updated);
    hub_store_sensor_seen(h->store, peer->key, peer->name, st->applied);
    h->stats.indicator_acks++;
    fprintf(stderr, "mamori-hub: sensor %s applied indicators %s version %s\n", peer->name, sector, version);
}

static void send_replies(struct hub *h, bool committed)
{
    for (unsigned i = 0; i < h->n_replies; i++) {
        struct reply *r = &h->replies[i];
        if (r->ack && !committed)
            continue; /* not durable: let the sensor retry */
        const void *frames[] = { r->rid.bytes, r->ack ? HUB_CMD_ACK : HUB_CMD_NACK, r->id, r->reason };
        size_t lens[] = { r->rid.len, 0, 0, 0 };
        frames_send(h->sensors, ZMQ_DONTWAIT, r->ack ? 3 : 4, frames, lens);
    }
    h->n_replies = 0;
}

static void mark_subscribers_behind(struct hub *h)
{
    for (unsigned i = 0; i < h->n_subscribers; i++)
        h->subscribers[i].behind = true;
}

static void serve_sensors(struct hub *h)
{
    struct frames f;
    bool in_txn = false, stored_any = false;
    while (h->n_replies < SENSOR_BATCH && frames_recv(h->sensors, &f, ZMQ_DONTWAIT)) {
        const struct hub_peer *peer = peer_of(&f, h->cfg->sensors, h->cfg->n_sensors);
        if (peer && !f.overflow && f.count == 3 && frame_is(&f, 1, HUB_CMD_ALERT)) {
            stored_any |= handle_alert(h, &f, peer, new_reply(h, &f), &in_txn);
        } else if (peer && frame_is(&f, 1, HUB_CMD_HELLO)) {
            handle_hello(h, &f, peer);
        } else if (peer && frame_is(&f, 1, HUB_CMD_INDACK)) {
            handle_indicators_applied(h, &f, peer);
        } else if (peer) {
            h->stats.rejected_malformed++;
            refuse(new_reply(h, &f), peer, "", "malformed message (%d frames)", f.count);
        }
        frames_close(&f);
    }
    bool committed = !in_txn || hub_store_commit(h->store);
    if (!committed)
        h->stats.store_errors++;
    send_replies(h, committed);
    if (stored_any && committed)
        mark_subscribers_behind(h);
}

static struct subscriber *find_subscriber(struct hub *h, const struct routing_id *rid)
{
    for (unsigned i = 0; i < h->n_subscribers; i++)
        if (routing_id_eq(&h->subscribers[i].rid, rid))
            return &h->subscribers[i];
    return NULL;
}

static void drop_subscriber(struct hub *h, struct subscriber *s)
{
    *s = h->subscribers[--h->n_subscribers];
}

static void answer(struct hub *h, const struct routing_id *rid, const char *cmd, const char *text)
{
    const void *frames[] = { rid->bytes, cmd, text };
    size_t lens[] = { rid->len, 0, 0 };
    frames_send(h->subs, ZMQ_DONTWAIT, text ? 3 : 2, frames, lens);
}

static bool subscriber_reads(const struct subscriber *s, const char *sector)
{
    if (s->all_sectors)
        return hub_peer_has_sector(s->peer, sector);
    for (unsigned i = 0; i < s->n_sectors; i++)
        if (strcmp(s->sectors[i], sector) == 0)
            return true;
    return false;
}

/* SUB sectors min-severity resume-from: checks the request against the key. */
static void handle_subscribe(struct hub *h, const struct frames *f, const struct hub_peer *peer,
                             const struct routing_id *rid)
{
    char sectors[SECTORS_TEXT], severity[16], resume[ALERT_ID_LEN + 2], reason[REASON_TEXT];
    struct subscriber s = { .rid = *rid, .peer = peer, .last_ping_ms = now_ms(), .behind = true };
    if (f->count != 5 || !frame_text(f, 2, sectors, sizeof sectors) || !frame_text(f, 3, severity, sizeof severity) ||
        !frame_text(f, 4, resume, sizeof resume)) {
        answer(h, rid, HUB_CMD_ERR, "malformed SUB");
        h->stats.subscribers_refused++;
        return;
    }
    s.min_severity = mamori_severity_parse(severity);
    if (s.min_severity < 0) {
        answer(h, rid, HUB_CMD_ERR, "unknown severity");
        h->stats.subscribers_refused++;
        return;
    }
    if (strcmp(sectors, "*") == 0) {
        s.all_sectors = true;
    } else {
        for (char *save = NULL, *tok = strtok_r(sectors, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
            if (!hub_peer_has_sector(peer, tok) || s.n_sectors == HUB_MAX_PEER_SECTORS) {
                snprintf(reason, sizeof reason, "subscriber %s may not read sector '%s'", peer->name, tok);
                fprintf(stderr, "mamori-hub: %s\n", reason);
                answer(h, rid, HUB_CMD_ERR, reason);
                h->stats.subscribers_refused++;
                return;
            }
            snprintf(s.sectors[s.n_sectors++], HUB_SECTOR_TEXT, "%s", tok);
        }
    }
    if (resume[0] == '\0') {
        s.cursor = hub_store_last_seq(h->store);
    } else if (strcmp(resume, "*") == 0) {
        s.cursor = 0;
    } else if ((s.cursor = hub_store_seq_of(h->store, resume)) < 0) {
        snprintf(reason, sizeof reason, "unknown resume point %s", resume);
        answer(h, rid, HUB_CMD_ERR, reason);
        h->stats.subscribers_refused++;
        return;
    }
    struct subscriber *slot = find_subscriber(h, rid);
    if (!slot && h->n_subscribers == HUB_MAX_SUBSCRIBERS) {
        answer(h, rid, HUB_CMD_ERR, "hub has no room for another subscriber");
        return;
    }
    if (!slot)
        slot = &h->subscribers[h->n_subscribers++];
    *slot = s;
    char granted[SECTORS_TEXT] = "";
    size_t used = 0;
    const unsigned n = s.all_sectors ? peer->n_sectors : s.n_sectors;
    for (unsigned i = 0; i < n && used < sizeof granted; i++)
        used += (size_t)snprintf(granted + used, sizeof granted - used, "%s%s", i ? "," : "",
                                 s.all_sectors ? peer->sectors[i] : s.sectors[i]);
    char position[ALERT_ID_LEN + 1] = "";
    if (!hub_store_id_at(h->store, s.cursor, position, sizeof position))
        position[0] = '\0';
    const void *frames[] = { rid->bytes, HUB_CMD_OK, peer->all_sectors && s.all_sectors ? "*" : granted, position };
    size_t lens[] = { rid->len, 0, 0, 0 };
    frames_send(h->subs, ZMQ_DONTWAIT, 4, frames, lens);
}

static void serve_subscribers(struct hub *h)
{
    struct frames f;
    while (frames_recv(h->subs, &f, ZMQ_DONTWAIT)) {
        struct routing_id rid;
        routing_id_of(&f, &rid);
        const struct hub_peer *peer = peer_of(&f, h->cfg->subscribers, h->cfg->n_subscribers);
        if (peer && !f.overflow && frame_is(&f, 1, HUB_CMD_SUB)) {
            handle_subscribe(h, &f, peer, &rid);
        } else if (peer && frame_is(&f, 1, HUB_CMD_PING)) {
            struct subscriber *s = find_subscriber(h, &rid);
            if (s)
                s->last_ping_ms = now_ms();
            answer(h, &rid, s ? HUB_CMD_PONG : HUB_CMD_RESUB, NULL);
        }
        frames_close(&f);
    }
}

/* The msgpack a subscriber gets: unchanged for the posting organisation and
 * for sectors without a privacy policy, rewritten otherwise. */
static bool body_for(struct hub *h, const struct subscriber *s, const void **body, size_t *len)
{
    enum hub_privacy mode = hub_config_privacy(h->cfg, h->row.sector);
    *body = h->row.body;
    *len = h->row.len;
    if (mode == HUB_PRIVACY_NONE || strcmp(h->row.organisation, s->peer->organisation) == 0)
        return true;
    char why[ALERT_REASON_MAX];
    if (!alert_from_msgpack(h->row.body, h->row.len, &h->alert, why, sizeof why))
        return false;
    hub_privacy_apply(&h->alert, mode, h->pseudonym_key, &h->scratch);
    *len = alert_to_msgpack(&h->alert, h->wire, sizeof h->wire);
    *body = h->wire;
    return *len > 0;
}

/* Sends a subscriber what it has not seen yet, until caught up or its queue is full. */
static void pump(struct hub *h, struct subscriber *s)
{
    for (unsigned n = 0; n < PUMP_BATCH; n++) {
        if (!hub_store_next_alert(h->store, s->cursor, s->min_severity, &h->row)) {
            s->behind = false;
            return;
        }
        const void *body;
        size_t len;
        if (subscriber_reads(s, h->row.sector) && h->row.len && body_for(h, s, &body, &len)) {
            const void *frames[] = { s->rid.bytes, HUB_CMD_ALERT, h->row.topic, h->row.organisation, body };
            size_t lens[] = { s->rid.len, 0, 0, 0, len };
            if (!frames_send(h->subs, ZMQ_DONTWAIT, 5, frames, lens)) {
                if (errno == EHOSTUNREACH)
                    drop_subscriber(h, s);
                else /* EAGAIN: its queue is full; continue a little later */
                    s->retry_ms = now_ms() + SUBSCRIBER_FULL_RETRY_MS;
                return;
            }
            h->stats.delivered++;
        }
        s->cursor = h->row.seq;
    }
}

static void pump_all(struct hub *h)
{
    uint64_t now = now_ms();
    for (unsigned i = 0; i < h->n_subscribers;) {
        struct subscriber *s = &h->subscribers[i];
        if (now - s->last_ping_ms > SUBSCRIBER_TIMEOUT_MS) {
            drop_subscriber(h, s);
            continue;
        }
        unsigned before = h->n_subscribers;
        if (s->behind && now >= s->retry_ms)
            pump(h, s);
        if (h->n_subscribers == before)
            i++;
    }
}

static void sensor_json(void *ctx, const char *name, int64_t last_seen, const char *applied)
{
    struct json_writer *w = ctx;
    jw_object_begin(w, NULL);
    jw_string(w, "name", name);
    jw_int(w, "last_seen", last_seen);
    jw_string(w, "indicators_applied", applied);
    jw_object_end(w);
}

static void serve_control(struct hub *h)
{
    char cmd[CONTROL_TEXT];
    int n = zmq_recv(h->control, cmd, sizeof cmd - 1, ZMQ_DONTWAIT);
    if (n < 0)
        return;
    cmd[n < (int)sizeof cmd - 1 ? n : (int)sizeof cmd - 1] = '\0';
    struct json_writer *w = &h->json;
    int64_t total = hub_store_alert_count(h->store);
    json_writer_reset(w);
    jw_object_begin(w, NULL);
    jw_string(w, "status", total >= 0 ? "ok" : "store-error");
    jw_int(w, "uptime_s", (int64_t)(time(NULL) - h->started));
    jw_int(w, "alerts_in_store", total);
    jw_uint(w, "subscribers", h->n_subscribers);
    if (strcmp(cmd, "stats") == 0) {
        const struct hub_stats *s = &h->stats;
        jw_uint(w, "received", s->received);
        jw_uint(w, "stored", s->stored);
        jw_uint(w, "duplicates", s->duplicates);
        jw_uint(w, "rejected_invalid", s->rejected_invalid);
        jw_uint(w, "rejected_oversized", s->rejected_oversized);
        jw_uint(w, "rejected_unauthorized", s->rejected_unauthorized);
        jw_uint(w, "rejected_malformed", s->rejected_malformed);
        jw_uint(w, "store_errors", s->store_errors);
        jw_uint(w, "keys_accepted", hub_zap_accepted(h->zap));
        jw_uint(w, "keys_refused", hub_zap_denied(h->zap));
        jw_uint(w, "subscribers_refused", s->subscribers_refused);
        jw_uint(w, "delivered", s->delivered);
        jw_uint(w, "indicator_pushes", s->indicator_pushes);
        jw_uint(w, "indicator_acks", s->indicator_acks);
        jw_array_begin(w, "sensors");
        hub_store_each_sensor(h->store, sensor_json, w);
        jw_array_end(w);
    } else if (strcmp(cmd, "health") != 0) {
        jw_string(w, "error", "unknown command (stats, health)");
    }
    jw_object_end(w);
    zmq_send(h->control, w->buf, w->len, 0);
}

static bool server_socket(void *sock, const struct hub_config *cfg, const char *secret, const char *domain,
                          int64_t max_msg, const char *endpoint, char *err, size_t errlen)
{
    int one = 1, zero = 0, hwm = SUBSCRIBER_SNDHWM;
    if (zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero) ||
        zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof one) ||
        zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, secret, CURVE_KEY_TEXT) ||
        zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, domain, strlen(domain)) ||
        zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &max_msg, sizeof max_msg) ||
        zmq_setsockopt(sock, ZMQ_ROUTER_MANDATORY, &one, sizeof one) ||
        zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof hwm) || zmq_bind(sock, endpoint)) {
        snprintf(err, errlen, "%s: cannot listen on %s: %s", cfg->path, endpoint, zmq_strerror(zmq_errno()));
        return false;
    }
    return true;
}

static bool hub_open(struct hub *h, const struct hub_config *cfg, char *err, size_t errlen)
{
    char secret[CURVE_KEY_TEXT + 1];
    int zero = 0;
    h->cfg = cfg;
    h->started = time(NULL);
    if (sodium_init() < 0 || !curve_key_read(cfg->secret_key_file, secret, err, errlen))
        return false;
    crypto_generichash(h->pseudonym_key, sizeof h->pseudonym_key, (const uint8_t *)secret, CURVE_KEY_TEXT,
                       (const uint8_t *)PSEUDONYM_CONTEXT, strlen(PSEUDONYM_CONTEXT));
    h->indicators = malloc(HUB_INDICATORS_MAX);
    if (!h->indicators || json_writer_init(&h->json, JSON_CAP) != 0) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    if (!(h->store = hub_store_open(cfg->store_path, err, errlen)))
        return false;
    h->zctx = zmq_ctx_new();
    if (!h->zctx || !(h->zap = hub_zap_start(h->zctx, cfg, err, errlen)))
        return false;
    h->sensors = zmq_socket(h->zctx, ZMQ_ROUTER);
    h->subs = zmq_socket(h->zctx, ZMQ_ROUTER);
    h->control = zmq_socket(h->zctx, ZMQ_REP);
    if (!h->sensors || !h->subs || !h->control)
        return false;
    if (!server_socket(h->sensors, cfg, secret, HUB_ZAP_DOMAIN_SENSORS, SENSOR_SOCKET_MSG_MAX,
                       cfg->sensors_endpoint, err, errlen) ||
        !server_socket(h->subs, cfg, secret, HUB_ZAP_DOMAIN_SUBSCRIBERS, SUBSCRIBER_SOCKET_MSG_MAX,
                       cfg->subscribers_endpoint, err, errlen))
        return false;
    if (zmq_setsockopt(h->control, ZMQ_LINGER, &zero, sizeof zero) || zmq_bind(h->control, cfg->control_endpoint)) {
        snprintf(err, errlen, "%s: cannot listen on %s: %s", cfg->path, cfg->control_endpoint,
                 zmq_strerror(zmq_errno()));
        return false;
    }
    return true;
}

static void hub_close(struct hub *h)
{
    void *socks[] = { h->sensors, h->subs, h->control };
    for (size_t i = 0; i < 3; i++)
        if (socks[i])
            zmq_close(socks[i]);
    if (h->zctx) {
        zmq_ctx_shutdown(h->zctx);
        hub_zap_stop(h->zap);
        zmq_ctx_term(h->zctx);
    }
    hub_store_close(h->store);
    json_writer_free(&h->json);
    free(h->indicators);
}

int hub_server_run(const struct hub_config *cfg)
{
    static struct hub h;
    char err[2 * HUB_PATH_TEXT] = "";
    memset(&h, 0, sizeof h);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    if (!hub_open(&h, cfg, err, sizeof err)) {
        fprintf(stderr, "mamori-hub: %s\n", err[0] ? err : zmq_strerror(zmq_errno()));
        hub_close(&h);
        return 1;
    }
    fprintf(stderr, "mamori-hub: sensors on %s, subscribers on %s, control on %s, store %s\n",
            cfg->sensors_endpoint, cfg->subscribers_endpoint, cfg->control_endpoint, cfg->store_path);
    while (!stop_requested) {
        zmq_pollitem_t items[] = {
            { h.sensors, 0, ZMQ_POLLIN, 0 },
            { h.subs, 0, ZMQ_POLLIN, 0 },
            { h.control, 0, ZMQ_POLLIN, 0 },
        };
        bool backlog = false;
        uint64_t now = now_ms();
        for (unsigned i = 0; i < h.n_subscribers; i++)
            backlog |= h.subscribers[i].behind && now >= h.subscribers[i].retry_ms;
        if (zmq_poll(items, 3, backlog ? 1 : POLL_MS) < 0 && errno != EINTR)
            break;
        serve_sensors(&h);
        serve_subscribers(&h);
        serve_control(&h);
        pump_all(&h);
    }
    hub_close(&h);
    return 0;
}
