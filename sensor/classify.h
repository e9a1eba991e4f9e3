/* classify.h — nDPI 4.2 application classification of TCP/UDP flows.
 *
 * One nDPI detection module per pipeline (it is not thread-safe). A flow is
 * given its first packets (from the IP header on); once nDPI names a protocol,
 * or after CLASSIFY_MAX_PACKETS packets, the result is fixed (giving up with
 * port guessing) and the flow's nDPI state goes back to the pool. It never
 * sees layer-2 traffic, and our own decoders overrule it (pipeline.c). */
#ifndef MAMORI_CLASSIFY_H
#define MAMORI_CLASSIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLASSIFY_MAX_PACKETS 12
#define CLASSIFY_NAME_MAX 48

struct classifier;
struct pipeline_stats;

struct classify_flow {
    void *ndpi_flow; /* nDPI's per-flow state while classifying, else NULL */
    uint8_t packets;
    bool done;
    char app_name[CLASSIFY_NAME_MAX]; /* "Modbus", "TLS", "HTTP.Google", "Unknown" */
    const char *category;             /* nDPI's category name */
};

/* NULL when the detection module cannot be created. */
struct classifier *classifier_new(struct pipeline_stats *stats);
void classifier_free(struct classifier *cl);

/* One packet of the flow, from its IP header. */
void classify_packet(struct classifier *cl, struct classify_flow *cf, const uint8_t *l3, size_t l3_len,
                     uint64_t time_us);

/* Fixes the result now (flow end): nDPI guesses from ports if it has nothing. */
void classify_finish(struct classifier *cl, struct classify_flow *cf);

/* Bytes of nDPI flow state allocated (pooled); 0 for a NULL classifier. */
size_t classifier_memory(const struct classifier *cl);

/* Returns the nDPI state to the pool without a result. */
void classify_release(struct classifier *cl, struct classify_flow *cf);

#endif
