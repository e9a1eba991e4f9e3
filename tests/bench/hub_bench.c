/* hub_bench.c — on-demand benchmark of the alert path sensor → hub →
 * subscriber: the real sensor/hub_publisher (spool, acknowledgements) and a
 * CURVE subscriber in this process, a real `mamori-hub` process (ZAP, SQLite
 * WAL with synchronous=FULL, deduplication) in between, over loopback TCP.
 *
 * Phase 1 submits alerts as fast as the publisher's queue takes them and
 * reports the sustained rate at which they reach the subscriber. Phase 2
 * submits at a fixed rate below that and reports latency (submission to
 * receipt, both on CLOCK_REALTIME in this process) at p50 and p99.
 *
 * usage: hub_bench MAMORI_HUB [ALERTS] [RATE_PER_SECOND] */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "sectors/alert_codec.h"
#include "sectors/hub/curve_keys.h"
#include "sectors/hub/hub_protocol.h"
#include "sectors/hub/zmq_frames.h"
#include "sensor/hub_publisher.h"

#define DEFAULT_ALERTS 20000
#define DEFAULT_RATE 2000
#define PATH_TEXT 512
#define HEALTH_TRIES 100
#define RECEIVE_TIMEOUT_MS 30000
#define PING_INTERVAL_MS 1000

struct receiver {
    void *sock;
    size_t expected, received;
    double *latency_ms;
    double first_submit_s, last_receive_s;
};

static char dir[64];
static struct mamori_alert alert;

static double wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "hub_bench: %s\n", what);
    exit(1);
}

static void path_in(char *out, const char *name) { snprintf(out, PATH_TEXT, "%s/%s", dir, name); }

static void make_keys(char hub_pub[CURVE_KEY_TEXT + 1])
{
    char pub[CURVE_KEY_TEXT + 1], err[256];
    const char *names[] = { "hub", "sensor", "sub" };
    for (int i = 0; i < 3; i++)
        if (!curve_keypair_write(dir, names[i], i == 0 ? hub_pub : pub, err, sizeof err))
            die(err);
}

static void write_config(int sensor_port, int sub_port)
{
    char path[PATH_TEXT];
    path_in(path, "hub.yaml");
    FILE *f = fopen(path, "w");
    if (!f)
        die("cannot write the hub config");
    fprintf(f,
            "listen:\n  sensors: tcp://127.0.0.1:%d\n  subscribers: tcp://127.0.0.1:%d\n  control: ipc://%s/control\n"
            "secret_key_file: hub.key\nstore: hub.db\n"
            "sensors:\n  - name: bench-sensor\n    public_key_file: sensor.pub\n    organisation: bench\n"
            "    site: lab\n    sectors: [electric-power]\n"
            "subscribers:\n  - name: bench-sub\n    public_key_file: sub.pub\n    organisation: bench\n"
            "    sectors: [electric-power]\n",
            sensor_port, sub_port, dir);
    fclose(f);
}

