/* hub_publisher.c — bounded queue, spool and acknowledged delivery to the hub
 * (hub_publisher.h). The capture side only touches the queue under a mutex;
 * everything else (spool, socket, indicators) belongs to the publisher thread. */
#include "hub_publisher.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "hub_spool.h"
#include "sectors/alert_codec.h"
#include "sectors/hub/curve_keys.h"
#include "sectors/hub/hub_protocol.h"
#include "sectors/hub/zmq_frames.h"

#define DEFAULT_SPOOL_BYTES (64u * 1024 * 1024)
#define DEFAULT_QUEUE 1024
#define DEFAULT_WINDOW 64
#define DEFAULT_ACK_TIMEOUT_MS 2000
#define HELLO_INTERVAL_MS 1000
#define POLL_INTERVAL_MS 100
#define RECONNECT_MS 100
#define RECONNECT_MAX_MS 2000
#define MAX_INDICATOR_SECTORS 16
#define SECTOR_TEXT 40
#define HELLO_TEXT (MAX_INDICATOR_SECTORS * (SECTOR_TEXT + 24))
#define REASON_TEXT 256
#define VERSION_TEXT 24

struct queued_alert {
    char id[ALERT_ID_LEN + 1];
    int severity;
    size_t len;
    uint8_t body[ALERT_MSGPACK_MAX];
};

struct inflight {
    int64_t seq;
    char id[ALERT_ID_LEN + 1];
    uint64_t sent_ms;
};

struct applied_set {
    char sector[SECTOR_TEXT];
    uint64_t version;
};

struct hub_publisher {
    struct hub_publisher_config cfg;
    char endpoint[512], spool_path[4096], indicators_dir[4096];
    char secret[CURVE_KEY_TEXT + 1], public[CURVE_KEY_TEXT + 1], server[CURVE_KEY_TEXT + 1];

    pthread_t thread;
    pthread_mutex_t lock; /* guards the queue, stats and `submitting` */
    struct mamori_alert submitting;
    struct queued_alert *queue;
    size_t queue_head, queue_count;
    struct hub_publisher_stats stats;
    int wake_fd;
    atomic_bool stopping;
    uint64_t drain_deadline_ms;

    /* publisher thread only */
    void *zctx, *sock;
    struct hub_spool *spool;
    struct inflight *inflight;
    unsigned n_inflight;
    int64_t last_sent_seq, highest_sent_seq;
    struct spool_record rec;
    struct queued_alert moving;
    struct applied_set applied[MAX_INDICATOR_SECTORS];
    unsigned n_applied;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void hub_publisher_config_defaults(struct hub_publisher_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->spool_max_bytes = DEFAULT_SPOOL_BYTES;
    cfg->queue_capacity = DEFAULT_QUEUE;
    cfg->window = DEFAULT_WINDOW;
    cfg->ack_timeout_ms = DEFAULT_ACK_TIMEOUT_MS;
}

#define STAT_ADD(p, field, n)                \
    do {                                     \
        pthread_mutex_lock(&(p)->lock);      \
        (p)->stats.field += (n);             \
        pthread_mutex_unlock(&(p)->lock);    \
    } while (0)

/* Wakes the thread; if the eventfd cannot take it, the thread still looks at
 * the queue every POLL_INTERVAL_MS. */
static void wake(struct hub_publisher *p)
{
    uint64_t one = 1;
    ssize_t n;
    do
        n = write(p->wake_fd, &one, sizeof one);
    while (n < 0 && errno == EINTR);
}

bool hub_publisher_submit(struct hub_publisher *p, const struct mamori_alert *a)
{
    bool queued = false;
    pthread_mutex_lock(&p->lock);
    p->stats.submitted++;
    if (p->queue_count < p->cfg.queue_capacity) {
        struct queued_alert *q = &p->queue[(p->queue_head + p->queue_count) % p->cfg.queue_capacity];
        p->submitting = *a;
        alert_sanitize(&p->submitting); /* what the hub would refuse is repaired, not lost */
        q->len = alert_to_msgpack(&p->submitting, q->body, sizeof q->body);
        if (q->len) {
            memcpy(q->id, p->submitting.id, sizeof q->id);
            q->id[ALERT_ID_LEN] = '\0';
            q->severity = (int)p->submitting.severity;
            p->queue_count++;
            queued = true;
        }
    }
    if (!queued)
        p->stats.queue_dropped++;
    pthread_mutex_unlock(&p->lock);
    if (queued)
        wake(p);
    return queued;
}

void hub_publisher_get_stats(struct hub_publisher *p, struct hub_publisher_stats *out)
{
    pthread_mutex_lock(&p->lock);
    *out = p->stats;
    out->queued = p->queue_count;
    pthread_mutex_unlock(&p->lock);
}

/* Moves every queued alert into the spool in one transaction. */
static void spool_queued(struct hub_publisher *p)
{
    bool began = false;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        bool have = p->queue_count > 0;
        if (have) {
            p->moving = p->queue[p->queue_head];
            p->queue_head = (p->queue_head + 1) % p->cfg.queue_capacity;
            p->queue_count--;
            p->stats.spool_count++; /* counted as waiting until publish_spool_totals() has the truth */
        }
        pthread_mutex_unlock(&p->lock);
        if (!have)
            break;
        if (!began)
            began = hub_spool_begin(p->spool);
        if (hub_spool_add(p->spool, p->moving.id, p->moving.severity, p->moving.body, p->moving.len))
            STAT_ADD(p, spooled, 1);
    }
    if (began && !hub_spool_commit(p->spool))
        fprintf(stderr, "mamori: hub spool %s: commit failed\n", p->spool_path);
}

