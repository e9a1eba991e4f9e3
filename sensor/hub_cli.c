/* hub_cli.c — the publisher in the `mamori` program (hub_cli.h). */
#include "hub_cli.h"

#include <inttypes.h>
#include <stdio.h>

#define DEFAULT_SPOOL "mamori-hub-spool.db"
#define DRAIN_MS 10000

struct hub_publisher *hub_cli_start(const struct mamori_config *cfg, char *err, size_t errlen)
{
    err[0] = '\0';
    if (!cfg->hub_endpoint)
        return NULL;
    if (!cfg->hub_key || !cfg->hub_server_key) {
        snprintf(err, errlen, "--hub: needs --key (this sensor's secret key) and --hub-key (the hub's public key)");
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
    return hub_publisher_start(&pc, err, errlen);
}

void hub_cli_alert(void *ctx, const struct mamori_alert *a)
{
    if (ctx)
        hub_publisher_submit(ctx, a);
}

void hub_cli_stop(struct hub_publisher *p, const struct mamori_config *cfg)
{
    if (!p)
        return;
    struct hub_publisher_stats s;
    hub_publisher_stop(p, DRAIN_MS, &s);
    fprintf(stderr,
            "mamori: hub %s: %" PRIu64 " alerts acknowledged, %" PRIu64 " refused, %" PRIu64
            " dropped (queue %" PRIu64 ", spool %" PRIu64 "), %" PRIu64 " kept in %s for the next start\n",
            cfg->hub_endpoint, s.acked, s.rejected, s.queue_dropped + s.spool_dropped, s.queue_dropped,
            s.spool_dropped, s.spool_count + s.queued, cfg->hub_spool ? cfg->hub_spool : DEFAULT_SPOOL);
}