static pid_t start_hub(const char *hub_bin)
{
    char config[PATH_TEXT];
    path_in(config, "hub.yaml");
    pid_t pid = fork();
    if (pid == 0) {
        execl(hub_bin, hub_bin, "-c", config, (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < HEALTH_TRIES; i++) {
        char cmd[2 * PATH_TEXT];
        snprintf(cmd, sizeof cmd, "%s health -c %s >/dev/null 2>&1", hub_bin, config);
        if (system(cmd) == 0)
            return pid;
        usleep(100000);
    }
    die("the hub did not become healthy");
    return -1;
}

static void *receive_thread(void *arg)
{
    struct receiver *r = arg;
    struct frames f;
    static struct mamori_alert got;
    char why[ALERT_REASON_MAX];
    double last_ping = 0, last_alert = wall_seconds();
    while (r->received < r->expected) {
        zmq_pollitem_t item = { r->sock, 0, ZMQ_POLLIN, 0 };
        zmq_poll(&item, 1, PING_INTERVAL_MS);
        double now = wall_seconds();
        if (now - last_ping >= PING_INTERVAL_MS / 1000.0) { /* the hub forgets a silent subscriber */
            const void *ping[] = { HUB_CMD_PING };
            frames_send(r->sock, ZMQ_DONTWAIT, 1, ping, NULL);
            last_ping = now;
        }
        if (now - last_alert > RECEIVE_TIMEOUT_MS / 1000.0)
            die("subscriber: no alert for 30 s");
        while (frames_recv(r->sock, &f, ZMQ_DONTWAIT)) {
            if (frame_is(&f, 0, HUB_CMD_ALERT) && f.count == 4 &&
                alert_from_msgpack(frame_data(&f, 3), frame_size(&f, 3), &got, why, sizeof why)) {
                now = wall_seconds();
                r->latency_ms[r->received++] = (now - (double)got.time_us / 1e6) * 1000.0;
                r->last_receive_s = last_alert = now;
            }
            frames_close(&f);
        }
    }
    return NULL;
}

static void *subscribe(void *zctx, int port)
{
    char secret[CURVE_KEY_TEXT + 1], public[CURVE_KEY_TEXT + 1], server[CURVE_KEY_TEXT + 1], err[256], path[PATH_TEXT];
    path_in(path, "sub.key");
    if (!curve_key_read(path, secret, err, sizeof err))
        die(err);
    path_in(path, "hub.pub");
    if (!curve_key_read(path, server, err, sizeof err) || !curve_key_public(secret, public))
        die(err);
    void *s = zmq_socket(zctx, ZMQ_DEALER);
    int zero = 0, hwm = 0;
    char ep[64];
    snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", port);
    zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
    zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server, CURVE_KEY_TEXT);
    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, public, CURVE_KEY_TEXT);
    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, secret, CURVE_KEY_TEXT);
    if (zmq_connect(s, ep) != 0)
        die("subscriber connect");
    const void *sub[] = { HUB_CMD_SUB, "electric-power", "info", "" };
    frames_send(s, 0, 4, sub, NULL);
    struct frames f;
    if (!frames_recv(s, &f, 0) || !frame_is(&f, 0, HUB_CMD_OK))
        die("subscription refused");
    frames_close(&f);
    return s;
}