static void send_hello(struct hub_publisher *p)
{
    char hello[HELLO_TEXT] = "";
    size_t used = 0;
    for (unsigned i = 0; i < p->n_applied; i++) {
        int n = snprintf(hello + used, sizeof hello - used, "%s%s=%" PRIu64, i ? "," : "",
                         p->applied[i].sector, p->applied[i].version);
        if (n < 0 || (size_t)n >= sizeof hello - used)
            break;
        used += (size_t)n;
    }
    const void *frames[] = { HUB_CMD_HELLO, hello };
    size_t lens[] = { 0, used };
    frames_send(p->sock, ZMQ_DONTWAIT, 2, frames, lens);
}

static void send_more(struct hub_publisher *p, uint64_t now)
{
    while (p->n_inflight < p->cfg.window && hub_spool_next(p->spool, p->last_sent_seq, &p->rec)) {
        const void *frames[] = { HUB_CMD_ALERT, p->rec.body };
        size_t lens[] = { 0, p->rec.len };
        if (!frames_send(p->sock, ZMQ_DONTWAIT, 2, frames, lens))
            return; /* no connection yet, or the pipe is full: try again later */
        struct inflight *f = &p->inflight[p->n_inflight++];
        f->seq = p->rec.seq;
        memcpy(f->id, p->rec.id, sizeof f->id);
        f->sent_ms = now;
        p->last_sent_seq = p->rec.seq;
        if (p->rec.seq > p->highest_sent_seq) {
            p->highest_sent_seq = p->rec.seq;
            STAT_ADD(p, sent, 1);
        } else {
            STAT_ADD(p, resent, 1);
        }
    }
}

static void forget_inflight(struct hub_publisher *p, const char *id)
{
    for (unsigned i = 0; i < p->n_inflight; i++)
        if (strcmp(p->inflight[i].id, id) == 0) {
            memmove(&p->inflight[i], &p->inflight[i + 1], (p->n_inflight - i - 1) * sizeof p->inflight[0]);
            p->n_inflight--;
            return;
        }
}

/* Go back to the oldest unacknowledged alert when its acknowledgement is late. */
static void check_ack_timeout(struct hub_publisher *p, uint64_t now)
{
    if (p->n_inflight && now - p->inflight[0].sent_ms >= p->cfg.ack_timeout_ms) {
        p->last_sent_seq = p->inflight[0].seq - 1;
        p->n_inflight = 0;
    }
}

