/* l2_replay.c — test driver: feeds the GOOSE and SV frames of pcap files to
 * their decoders the way the core does (VLAN tags stripped, one flow state per
 * source MAC + APPID, one shared state per decoder, finish() at the end) and
 * prints every event as "<frame number>\t<event JSON>" for the tshark oracle
 * test. It is not the product's capture path (sensor/ is); it lets the decoders
 * be checked against tshark on their own.
 *
 * usage: l2_replay FILE.pcap... */
#include <pcap/pcap.h>
#include <stdio.h>
#include <string.h>

#include "protocols/builtin.h"
#include "protocols/cursor.h"
#include "sensor/event_json.h"
#include "sensor/json_writer.h"

#define MAX_FLOWS 256
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define STATE_BUDGET 65536

struct flow {
    const struct mamori_decoder *dec;
    uint8_t src_mac[6];
    uint16_t appid;
    void *state;
};

static struct flow flows[MAX_FLOWS];
static size_t n_flows;
static const struct mamori_decoder *decoders[] = { &goose_decoder, &sv_decoder };
static void *shared[2];
static struct json_writer writer;
static struct mamori_detail detail;
static struct mamori_endpoints where;
static unsigned long frame_no;
static uint64_t last_time_us;

static void print_event(struct mamori_sink *sink, struct mamori_event *ev)
{
    (void)sink;
    ev->where = where;
    ev->time_us = last_time_us;
    event_json(&writer, ev);
    printf("%lu\t%s\n", frame_no, writer.buf);
}

static struct mamori_sink sink = { print_event, &detail };

static struct flow *flow_for(const struct mamori_decoder *dec, const uint8_t *src, uint16_t appid)
{
    for (size_t i = 0; i < n_flows; i++)
        if (flows[i].dec == dec && flows[i].appid == appid && memcmp(flows[i].src_mac, src, 6) == 0)
            return &flows[i];
    if (n_flows == MAX_FLOWS)
        return NULL;
    struct flow *f = &flows[n_flows++];
    struct mamori_decoder_options opts = { STATE_BUDGET, 0 };
    f->dec = dec;
    memcpy(f->src_mac, src, 6);
    f->appid = appid;
    f->state = dec->state_new(&opts);
    return f;
}

static void frame(const uint8_t *data, uint32_t caplen, uint64_t time_us)
{
    cursor c = cursor_make(data, caplen);
    memset(&where, 0, sizeof where);
    cursor_copy(&c, where.dst_mac, 6);
    cursor_copy(&c, where.src_mac, 6);
    uint16_t type = cursor_be16(&c);
    while ((type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ) && cursor_ok(&c)) {
        uint16_t tci = cursor_be16(&c);
        if (!where.vlan)
            where.vlan = tci & 0x0fff;
        type = cursor_be16(&c);
    }
    if (!cursor_ok(&c))
        return;
    where.ethertype = type;
    for (size_t d = 0; d < 2; d++) {
        if (decoders[d]->ethertypes[0] != type)
            continue;
        uint8_t hi = 0, lo = 0;
        cursor_peek_u8(&c, 0, &hi);
        cursor_peek_u8(&c, 1, &lo);
        struct flow *f = flow_for(decoders[d], where.src_mac, (uint16_t)(hi << 8 | lo));
        struct mamori_parse_ctx ctx = { MAMORI_DIR_TO_SERVER, time_us, false, &sink, shared[d] };
        last_time_us = time_us;
        decoders[d]->parse(f ? f->state : NULL, c.ptr, cursor_left(&c), &ctx);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE.pcap...\n", argv[0]);
        return 2;
    }
    if (json_writer_init(&writer, 1 << 20) != 0)
        return 1;
    for (size_t d = 0; d < 2; d++)
        shared[d] = decoders[d]->shared_new(NULL);
    for (int i = 1; i < argc; i++) {
        char err[PCAP_ERRBUF_SIZE];
        pcap_t *p = pcap_open_offline(argv[i], err);
        if (!p) {
            fprintf(stderr, "%s: %s\n", argv[i], err);
            return 1;
        }
        struct pcap_pkthdr *h;
        const u_char *data;
        frame_no = 0;
        while (pcap_next_ex(p, &h, &data) == 1) {
            frame_no++;
            frame(data, h->caplen, (uint64_t)h->ts.tv_sec * 1000000u + (uint64_t)h->ts.tv_usec);
        }
        pcap_close(p);
    }
    frame_no = 0;
    for (size_t i = 0; i < n_flows; i++) {
        struct mamori_parse_ctx ctx = { MAMORI_DIR_TO_SERVER, last_time_us, false, &sink, shared[0] };
        if (flows[i].dec->finish)
            flows[i].dec->finish(flows[i].state, &ctx);
        flows[i].dec->state_free(flows[i].state);
    }
    for (size_t d = 0; d < 2; d++)
        decoders[d]->shared_free(shared[d]);
    json_writer_free(&writer);
    return 0;
}
