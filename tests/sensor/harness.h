/* harness.h — a pipeline with a test registry and recorded outputs, for the
 * sensor tests. The "recorder" decoder keeps every byte, gap and finish it is
 * given, so tests assert exactly what the core fed it. */
#ifndef MAMORI_TEST_HARNESS_H
#define MAMORI_TEST_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sensor/pipeline.h"
#include "sensor/pipeline_stats.h"

#define RECORDER_TCP_PORT 40000
#define RECORDER_UDP_PORT 40001
#define RECORDER_ETHERTYPE 0x88B8
#define RECORDER_MAX_PDU 64
#define RECORDER_BYTES 8192
#define HARNESS_MAX_FLOWS 64
#define HARNESS_MAX_EVENTS 256
#define HARNESS_MAX_FINISHED 16
#define RECORDER_MAX_TICKS 64
#define RECORDER_TICK_FLOW_ID 4242

/* What the recorder saw in one flow, copied when the flow finished. */
struct recorder_log {
    uint8_t bytes[2][RECORDER_BYTES]; /* consumed bytes per direction, in order */
    size_t len[2];
    unsigned parses[2];
    unsigned gaps[2];
    unsigned transports; /* mask of ctx->transport over every parse() */
    size_t gap_at[2][8]; /* len[dir] when a gap was signalled */
    bool finished;
};

extern const struct mamori_decoder recorder_decoder;
extern struct recorder_log recorder_finished[HARNESS_MAX_FINISHED];
extern size_t recorder_n_finished;
/* shared_new/shared_free calls, and parse() calls whose ctx->shared was not the shared instance */
extern unsigned recorder_shared_created, recorder_shared_freed, recorder_parses_without_shared;
/* capture times of tick() calls; recorder_tick_emits makes each tick emit an event */
extern uint64_t recorder_tick_times[RECORDER_MAX_TICKS];
extern size_t recorder_n_ticks;
extern bool recorder_tick_emits;

struct recorded_flow {
    struct flow_record rec;
    char state[8], reason[24], app[48], ndpi[48], category[48], decoder[24];
};

struct recorded_event {
    struct mamori_event ev;
    char protocol[24], anomaly[48];
};

struct harness {
    struct mamori_registry reg;
    struct pipeline_config cfg;
    struct pipeline *pl;
    struct recorded_flow flows[HARNESS_MAX_FLOWS];
    size_t n_flows;
    struct recorded_event events[HARNESS_MAX_EVENTS];
    size_t n_events;
    unsigned output_ticks; /* pipeline_output.on_tick calls, and the last one's time */
    uint64_t last_output_tick_us;
};

/* The registry holds only the recorder; classify is off unless asked for. */
void harness_config(struct harness *h);
void harness_start(struct harness *h);
void harness_stop(struct harness *h);
const struct pipeline_stats *harness_stats(const struct harness *h);

/* Feeds one Ethernet frame built from spec at time_us. */
void harness_frame(struct harness *h, uint64_t time_us, const void *spec);

#endif
