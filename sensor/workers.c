/* workers.c — worker threads around pipelines (see workers.h).
 *
 * This file moves frames to pipelines and results to the output and engines;
 * the packet path itself is in pipeline.c. */
#include "workers.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event_json.h"
#include "frame_ring.h"

#define TICK_INTERVAL_US UINT64_C(100000) /* time reaches a worker with no packets of its own */

struct worker {
    struct workers *owner;
    unsigned index;
    struct pipeline *pipeline;
    struct json_writer json;
    void *engine_state[EVENT_BUS_MAX_ENGINES];
    bool engines_open;

    /* threaded mode only */
    struct frame_ring ring;
    pthread_t thread;
    bool thread_started;
    struct pipeline_stats snapshot; /* guarded by workers.snapshot_lock */
};

struct workers {
    unsigned count;
    bool threaded;
    bool finished;
    struct output *out;
    bool log_events;
    const struct event_bus *bus;
    uint64_t last_tick_us;
    uint64_t oversize_frames;
    struct worker *workers;

    /* threaded mode: workers_stats() waits until every worker has copied
     * its counters at the point the request reached it in its ring */
    pthread_mutex_t snapshot_lock;
    pthread_cond_t snapshot_done;
    unsigned snapshots_pending;
};

static void on_event(void *ctx, const struct mamori_event *ev)
{
    struct worker *w = ctx;
    if (w->owner->log_events) {
        event_json(&w->json, ev);
        output_writer(w->owner->out, OUTPUT_EVENT, &w->json);
    }
    const struct event_bus *bus = w->owner->bus;
    for (size_t i = 0; bus && i < bus->count; i++)
        bus->engines[i]->on_event(w->engine_state[i], ev);
}

static void on_flow(void *ctx, const struct flow_record *rec)
{
    struct worker *w = ctx;
    flow_json(&w->json, rec);
    output_writer(w->owner->out, OUTPUT_FLOW, &w->json);
    const struct event_bus *bus = w->owner->bus;
    for (size_t i = 0; bus && i < bus->count; i++)
        if (bus->engines[i]->on_flow)
            bus->engines[i]->on_flow(w->engine_state[i], rec);
}

static void on_tick(void *ctx, uint64_t now_us)
{
    struct worker *w = ctx;
    const struct event_bus *bus = w->owner->bus;
    for (size_t i = 0; bus && i < bus->count; i++)
        if (bus->engines[i]->on_tick)
            bus->engines[i]->on_tick(w->engine_state[i], now_us);
}

static void open_engines(struct worker *w)
{
    const struct event_bus *bus = w->owner->bus;
    for (size_t i = 0; bus && i < bus->count; i++)
        w->engine_state[i] = bus->engines[i]->worker_open
                                 ? bus->engines[i]->worker_open(bus->engines[i]->ctx, w->index, w->owner->out)
                                 : NULL;
    w->engines_open = true;
}

static void close_engines(struct worker *w)
{
    const struct event_bus *bus = w->owner->bus;
    for (size_t i = 0; bus && i < bus->count && w->engines_open; i++)
        if (bus->engines[i]->worker_close)
            bus->engines[i]->worker_close(w->engine_state[i]);
    w->engines_open = false;
}

static void publish_snapshot(struct worker *w)
{
    struct workers *ws = w->owner;
    pthread_mutex_lock(&ws->snapshot_lock);
    w->snapshot = *pipeline_get_stats(w->pipeline);
    if (ws->snapshots_pending && --ws->snapshots_pending == 0)
        pthread_cond_signal(&ws->snapshot_done);
    pthread_mutex_unlock(&ws->snapshot_lock);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    open_engines(w);
    for (;;) {
        const struct frame_record *rec = frame_ring_peek(&w->ring);
        switch (rec->kind) {
        case FRAME_RECORD_PACKET:
            pipeline_packet(w->pipeline, rec->linktype, rec->time_us, rec->data, rec->caplen, rec->wirelen);
            break;
        case FRAME_RECORD_TICK:
            pipeline_tick(w->pipeline, rec->time_us);
            break;
        case FRAME_RECORD_SNAPSHOT:
            publish_snapshot(w);
            break;
        case FRAME_RECORD_FINISH:
            frame_ring_release(&w->ring, rec);
            pipeline_finish(w->pipeline);
            close_engines(w);
            return NULL;
        default:
            break;
        }
        frame_ring_release(&w->ring, rec);
    }
}

static int init_worker(struct workers *ws, struct worker *w, unsigned index, const struct workers_config *cfg,
                       char *err, size_t errlen)
{
    w->owner = ws;
    w->index = index;
    if (json_writer_init(&w->json, OUTPUT_LINE_MAX) != 0) {
        snprintf(err, errlen, "out of memory for worker %u", index);
        return -1;
    }
    struct pipeline_output po = {.on_event = on_event, .on_flow = on_flow, .on_tick = on_tick, .ctx = w};
    struct pipeline_config pc = *cfg->pipeline;
    pc.worker_index = index;
    pc.worker_count = ws->count;
    w->pipeline = pipeline_new(&pc, cfg->registry, &po);
    if (!w->pipeline) {
        snprintf(err, errlen, "cannot create the packet pipeline of worker %u (out of memory?)", index);
        return -1;
    }
    if (!ws->threaded)
        return 0;
    if (frame_ring_init(&w->ring, cfg->ring_bytes) != 0) {
        snprintf(err, errlen, "out of memory for the frame ring of worker %u (%zu bytes)", index, cfg->ring_bytes);
        return -1;
    }
    return 0;
}

