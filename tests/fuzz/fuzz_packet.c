/* fuzz_packet.c — libFuzzer harness for the whole packet path: arbitrary
 * frames of every supported link type through pipeline_packet(), with the
 * built-in decoders, fragments, flows, TCP reassembly and expiry.
 *
 * Input: byte 0 picks the link type (low 3 bits) and whether nDPI runs (bit 3,
 * on one long-lived pipeline, since creating nDPI per input is too slow); then
 * frames, each a 2-byte big-endian length and that many bytes, 1 ms apart,
 * with a tick after each. packet_flow_hash is run on every frame too. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "protocols/cursor.h"
#include "protocols/registry.h"
#include "sensor/packet.h"
#include "sensor/pipeline.h"

#define FUZZ_FRAME_US 1000
#define FUZZ_CLASSIFY_BIT 0x08

static const int linktypes[8] = {
    LINKTYPE_ETHERNET, LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2, LINKTYPE_RAW,
    LINKTYPE_NULL,     LINKTYPE_LOOP,      LINKTYPE_RAW_DLT12,  LINKTYPE_IPV4,
};

static struct mamori_registry registry;
static struct pipeline *classifying;

static void ignore_event(void *ctx, const struct mamori_event *ev)
{
    (void)ctx;
    (void)ev;
}

static void ignore_flow(void *ctx, const struct flow_record *rec)
{
    (void)ctx;
    (void)rec;
}

static const struct pipeline_output outputs = { .on_event = ignore_event, .on_flow = ignore_flow };

/* Small bounds so that eviction and overflow paths run. */
static void small_config(struct pipeline_config *cfg, bool classify)
{
    pipeline_config_defaults(cfg);
    cfg->max_flows = 16;
    cfg->reassembly_flow_bytes = 4096;
    cfg->reassembly_total_bytes = 32768;
    cfg->defrag_max_datagrams = 4;
    cfg->defrag_total_bytes = 16384;
    cfg->tcp_idle_timeout_us = 50 * FUZZ_FRAME_US;
    cfg->udp_idle_timeout_us = 20 * FUZZ_FRAME_US;
    cfg->classify = classify;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (registry.count == 0)
        registry_init(&registry);
    cursor c = cursor_make(data, size);
    uint8_t mode = cursor_u8(&c);
    if (!cursor_ok(&c))
        return 0;
    int linktype = linktypes[mode & 7];
    struct pipeline_config cfg;
    struct pipeline *pl;
    if (mode & FUZZ_CLASSIFY_BIT) {
        if (!classifying) {
            small_config(&cfg, true);
            classifying = pipeline_new(&cfg, &registry, &outputs);
        }
        pl = classifying;
    } else {
        small_config(&cfg, false);
        pl = pipeline_new(&cfg, &registry, &outputs);
    }
    if (!pl)
        return 0;
    static uint64_t now_us = 1;
    while (cursor_left(&c) >= 2) {
        uint16_t len = cursor_be16(&c);
        if (len > cursor_left(&c))
            len = (uint16_t)cursor_left(&c);
        const uint8_t *frame = cursor_bytes(&c, len);
        now_us += FUZZ_FRAME_US;
        (void)packet_flow_hash(linktype, frame, len);
        pipeline_packet(pl, linktype, now_us, frame, len, len);
        pipeline_tick(pl, now_us);
    }
    if (pl != classifying) {
        pipeline_finish(pl);
        pipeline_free(pl);
    }
    return 0;
}