static struct applied_set *applied_for(struct hub_publisher *p, const char *sector)
{
    for (unsigned i = 0; i < p->n_applied; i++)
        if (strcmp(p->applied[i].sector, sector) == 0)
            return &p->applied[i];
    if (p->n_applied == MAX_INDICATOR_SECTORS)
        return NULL;
    struct applied_set *s = &p->applied[p->n_applied++];
    snprintf(s->sector, sizeof s->sector, "%s", sector);
    s->version = 0;
    return s;
}

static bool sector_name_ok(const char *s)
{
    if (!*s)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return false;
    return true;
}

static bool write_file_atomic(const char *path, const void *data, size_t len)
{
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return false; /* a path this long cannot be written safely */
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return false;
    bool ok = write(fd, data, len) == (ssize_t)len && fsync(fd) == 0;
    close(fd);
    return ok && rename(tmp, path) == 0;
}

/* IND sector version body: store, apply, report. */
static void apply_indicators(struct hub_publisher *p, const struct frames *f)
{
    char sector[SECTOR_TEXT], version_text[VERSION_TEXT], path[4200];
    if (!p->indicators_dir[0] || f->count != 4 || !frame_text(f, 1, sector, sizeof sector) ||
        !sector_name_ok(sector) || !frame_text(f, 2, version_text, sizeof version_text)) {
        fprintf(stderr, "mamori: malformed indicators message from the hub ignored\n");
        return;
    }
    char *end;
    uint64_t version = strtoull(version_text, &end, 10);
    struct applied_set *set = applied_for(p, sector);
    if (*end || !set)
        return;
    if (version > set->version) {
        snprintf(path, sizeof path, "%s/%s.indicators", p->indicators_dir, sector);
        if (!write_file_atomic(path, frame_data(f, 3), frame_size(f, 3))) {
            fprintf(stderr, "mamori: %s: %s\n", path, strerror(errno));
            return;
        }
        snprintf(path, sizeof path, "%s/%s.version", p->indicators_dir, sector);
        char line[VERSION_TEXT + 1];
        int n = snprintf(line, sizeof line, "%" PRIu64 "\n", version);
        if (!write_file_atomic(path, line, (size_t)n))
            return;
        set->version = version;
        if (p->cfg.on_indicators)
            p->cfg.on_indicators(p->cfg.ctx, sector, version, frame_data(f, 3), frame_size(f, 3));
        STAT_ADD(p, indicator_sets, 1);
    }
    const void *frames[] = { HUB_CMD_INDACK, sector, version_text };
    frames_send(p->sock, ZMQ_DONTWAIT, 3, frames, NULL);
}

/* Versions applied before this start, from indicators_dir/<sector>.version. */
static void load_applied(struct hub_publisher *p)
{
    DIR *dir = p->indicators_dir[0] ? opendir(p->indicators_dir) : NULL;
    struct dirent *e;
    while (dir && (e = readdir(dir))) {
        char sector[SECTOR_TEXT], path[4400];
        const char *dot = strrchr(e->d_name, '.');
        size_t n = dot ? (size_t)(dot - e->d_name) : 0;
        if (!dot || strcmp(dot, ".version") != 0 || n == 0 || n >= sizeof sector)
            continue;
        memcpy(sector, e->d_name, n);
        sector[n] = '\0';
        snprintf(path, sizeof path, "%s/%s", p->indicators_dir, e->d_name);
        FILE *fp = fopen(path, "r");
        unsigned long long v;
        struct applied_set *set = sector_name_ok(sector) ? applied_for(p, sector) : NULL;
        if (fp && set && fscanf(fp, "%llu", &v) == 1)
            set->version = v;
        if (fp)
            fclose(fp);
    }
    if (dir)
        closedir(dir);
}

