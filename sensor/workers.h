/* workers.h — N pipelines on N threads, fed by the reader thread.
 *
 * The reader picks a worker for each frame with packet_flow_hash() (both
 * directions of a flow, and every fragment of a datagram, go to the same
 * worker) and copies the frame into that worker's frame ring. Each worker
 * renders its events and flows to JSON in its own thread, hands them to the
 * output and to the engines on the event bus. With one worker there is no
 * thread and no ring: the pipeline runs on the reader's thread.
 *
 * Idle expiry runs on capture time: every pipeline is ticked each time the
 * capture clock has advanced by a second. workers_frame() advances it with
 * each frame; a live reader also calls workers_tick() with the wall clock
 * while the interface is idle. */
#ifndef MAMORI_WORKERS_H
#define MAMORI_WORKERS_H

#include <stddef.h>
#include <stdint.h>

#include "event_bus.h"
#include "output.h"
#include "pipeline.h"
#include "pipeline_stats.h"

struct workers_config {
    unsigned count;
    size_t ring_bytes;
    const struct pipeline_config *pipeline;
    const struct mamori_registry *registry;
    struct output *out;
    bool log_events;             /* write each event to the event log (the bus gets them anyway) */
    const struct event_bus *bus; /* may be NULL */
};

struct workers;

/* NULL with one line in err when a pipeline or thread cannot be created. */
struct workers *workers_new(const struct workers_config *cfg, char *err, size_t errlen);

void workers_frame(struct workers *ws, int linktype, uint64_t time_us, const uint8_t *data, uint32_t caplen,
                   uint32_t wirelen);
/* The capture clock is now now_us: ticks every pipeline if a second has
 * passed since the last tick. */
void workers_tick(struct workers *ws, uint64_t now_us);

/* Sums the workers' counters. Worker threads copy theirs when the request
 * reaches them in their ring, so the sum covers every frame handed to
 * workers_frame() before the call; the reader waits that long. */
void workers_stats(struct workers *ws, struct pipeline_stats *sum);

/* Frames dropped because they were larger than a ring slot can hold. */
uint64_t workers_oversize_frames(const struct workers *ws);

/* End of capture: every pipeline finishes (flows end with "end_of_capture"),
 * the engines close, and the threads exit. */
void workers_finish(struct workers *ws);
void workers_free(struct workers *ws);

#endif