static int free_port(void)
{
    void *ctx = zmq_ctx_new(), *s = zmq_socket(ctx, ZMQ_REP);
    char ep[64];
    size_t len = sizeof ep;
    zmq_bind(s, "tcp://127.0.0.1:*");
    zmq_getsockopt(s, ZMQ_LAST_ENDPOINT, ep, &len);
    zmq_close(s);
    zmq_ctx_term(ctx);
    return atoi(strrchr(ep, ':') + 1);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void fill_alert(unsigned n)
{
    memset(&alert, 0, offsetof(struct mamori_alert, evidence));
    alert_new_id(alert.id);
    strcpy(alert.sensor, "bench-sensor");
    strcpy(alert.site, "lab");
    strcpy(alert.sector, "electric-power");
    alert.severity = MAMORI_SEV_HIGH;
    strcpy(alert.category, "unauthorized-command");
    strcpy(alert.technique, "T0855");
    strcpy(alert.protocol, "modbus");
    strcpy(alert.src, "10.0.0.5:50123");
    strcpy(alert.dst, "10.0.0.9:502");
    snprintf(alert.summary, sizeof alert.summary, "benchmark alert %u: write to holding registers", n);
    strcpy(alert.flow_key, "tcp 10.0.0.5:50123-10.0.0.9:502");
    alert.count = 1;
    detail_reset(&alert.evidence);
    detail_array_begin(&alert.evidence, "events");
    detail_object_begin(&alert.evidence, NULL);
    detail_uint(&alert.evidence, "function_code", 16);
    detail_uint(&alert.evidence, "range_start", n);
    detail_end(&alert.evidence);
    detail_end(&alert.evidence);
    alert.time_us = (uint64_t)(wall_seconds() * 1e6);
}

/* Runs one phase; rate 0 means as fast as the queue accepts. */
static void phase(const char *name, struct hub_publisher *pub, void *sub, size_t n, double rate)
{
    struct receiver r = { sub, n, 0, calloc(n, sizeof(double)), 0, 0 };
    pthread_t t;
    if (!r.latency_ms)
        die("out of memory");
    pthread_create(&t, NULL, receive_thread, &r);
    r.first_submit_s = wall_seconds();
    for (size_t i = 0; i < n; i++) {
        if (rate > 0) {
            double due = r.first_submit_s + (double)i / rate;
            double wait = due - wall_seconds();
            if (wait > 0)
                usleep((useconds_t)(wait * 1e6));
        }
        fill_alert((unsigned)i);
        while (!hub_publisher_submit(pub, &alert))
            usleep(200);
    }
    pthread_join(t, NULL);
    qsort(r.latency_ms, n, sizeof(double), by_value);
    double seconds = r.last_receive_s - r.first_submit_s;
    printf("%-11s %7zu alerts in %6.2f s = %8.0f alerts/s delivered; latency p50 %7.2f ms, p99 %7.2f ms, max %7.2f ms\n",
           name, n, seconds, (double)n / seconds, r.latency_ms[n / 2], r.latency_ms[n * 99 / 100], r.latency_ms[n - 1]);
    free(r.latency_ms);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        die("usage: hub_bench MAMORI_HUB [ALERTS] [RATE_PER_SECOND]");
    size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : DEFAULT_ALERTS;
    double rate = argc > 3 ? strtod(argv[3], NULL) : DEFAULT_RATE;
    snprintf(dir, sizeof dir, "/tmp/mamori-hub-bench-XXXXXX");
    if (!mkdtemp(dir))
        die("mkdtemp");
    char hub_pub[CURVE_KEY_TEXT + 1];
    make_keys(hub_pub);
    int sensor_port = free_port(), sub_port = free_port();
    write_config(sensor_port, sub_port);
    pid_t hub = start_hub(argv[1]);

    void *zctx = zmq_ctx_new();
    void *sub = subscribe(zctx, sub_port);
    char endpoint[64], key[PATH_TEXT], hub_key[PATH_TEXT], spool[PATH_TEXT], err[256];
    snprintf(endpoint, sizeof endpoint, "tcp://127.0.0.1:%d", sensor_port);
    path_in(key, "sensor.key");
    path_in(hub_key, "hub.pub");
    path_in(spool, "sensor-spool.db");
    struct hub_publisher_config cfg;
    hub_publisher_config_defaults(&cfg);
    cfg.endpoint = endpoint;
    cfg.secret_key_file = key;
    cfg.hub_public_key_file = hub_key;
    cfg.spool_path = spool;
    struct hub_publisher *pub = hub_publisher_start(&cfg, err, sizeof err);
    if (!pub)
        die(err);
    printf("hub_bench: sensor/hub_publisher (SQLite spool, window %u) -> mamori-hub (CURVE+ZAP, SQLite WAL "
           "synchronous=FULL) -> CURVE subscriber, loopback TCP\n", cfg.window);
    phase("saturated", pub, sub, n, 0);
    phase("fixed-rate", pub, sub, n / 2, rate);
    struct hub_publisher_stats st;
    hub_publisher_get_stats(pub, &st);
    printf("publisher: sent %llu, resent %llu, acknowledged %llu, queue-full refusals %llu (resubmitted), "
           "spool drops %llu\n",
           (unsigned long long)st.sent, (unsigned long long)st.resent, (unsigned long long)st.acked,
           (unsigned long long)st.queue_dropped, (unsigned long long)st.spool_dropped);
    fflush(stdout);
    hub_publisher_stop(pub, 1000, NULL);
    zmq_close(sub);
    zmq_ctx_term(zctx);
    kill(hub, SIGTERM);
    waitpid(hub, NULL, 0);
    char cmd[PATH_TEXT + 16];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : 1;
}
