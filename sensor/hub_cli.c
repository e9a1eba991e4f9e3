/* hub_cli.c — the publisher and the indicator watch in the `mamori` program
 * (hub_cli.h). */
#include "hub_cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "indicator_watch.h"

#define DEFAULT_SPOOL "mamori-hub-spool.db"
#define DRAIN_MS 10000

struct hub_link {
    struct hub_publisher *publisher;
    struct indicator_watch *watch;
};

/* The publisher thread delivers a new indicator set. */
static void on_indicators(void *ctx, const char *sector, uint64_t version, const void *body, size_t len)
{
    struct hub_link *link = ctx;
    if (link->watch)
        indicator_watch_update(link->watch, sector, version, body, len);
}

void hub_cli_alert(void *ctx, const struct mamori_alert *a)
{
    struct hub_link *link = ctx;
    if (link && link->publisher)
        hub_publisher_submit(link->publisher, a);
}

struct hub_link *hub_cli_start(const struct mamori_config *cfg, char *err, size_t errlen)
{
    err[0] = '\0';
    if (!cfg->hub_endpoint)
        return NULL;
    if (!cfg->hub_key || !cfg->hub_server_key) {
        snprintf(err, errlen, "--hub: needs --key (this sensor's secret key) and --hub-key (the hub's public key)");
        return NULL;
    }
    struct hub_link *link = calloc(1, sizeof *link);
    if (!link) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (cfg->hub_indicators_dir && !(link->watch = indicator_watch_new(cfg->hub_indicators_dir, hub_cli_alert, link))) {
        snprintf(err, errlen, "out of memory for the indicator watch");
        free(link);
        return NULL;
    }
    struct hub_publisher_config pc;
    hub_publisher_config_defaults(&pc);
    pc.endpoint = cfg->hub_endpoint;
    pc.secret_key_file = cfg->hub_key;
    pc.hub_public_key_file = cfg->hub_server_key;
    pc.spool_path = cfg->hub_spool ? cfg->hub_spool : DEFAULT_SPOOL;
    pc.spool_max_bytes = cfg->hub_spool_bytes;
    pc.indicators_dir = cfg->hub_indicators_dir;
    pc.on_indicators = on_indicators;
    pc.ctx = link;
    link->publisher = hub_publisher_start(&pc, err, errlen);
    if (!link->publisher) {
        indicator_watch_free(link->watch);
        free(link);
        return NULL;
    }
    return link;
}

int hub_cli_attach(struct hub_link *link, struct event_bus *bus)
{
    if (!link || !link->watch)
        return 0;
    return event_bus_attach(bus, indicator_watch_engine(link->watch));
}

void hub_cli_stop(struct hub_link *link, const struct mamori_config *cfg)
{
    if (!link)
        return;
    struct hub_publisher_stats s;
    hub_publisher_stop(link->publisher, DRAIN_MS, &s);
    indicator_watch_free(link->watch);
    free(link);
    fprintf(stderr,
            "mamori: hub %s: %" PRIu64 " alerts acknowledged, %" PRIu64 " refused, %" PRIu64
            " dropped (queue %" PRIu64 ", spool %" PRIu64 "), %" PRIu64 " kept in %s for the next start\n",
            cfg->hub_endpoint, s.acked, s.rejected, s.queue_dropped + s.spool_dropped, s.queue_dropped,
            s.spool_dropped, s.spool_count + s.queued, cfg->hub_spool ? cfg->hub_spool : DEFAULT_SPOOL);
}
