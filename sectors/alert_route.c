/* alert_route.c — serialised alert emission to the log and the hub (alert_route.h). */
#include "alert_route.h"

#include <pthread.h>
#include <stdlib.h>

#include "alert_codec.h"

#define ALERT_JSON_MAX (128 * 1024)

struct alert_route {
    pthread_mutex_t lock;
    struct output *out;
    alert_sink_fn sink;
    void *sink_ctx;
    struct json_writer json;
    uint64_t emitted, dropped;
};

struct alert_route *alert_route_new(void)
{
    struct alert_route *r = calloc(1, sizeof *r);
    if (!r || json_writer_init(&r->json, ALERT_JSON_MAX) != 0) {
        free(r);
        return NULL;
    }
    pthread_mutex_init(&r->lock, NULL);
    return r;
}

void alert_route_free(struct alert_route *r)
{
    if (!r)
        return;
    json_writer_free(&r->json);
    pthread_mutex_destroy(&r->lock);
    free(r);
}

void alert_route_set_output(struct alert_route *r, struct output *out)
{
    pthread_mutex_lock(&r->lock);
    r->out = out;
    pthread_mutex_unlock(&r->lock);
}

void alert_route_set_sink(struct alert_route *r, alert_sink_fn sink, void *ctx)
{
    pthread_mutex_lock(&r->lock);
    r->sink = sink;
    r->sink_ctx = ctx;
    pthread_mutex_unlock(&r->lock);
}

void alert_route_emit(struct alert_route *r, const struct mamori_alert *alert)
{
    pthread_mutex_lock(&r->lock);
    r->emitted++;
    alert_json(&r->json, alert);
    if (!json_writer_ok(&r->json))
        r->dropped++;
    else if (r->out)
        output_alert(r->out, r->json.buf, r->json.len);
    if (r->sink)
        r->sink(r->sink_ctx, alert);
    pthread_mutex_unlock(&r->lock);
}

uint64_t alert_route_emitted(const struct alert_route *r) { return r->emitted; }
uint64_t alert_route_dropped(const struct alert_route *r) { return r->dropped; }