static void receive_all(struct hub_publisher *p)
{
    struct frames f;
    bool began = false;
    while (frames_recv(p->sock, &f, ZMQ_DONTWAIT)) {
        char id[ALERT_ID_LEN + 1], reason[REASON_TEXT];
        if (frame_is(&f, 0, HUB_CMD_ACK) && frame_text(&f, 1, id, sizeof id)) {
            if (!began)
                began = hub_spool_begin(p->spool);
            if (hub_spool_remove(p->spool, id) == 1)
                STAT_ADD(p, acked, 1); /* a second acknowledgement of a resent alert is not counted */
            forget_inflight(p, id);
        } else if (frame_is(&f, 0, HUB_CMD_NACK) && frame_text(&f, 1, id, sizeof id)) {
            if (!frame_text(&f, 2, reason, sizeof reason))
                snprintf(reason, sizeof reason, "no reason given");
            fprintf(stderr, "mamori: hub refused alert %s: %s\n", id[0] ? id : "?", reason);
            if (!began)
                began = hub_spool_begin(p->spool);
            if (hub_spool_remove(p->spool, id) == 1)
                STAT_ADD(p, rejected, 1);
            forget_inflight(p, id);
        } else if (frame_is(&f, 0, HUB_CMD_IND)) {
            apply_indicators(p, &f);
        }
        frames_close(&f);
    }
    if (began)
        hub_spool_commit(p->spool);
}

static void publish_spool_totals(struct hub_publisher *p)
{
    pthread_mutex_lock(&p->lock);
    p->stats.spool_count = hub_spool_count(p->spool);
    p->stats.spool_bytes = hub_spool_bytes(p->spool);
    p->stats.spool_dropped = hub_spool_dropped(p->spool);
    pthread_mutex_unlock(&p->lock);
}

static bool finished(struct hub_publisher *p, uint64_t now)
{
    if (!atomic_load(&p->stopping))
        return false;
    pthread_mutex_lock(&p->lock);
    bool empty = p->queue_count == 0;
    pthread_mutex_unlock(&p->lock);
    return (empty && hub_spool_count(p->spool) == 0) || now >= p->drain_deadline_ms;
}

static void *publisher_thread(void *arg)
{
    struct hub_publisher *p = arg;
    uint64_t next_hello = 0;
    for (;;) {
        uint64_t now = now_ms();
        if (now >= next_hello) {
            send_hello(p);
            next_hello = now + HELLO_INTERVAL_MS;
        }
        zmq_pollitem_t items[] = {
            { p->sock, 0, ZMQ_POLLIN, 0 },
            { NULL, p->wake_fd, ZMQ_POLLIN, 0 },
        };
        zmq_poll(items, 2, POLL_INTERVAL_MS);
        if (items[1].revents & ZMQ_POLLIN) {
            uint64_t n;
            if (read(p->wake_fd, &n, sizeof n) < 0 && errno != EAGAIN)
                fprintf(stderr, "mamori: hub publisher wake-up: %s\n", strerror(errno));
        }
        now = now_ms();
        spool_queued(p);
        receive_all(p);
        check_ack_timeout(p, now);
        send_more(p, now);
        publish_spool_totals(p);
        if (finished(p, now))
            break;
    }
    return NULL;
}

