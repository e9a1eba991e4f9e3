/* classify.c — the nDPI 4.2 wrapper (see classify.h). The calls and their
 * order follow the verified sequence in TOOLCHAIN.md §2. */
#include "classify.h"

#include <ndpi_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline_stats.h"

#define CLASSIFY_MAX_L3_LEN 65535 /* nDPI takes the packet length as u_int16_t */

/* nDPI flow structs are recycled through this free list. */
struct pooled_ndpi_flow {
    struct pooled_ndpi_flow *next;
};

struct classifier {
    struct ndpi_detection_module_struct *ndpi;
    size_t flow_size;
    struct pooled_ndpi_flow *free_flows;
    size_t flows_allocated;
    struct pipeline_stats *stats;
};

struct classifier *classifier_new(struct pipeline_stats *stats)
{
    struct classifier *cl = calloc(1, sizeof *cl);
    if (!cl)
        return NULL;
    cl->ndpi = ndpi_init_detection_module(ndpi_no_prefs);
    if (!cl->ndpi) {
        free(cl);
        return NULL;
    }
    NDPI_PROTOCOL_BITMASK all;
    NDPI_BITMASK_SET_ALL(all);
    ndpi_set_protocol_detection_bitmask2(cl->ndpi, &all);
    ndpi_finalize_initialization(cl->ndpi);
    cl->flow_size = ndpi_detection_get_sizeof_ndpi_flow_struct();
    if (cl->flow_size < sizeof(struct pooled_ndpi_flow))
        cl->flow_size = sizeof(struct pooled_ndpi_flow);
    cl->stats = stats;
    return cl;
}

void classifier_free(struct classifier *cl)
{
    if (!cl)
        return;
    while (cl->free_flows) {
        struct pooled_ndpi_flow *f = cl->free_flows;
        cl->free_flows = f->next;
        ndpi_free(f); /* its nDPI data was freed by flow_put(); ndpi_flow_free would free it again */
    }
    ndpi_exit_detection_module(cl->ndpi);
    free(cl);
}

static struct ndpi_flow_struct *flow_get(struct classifier *cl)
{
    void *f = cl->free_flows;
    if (f)
        cl->free_flows = cl->free_flows->next;
    else if ((f = ndpi_flow_malloc(cl->flow_size)) != NULL)
        cl->flows_allocated++;
    if (f)
        memset(f, 0, cl->flow_size);
    return f;
}

static void flow_put(struct classifier *cl, struct classify_flow *cf)
{
    if (!cf->ndpi_flow)
        return;
    /* nDPI may hang allocations off the flow (TLS certificates, host names). */
    ndpi_free_flow_data(cf->ndpi_flow);
    struct pooled_ndpi_flow *f = cf->ndpi_flow;
    f->next = cl->free_flows;
    cl->free_flows = f;
    cf->ndpi_flow = NULL;
}

static void set_result(struct classifier *cl, struct classify_flow *cf, ndpi_protocol proto)
{
    ndpi_protocol2name(cl->ndpi, proto, cf->app_name, sizeof cf->app_name);
    cf->category = ndpi_category_get_name(cl->ndpi, proto.category);
    if (!cf->category)
        cf->category = "Unspecified";
    cf->done = true;
    if (proto.app_protocol == NDPI_PROTOCOL_UNKNOWN && proto.master_protocol == NDPI_PROTOCOL_UNKNOWN)
        cl->stats->classify_unknown++;
    else
        cl->stats->classified_flows++;
    flow_put(cl, cf);
}

void classify_packet(struct classifier *cl, struct classify_flow *cf, const uint8_t *l3, size_t l3_len,
                     uint64_t time_us)
{
    if (cf->done)
        return;
    if (!cf->ndpi_flow && !(cf->ndpi_flow = flow_get(cl)))
        return;
    if (l3_len > CLASSIFY_MAX_L3_LEN)
        l3_len = CLASSIFY_MAX_L3_LEN;
    ndpi_protocol proto =
        ndpi_detection_process_packet(cl->ndpi, cf->ndpi_flow, l3, (u_int16_t)l3_len, time_us / 1000);
    cf->packets++;
    if (proto.app_protocol != NDPI_PROTOCOL_UNKNOWN)
        set_result(cl, cf, proto);
    else if (cf->packets >= CLASSIFY_MAX_PACKETS)
        classify_finish(cl, cf);
}

void classify_finish(struct classifier *cl, struct classify_flow *cf)
{
    if (cf->done)
        return;
    if (!cf->ndpi_flow) {
        snprintf(cf->app_name, sizeof cf->app_name, "Unknown");
        cf->category = "Unspecified";
        cf->done = true;
        cl->stats->classify_unknown++;
        return;
    }
    u_int8_t guessed = 0;
    ndpi_protocol proto = ndpi_detection_giveup(cl->ndpi, cf->ndpi_flow, 1, &guessed);
    set_result(cl, cf, proto);
}

void classify_release(struct classifier *cl, struct classify_flow *cf)
{
    flow_put(cl, cf);
}

size_t classifier_memory(const struct classifier *cl)
{
    return cl ? cl->flows_allocated * cl->flow_size : 0;
}