struct workers *workers_new(const struct workers_config *cfg, char *err, size_t errlen)
{
    struct workers *ws = calloc(1, sizeof *ws);
    struct worker *list = calloc(cfg->count ? cfg->count : 1, sizeof *list);
    if (!ws || !list) {
        free(ws);
        free(list);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    ws->workers = list;
    ws->count = cfg->count ? cfg->count : 1;
    ws->threaded = ws->count > 1;
    ws->out = cfg->out;
    ws->log_events = cfg->log_events;
    ws->bus = cfg->bus;
    pthread_mutex_init(&ws->snapshot_lock, NULL);
    pthread_cond_init(&ws->snapshot_done, NULL);
    for (unsigned i = 0; i < ws->count; i++)
        if (init_worker(ws, &ws->workers[i], i, cfg, err, errlen) != 0) {
            ws->count = i + 1;
            ws->finished = true;
            workers_free(ws);
            return NULL;
        }
    if (!ws->threaded) {
        open_engines(&ws->workers[0]);
        return ws;
    }
    for (unsigned i = 0; i < ws->count; i++) {
        if (pthread_create(&ws->workers[i].thread, NULL, worker_main, &ws->workers[i]) != 0) {
            snprintf(err, errlen, "cannot start worker thread %u", i);
            workers_finish(ws);
            workers_free(ws);
            return NULL;
        }
        ws->workers[i].thread_started = true;
    }
    return ws;
}

static void broadcast(struct workers *ws, enum frame_record_kind kind, uint64_t time_us)
{
    for (unsigned i = 0; i < ws->count; i++)
        if (ws->workers[i].thread_started)
            frame_ring_push(&ws->workers[i].ring, kind, 0, time_us, NULL, 0, 0);
}

static void tick_all(struct workers *ws, uint64_t now_us)
{
    ws->last_tick_us = now_us;
    if (!ws->threaded) {
        pipeline_tick(ws->workers[0].pipeline, now_us);
        return;
    }
    broadcast(ws, FRAME_RECORD_TICK, now_us);
}

void workers_tick(struct workers *ws, uint64_t now_us)
{
    if (ws->last_tick_us == 0)
        ws->last_tick_us = now_us; /* the first time seen sets the clock */
    else if (now_us >= ws->last_tick_us + TICK_INTERVAL_US)
        tick_all(ws, now_us);
}

void workers_frame(struct workers *ws, int linktype, uint64_t time_us, const uint8_t *data, uint32_t caplen,
                   uint32_t wirelen)
{
    workers_tick(ws, time_us);
    if (!ws->threaded) {
        pipeline_packet(ws->workers[0].pipeline, linktype, time_us, data, caplen, wirelen);
        return;
    }
    uint32_t hash = packet_flow_hash(linktype, data, caplen);
    struct worker *w = &ws->workers[hash % ws->count];
    if (!frame_ring_push(&w->ring, FRAME_RECORD_PACKET, linktype, time_us, data, caplen, wirelen))
        ws->oversize_frames++;
}

void workers_stats(struct workers *ws, struct pipeline_stats *sum)
{
    memset(sum, 0, sizeof *sum);
    if (!ws->threaded || ws->finished) {
        for (unsigned i = 0; i < ws->count; i++)
            pipeline_stats_add(sum, pipeline_get_stats(ws->workers[i].pipeline));
        return;
    }
    pthread_mutex_lock(&ws->snapshot_lock);
    ws->snapshots_pending = ws->count;
    pthread_mutex_unlock(&ws->snapshot_lock);
    broadcast(ws, FRAME_RECORD_SNAPSHOT, 0);
    pthread_mutex_lock(&ws->snapshot_lock);
    while (ws->snapshots_pending)
        pthread_cond_wait(&ws->snapshot_done, &ws->snapshot_lock);
    for (unsigned i = 0; i < ws->count; i++)
        pipeline_stats_add(sum, &ws->workers[i].snapshot);
    pthread_mutex_unlock(&ws->snapshot_lock);
}

uint64_t workers_oversize_frames(const struct workers *ws)
{
    return ws->oversize_frames;
}

void workers_finish(struct workers *ws)
{
    if (ws->finished)
        return;
    ws->finished = true;
    if (!ws->threaded) {
        pipeline_finish(ws->workers[0].pipeline);
        close_engines(&ws->workers[0]);
        return;
    }
    broadcast(ws, FRAME_RECORD_FINISH, 0);
    for (unsigned i = 0; i < ws->count; i++)
        if (ws->workers[i].thread_started) {
            pthread_join(ws->workers[i].thread, NULL);
            ws->workers[i].thread_started = false;
        }
}

void workers_free(struct workers *ws)
{
    if (!ws)
        return;
    workers_finish(ws);
    for (unsigned i = 0; i < ws->count; i++) {
        struct worker *w = &ws->workers[i];
        if (w->pipeline)
            pipeline_free(w->pipeline);
        json_writer_free(&w->json);
        if (ws->threaded)
            frame_ring_free(&w->ring);
    }
    pthread_cond_destroy(&ws->snapshot_done);
    pthread_mutex_destroy(&ws->snapshot_lock);
    free(ws->workers);
    free(ws);
}
