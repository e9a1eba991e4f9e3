/* event_bus.h — the seam between the packet path and the detection engine.
 *
 * Every ICS event and every finished flow goes to the output (event.json,
 * flow.json) and to each engine attached here. An engine is a small table of
 * function pointers; main.c attaches it with one event_bus_attach() line.
 * Each worker thread gets its own engine state from worker_open(), so an
 * engine needs no lock on the packet path; alerts go out through
 * output_alert() (output.h), which is thread-safe. Events and flows, and every
 * pointer in them, are valid only during the call. */
#ifndef MAMORI_EVENT_BUS_H
#define MAMORI_EVENT_BUS_H

#include <stddef.h>
#include <stdint.h>

#include "../protocols/event.h"
#include "output.h"
#include "pipeline.h"

#define EVENT_BUS_MAX_ENGINES 8

struct event_engine {
    const char *name;
    void *ctx; /* the engine's own configuration, passed to worker_open */
    /* Returns this worker's state (NULL is allowed); called on the worker's thread. */
    void *(*worker_open)(void *ctx, unsigned worker, struct output *out);
    void (*on_event)(void *state, const struct mamori_event *ev);
    void (*on_flow)(void *state, const struct flow_record *rec); /* optional */
    /* Optional: time passed (capture time; the wall clock while a live
     * interface is idle), at least every 100 ms, so windows close and
     * batches reach disk when no event comes. */
    void (*on_tick)(void *state, uint64_t now_us);
    /* End of capture: report what is pending, then free the state. */
    void (*worker_close)(void *state);
};

struct event_bus {
    const struct event_engine *engines[EVENT_BUS_MAX_ENGINES];
    size_t count;
};

/* Returns 0, or -1 when the bus is full. */
static inline int event_bus_attach(struct event_bus *bus, const struct event_engine *engine)
{
    if (bus->count >= EVENT_BUS_MAX_ENGINES)
        return -1;
    bus->engines[bus->count++] = engine;
    return 0;
}

#endif
