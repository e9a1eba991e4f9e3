/* hub_sender.c — test sensor: raises synthetic alerts through the real
 * sensor/hub_publisher.h and reports what happened.
 *
 * Prints "ID <uuid>" for every alert submitted, "SPOOLED <n>" once everything
 * submitted is in the spool, then waits until the hub acknowledged all of it
 * (exit 0), the timeout passed (exit 3), or, with --hold, until it is killed.
 * Final counters go to stderr as "stats ..." lines. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sectors/alert_codec.h"
#include "sensor/hub_publisher.h"

#define WAIT_STEP_US 20000

static struct mamori_alert alert;
static volatile int indicator_sets;

static void on_indicators(void *ctx, const char *sector, uint64_t version, const void *body, size_t len)
{
    (void)ctx;
    (void)body;
    printf("INDICATORS %s %" PRIu64 " %zu\n", sector, version, len);
    fflush(stdout);
    indicator_sets++;
}

static void make_alert(unsigned n, const char *sector, const char *severity, const char *site, const char *src)
{
    memset(&alert, 0, offsetof(struct mamori_alert, evidence));
    alert_new_id(alert.id);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    alert.time_us = (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
    snprintf(alert.sensor, sizeof alert.sensor, "test-sensor");
    snprintf(alert.site, sizeof alert.site, "%s", site);
    snprintf(alert.sector, sizeof alert.sector, "%s", sector);
    alert.severity = (enum mamori_severity)mamori_severity_parse(severity);
    snprintf(alert.category, sizeof alert.category, "unauthorized-command");
    snprintf(alert.technique, sizeof alert.technique, "T0855");
    snprintf(alert.technique_name, sizeof alert.technique_name, "Unauthorized Command Message");
    snprintf(alert.protocol, sizeof alert.protocol, "modbus");
    snprintf(alert.src, sizeof alert.src, "%s", src);
    snprintf(alert.dst, sizeof alert.dst, "10.9.9.9:502");
    snprintf(alert.summary, sizeof alert.summary, "test alert %u: write from %s", n, src);
    snprintf(alert.flow_key, sizeof alert.flow_key, "tcp %s-10.9.9.9:502", src);
    alert.count = 1;
    detail_reset(&alert.evidence);
    detail_array_begin(&alert.evidence, "events");
    detail_object_begin(&alert.evidence, NULL);
    detail_uint(&alert.evidence, "n", n);
    detail_cstring(&alert.evidence, "src", src);
    detail_end(&alert.evidence);
    detail_end(&alert.evidence);
}

static void print_stats(struct hub_publisher *p)
{
    struct hub_publisher_stats s;
    hub_publisher_get_stats(p, &s);
    fprintf(stderr,
            "stats submitted=%" PRIu64 " queue_dropped=%" PRIu64 " spooled=%" PRIu64 " spool_dropped=%" PRIu64
            " sent=%" PRIu64 " resent=%" PRIu64 " acked=%" PRIu64 " rejected=%" PRIu64 " spool_count=%" PRIu64
            " indicator_sets=%" PRIu64 "\n",
            s.submitted, s.queue_dropped, s.spooled, s.spool_dropped, s.sent, s.resent, s.acked, s.rejected,
            s.spool_count, s.indicator_sets);
}

int main(int argc, char **argv)
{
    static const struct option longs[] = {
        { "hub", required_argument, NULL, 'H' },     { "key", required_argument, NULL, 'k' },
        { "hub-key", required_argument, NULL, 'K' }, { "spool", required_argument, NULL, 'p' },
        { "count", required_argument, NULL, 'n' },   { "sector", required_argument, NULL, 's' },
        { "severity", required_argument, NULL, 'v' }, { "site", required_argument, NULL, 'S' },
        { "src", required_argument, NULL, 'r' },     { "interval-ms", required_argument, NULL, 'i' },
        { "timeout", required_argument, NULL, 't' }, { "hold", no_argument, NULL, 'h' },
        { "spool-bytes", required_argument, NULL, 'b' }, { "indicators-dir", required_argument, NULL, 'd' },
        { "ack-timeout-ms", required_argument, NULL, 'a' }, { NULL, 0, NULL, 0 },
    };
    struct hub_publisher_config cfg;
    hub_publisher_config_defaults(&cfg);
    const char *sector = "railways", *severity = "high", *site = "", *src = "10.1.2.3:50123";
    unsigned long count = 0, interval_ms = 0;
    double timeout = 30;
    bool hold = false;
    int c;
    while ((c = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        switch (c) {
        case 'H': cfg.endpoint = optarg; break;
        case 'k': cfg.secret_key_file = optarg; break;
        case 'K': cfg.hub_public_key_file = optarg; break;
        case 'p': cfg.spool_path = optarg; break;
        case 'n': count = strtoul(optarg, NULL, 10); break;
        case 's': sector = optarg; break;
        case 'v': severity = optarg; break;
        case 'S': site = optarg; break;
        case 'r': src = optarg; break;
        case 'i': interval_ms = strtoul(optarg, NULL, 10); break;
        case 't': timeout = strtod(optarg, NULL); break;
        case 'h': hold = true; break;
        case 'b': cfg.spool_max_bytes = strtoull(optarg, NULL, 10); break;
        case 'd': cfg.indicators_dir = optarg; break;
        case 'a': cfg.ack_timeout_ms = (unsigned)strtoul(optarg, NULL, 10); break;
        default: return 2;
        }
    }
    if (mamori_severity_parse(severity) < 0)
        return 2;
    cfg.on_indicators = on_indicators;
    char err[512];
    struct hub_publisher *p = hub_publisher_start(&cfg, err, sizeof err);
    if (!p) {
        fprintf(stderr, "hub_sender: %s\n", err);
        return 1;
    }
    for (unsigned long i = 0; i < count; i++) {
        make_alert((unsigned)i, sector, severity, site, src);
        while (!hub_publisher_submit(p, &alert))
            usleep(WAIT_STEP_US); /* a test wants every alert; a sensor would count and move on */
        printf("ID %s\n", alert.id);
        fflush(stdout);
        if (interval_ms)
            usleep((useconds_t)interval_ms * 1000);
    }
    struct hub_publisher_stats s;
    for (;;) {
        hub_publisher_get_stats(p, &s);
        if (s.queued == 0)
            break;
        usleep(WAIT_STEP_US);
    }
    printf("SPOOLED %" PRIu64 "\n", s.spool_count);
    fflush(stdout);
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        hub_publisher_get_stats(p, &s);
        if (!hold && s.spool_count == 0 && s.queued == 0)
            break;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (!hold && (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9 > timeout)
            break;
        usleep(WAIT_STEP_US);
    }
    printf("DONE\n");
    fflush(stdout);
    print_stats(p);
    bool delivered = s.spool_count == 0;
    hub_publisher_stop(p, 0, NULL);
    return delivered ? 0 : 3;
}