static bool open_socket(struct hub_publisher *p, char *err, size_t errlen)
{
    int zero = 0, one = 1, reconnect = RECONNECT_MS, reconnect_max = RECONNECT_MAX_MS;
    int64_t max_msg = HUB_SOCKET_MSG_MAX;
    p->zctx = zmq_ctx_new();
    p->sock = p->zctx ? zmq_socket(p->zctx, ZMQ_DEALER) : NULL;
    if (!p->sock || zmq_setsockopt(p->sock, ZMQ_LINGER, &zero, sizeof zero) ||
        zmq_setsockopt(p->sock, ZMQ_IMMEDIATE, &one, sizeof one) ||
        zmq_setsockopt(p->sock, ZMQ_RECONNECT_IVL, &reconnect, sizeof reconnect) ||
        zmq_setsockopt(p->sock, ZMQ_RECONNECT_IVL_MAX, &reconnect_max, sizeof reconnect_max) ||
        zmq_setsockopt(p->sock, ZMQ_MAXMSGSIZE, &max_msg, sizeof max_msg) ||
        zmq_setsockopt(p->sock, ZMQ_CURVE_SERVERKEY, p->server, CURVE_KEY_TEXT) ||
        zmq_setsockopt(p->sock, ZMQ_CURVE_PUBLICKEY, p->public, CURVE_KEY_TEXT) ||
        zmq_setsockopt(p->sock, ZMQ_CURVE_SECRETKEY, p->secret, CURVE_KEY_TEXT) ||
        zmq_connect(p->sock, p->endpoint)) {
        snprintf(err, errlen, "hub %s: %s", p->endpoint, zmq_strerror(zmq_errno()));
        return false;
    }
    return true;
}

static void release(struct hub_publisher *p)
{
    if (p->sock)
        zmq_close(p->sock);
    if (p->zctx)
        zmq_ctx_term(p->zctx);
    hub_spool_close(p->spool);
    if (p->wake_fd >= 0)
        close(p->wake_fd);
    pthread_mutex_destroy(&p->lock);
    free(p->queue);
    free(p->inflight);
    free(p);
}

struct hub_publisher *hub_publisher_start(const struct hub_publisher_config *cfg, char *err, size_t errlen)
{
    struct hub_publisher *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "hub publisher: out of memory");
        return NULL;
    }
    p->cfg = *cfg;
    p->wake_fd = -1;
    pthread_mutex_init(&p->lock, NULL);
    snprintf(p->endpoint, sizeof p->endpoint, "%s", cfg->endpoint ? cfg->endpoint : "");
    snprintf(p->spool_path, sizeof p->spool_path, "%s", cfg->spool_path ? cfg->spool_path : "");
    snprintf(p->indicators_dir, sizeof p->indicators_dir, "%s", cfg->indicators_dir ? cfg->indicators_dir : "");
    if (!cfg->endpoint || !cfg->secret_key_file || !cfg->hub_public_key_file || !cfg->spool_path ||
        !cfg->queue_capacity || !cfg->window) {
        snprintf(err, errlen, "hub publisher: endpoint, key, hub key and spool are all required");
        release(p);
        return NULL;
    }
    p->queue = calloc(cfg->queue_capacity, sizeof *p->queue);
    p->inflight = calloc(cfg->window, sizeof *p->inflight);
    p->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (!p->queue || !p->inflight || p->wake_fd < 0) {
        snprintf(err, errlen, "hub publisher: out of memory");
        release(p);
        return NULL;
    }
    if (!curve_key_read(cfg->secret_key_file, p->secret, err, errlen) ||
        !curve_key_read(cfg->hub_public_key_file, p->server, err, errlen)) {
        release(p);
        return NULL;
    }
    if (!curve_key_public(p->secret, p->public)) {
        snprintf(err, errlen, "%s: not a CURVE secret key", cfg->secret_key_file);
        release(p);
        return NULL;
    }
    if (!(p->spool = hub_spool_open(cfg->spool_path, cfg->spool_max_bytes, err, errlen)) ||
        !open_socket(p, err, errlen)) {
        release(p);
        return NULL;
    }
    load_applied(p);
    publish_spool_totals(p);
    if (pthread_create(&p->thread, NULL, publisher_thread, p) != 0) {
        snprintf(err, errlen, "hub publisher: cannot start its thread");
        release(p);
        return NULL;
    }
    return p;
}

void hub_publisher_stop(struct hub_publisher *p, unsigned drain_ms, struct hub_publisher_stats *final)
{
    if (!p)
        return;
    p->drain_deadline_ms = now_ms() + drain_ms;
    atomic_store(&p->stopping, true);
    pthread_join(p->thread, NULL);
    if (final)
        hub_publisher_get_stats(p, final);
    release(p);
}
