/* test_corpus.c — the whole pipeline (built-in decoders, nDPI) over real
 * captures read with libpcap. Flows and their packet counts are checked
 * against tshark's conversation statistics (`-z conv,tcp` / `conv,udp`) run on
 * the same file inside the test, and nDPI labels against nDPI's own reference
 * output (the .out files under expected/nDPI) and the known ICS ports. */
#include <criterion/criterion.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "sensor/pipeline.h"
#include "sensor/pipeline_stats.h"

#define MAX_FLOWS 512
#define MAX_CONVS 512

struct seen_flow {
    char a[64], b[64]; /* "ip:port" of originator and responder */
    uint8_t proto;
    uint64_t packets[2];
    char ndpi[48], category[48], app[48], state[8];
};

struct run {
    struct seen_flow flows[MAX_FLOWS];
    size_t n_flows;
    uint64_t events;
    struct pipeline_stats stats;
};

static void endpoint_text(char *out, size_t cap, uint8_t ip_version, const uint8_t *ip, uint16_t port)
{
    char addr[INET6_ADDRSTRLEN];
    inet_ntop(ip_version == 6 ? AF_INET6 : AF_INET, ip, addr, sizeof addr);
    snprintf(out, cap, "%s:%u", addr, port);
}

static void on_flow(void *ctx, const struct flow_record *rec)
{
    struct run *r = ctx;
    cr_assert_lt(r->n_flows, MAX_FLOWS);
    struct seen_flow *f = &r->flows[r->n_flows++];
    endpoint_text(f->a, sizeof f->a, rec->where.ip_version, rec->where.src_ip, rec->where.src_port);
    endpoint_text(f->b, sizeof f->b, rec->where.ip_version, rec->where.dst_ip, rec->where.dst_port);
    f->proto = rec->where.l4_proto;
    f->packets[0] = rec->packets[0];
    f->packets[1] = rec->packets[1];
    snprintf(f->ndpi, sizeof f->ndpi, "%s", rec->ndpi ? rec->ndpi : "");
    snprintf(f->category, sizeof f->category, "%s", rec->category ? rec->category : "");
    snprintf(f->app, sizeof f->app, "%s", rec->app_protocol ? rec->app_protocol : "");
    snprintf(f->state, sizeof f->state, "%s", rec->state);
}

static void on_event(void *ctx, const struct mamori_event *ev)
{
    (void)ev;
    ((struct run *)ctx)->events++;
}

static char *corpus_path(const char *rel)
{
    const char *root = getenv("MAMORI_CORPUS");
    cr_assert(root, "MAMORI_CORPUS is not set");
    static char path[1024];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    return path;
}

static void run_capture(const char *rel, struct run *r)
{
    memset(r, 0, sizeof *r);
    struct mamori_registry reg;
    registry_init(&reg);
    struct pipeline_config cfg;
    pipeline_config_defaults(&cfg);
    struct pipeline_output out = { .on_event = on_event, .on_flow = on_flow, .ctx = r };
    struct pipeline *pl = pipeline_new(&cfg, &reg, &out);
    cr_assert(pl);
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(corpus_path(rel), err);
    cr_assert(p, "%s", err);
    int linktype = pcap_datalink(p);
    struct pcap_pkthdr *h;
    const u_char *data;
    while (pcap_next_ex(p, &h, &data) == 1)
        pipeline_packet(pl, linktype, (uint64_t)h->ts.tv_sec * 1000000 + (uint64_t)h->ts.tv_usec, data, h->caplen,
                        h->len);
    pcap_close(p);
    pipeline_finish(pl);
    r->stats = *pipeline_get_stats(pl);
    pipeline_free(pl);
    registry_close(&reg);
}

struct conv {
    char a[64], b[64];
    uint8_t proto;
    unsigned long frames;
    uint64_t ours; /* packets of our flows between the same endpoints */
};

/* Conversations from `tshark -q -z conv,tcp -z conv,udp`:
 * "A <-> B  frames bytes unit  frames bytes unit  total_frames ..." */
static size_t tshark_conversations(const char *rel, struct conv *convs)
{
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "tshark -n -r '%s' -q -z conv,tcp -z conv,udp 2>/dev/null", corpus_path(rel));
    FILE *pipe = popen(cmd, "r");
    cr_assert(pipe);
    char line[512];
    size_t n = 0;
    uint8_t proto = 0;
    while (fgets(line, sizeof line, pipe)) {
        if (strncmp(line, "TCP Conversations", 17) == 0)
            proto = 6;
        else if (strncmp(line, "UDP Conversations", 17) == 0)
            proto = 17;
        struct conv c = { .proto = proto };
        unsigned long f1, f2;
        if (sscanf(line, "%63s <-> %63s %lu %*s %*s %lu %*s %*s %lu", c.a, c.b, &f1, &f2, &c.frames) == 5) {
            cr_assert_lt(n, MAX_CONVS);
            convs[n++] = c;
        }
    }
    cr_assert_eq(pclose(pipe), 0, "tshark failed on %s", rel);
    return n;
}

/* Every TCP/UDP flow of ours lies in a tshark conversation, and every tshark
 * conversation has our flows with the same number of packets. tshark merges
 * everything between two endpoints; we start a new flow when a closed or idle
 * connection's ports are used again, so our flows are summed per pair. */
static void assert_flows_match_tshark(const char *rel, const struct run *r)
{
    static struct conv convs[MAX_CONVS];
    size_t n = tshark_conversations(rel, convs);
    for (size_t i = 0; i < r->n_flows; i++) {
        const struct seen_flow *f = &r->flows[i];
        if (f->proto != 6 && f->proto != 17)
            continue;
        bool found = false;
        for (size_t j = 0; j < n && !found; j++) {
            struct conv *c = &convs[j];
            found = c->proto == f->proto && ((!strcmp(c->a, f->a) && !strcmp(c->b, f->b)) ||
                                             (!strcmp(c->a, f->b) && !strcmp(c->b, f->a)));
            if (found)
                c->ours += f->packets[0] + f->packets[1];
        }
        cr_assert(found, "%s: our flow %s <-> %s (proto %u) is not a tshark conversation", rel, f->a, f->b, f->proto);
    }
    for (size_t j = 0; j < n; j++)
        cr_assert_eq(convs[j].ours, convs[j].frames, "%s: %s <-> %s: we counted %lu packets, tshark %lu", rel,
                     convs[j].a, convs[j].b, (unsigned long)convs[j].ours, convs[j].frames);
}

static const char *const tcp_captures[] = {
    "ITI-ICS-Security-Tools/ModbusTCP/modbus_test_data_part1.pcap",
    "ITI-ICS-Security-Tools/ModbusTCP/modbus_test_data_part2.pcap",
    "ITI-ICS-Security-Tools/bro/dnp3/dnp3.pcap",
    "ITI-ICS-Security-Tools/bro/modbus/fuzz-72.pcap",
    "ITI-ICS-Security-Tools/dnp3/opendnp3-3/conformance/6.1.2/dump.pcap", /* BSD loopback */
    "suricata-verify/dnp3/dnp3-flood/input.pcap",                           /* raw IPv4 */
    "ITI-ICS-Security-Tools/s7/S7-1511_db2_var1_HMI.pcap",                  /* pcapng named .pcap */
    "zeek/modbus/modbus-and-non-modbus-p502.pcap",
    "nDPI/dnp3.pcap",
};

Test(corpus, tcp_flows_match_tshark_conversations)
{
    static struct run r;
    for (size_t i = 0; i < sizeof tcp_captures / sizeof tcp_captures[0]; i++) {
        run_capture(tcp_captures[i], &r);
        cr_assert_gt(r.n_flows, 0, "%s: no flows", tcp_captures[i]);
        assert_flows_match_tshark(tcp_captures[i], &r);
        cr_assert_eq(r.stats.flows_active, 0);
        cr_assert_eq(r.stats.flows_created, r.stats.flows_ended);
    }
}

static const char *const udp_captures[] = {
    "ITI-ICS-Security-Tools/C37.118/C37.118_1PMU_UDP.pcap",
    "ITI-ICS-Security-Tools/beckoff/addroute.pcapng", /* IPv4 and IPv6, broadcast and multicast */
    "ITI-ICS-Security-Tools/beckoff/beckoffiplinktc2.pcapng",
    "zeek/dnp3/dnp3_udp_read.pcap",
    "zeek/dnp3/dnp3_udp_en_spon.pcap",
};

Test(corpus, udp_flows_match_tshark_conversations)
{
    static struct run r;
    for (size_t i = 0; i < sizeof udp_captures / sizeof udp_captures[0]; i++) {
        run_capture(udp_captures[i], &r);
        cr_assert_gt(r.n_flows, 0, "%s: no flows", udp_captures[i]);
        assert_flows_match_tshark(udp_captures[i], &r);
    }
}

Test(corpus, truncated_ip_length_is_counted_and_decoded)
{
    static struct run r;
    run_capture("ITI-ICS-Security-Tools/bro/modbus/fuzz-72.pcap", &r);
    /* tshark: "IPv4 total length exceeds packet length" on 2 frames */
    cr_assert_eq(r.stats.ip_truncated, 2);
    cr_assert_eq(r.stats.packets, 36);
    cr_assert_gt(r.events, 0);
}

/* ndpiReader's per-flow lines: "TCP a:p <-> b:p [proto: N/NAME]...[X pkts/... <-> Y pkts/...]" */
Test(corpus, ndpi_labels_and_packet_counts_match_ndpi_reference_for_dnp3)
{
    static struct run r;
    run_capture("nDPI/dnp3.pcap", &r);
    FILE *ref = fopen(corpus_path("expected/nDPI/dnp3.pcap.out"), "r");
    cr_assert(ref);
    char line[4096];
    size_t checked = 0;
    while (fgets(line, sizeof line, ref)) {
        char a[64], b[64], proto[64];
        unsigned long pa, pb;
        const char *pk = strstr(line, "pkts/");
        if (sscanf(line, " %*u TCP %63s <-> %63s [proto: %*u/%63[^]]]", a, b, proto) != 3 || !pk)
            continue;
        const char *open = pk;
        while (open > line && *open != '[')
            open--;
        if (sscanf(open, "[%lu pkts/%*s bytes <-> %lu pkts/", &pa, &pb) != 2)
            continue;
        bool found = false;
        for (size_t i = 0; i < r.n_flows && !found; i++) {
            const struct seen_flow *f = &r.flows[i];
            if (strcmp(f->a, a) || strcmp(f->b, b))
                continue;
            found = true;
            cr_assert_str_eq(f->ndpi, proto, "%s <-> %s", a, b);
            cr_assert_str_eq(f->category, "IoT-Scada");
            cr_assert_str_eq(f->app, "dnp3", "our decoder claims %s <-> %s", a, b);
            cr_assert_eq(f->packets[0], pa, "%s <-> %s", a, b);
            cr_assert_eq(f->packets[1], pb, "%s <-> %s", a, b);
        }
        cr_assert(found, "nDPI flow %s <-> %s not found", a, b);
        checked++;
    }
    fclose(ref);
    cr_assert_eq(checked, 8);
    cr_assert_eq(r.n_flows, 8);
}

Test(corpus, ndpi_labels_modbus_on_502_and_our_decoder_wins)
{
    static struct run r;
    run_capture("ITI-ICS-Security-Tools/ModbusTCP/modbus_test_data_part1.pcap", &r);
    cr_assert_eq(r.n_flows, 6);
    for (size_t i = 0; i < r.n_flows; i++) {
        cr_assert_str_eq(r.flows[i].ndpi, "Modbus");
        cr_assert_str_eq(r.flows[i].app, "modbus");
        cr_assert_str_eq(r.flows[i].category, "IoT-Scada");
        /* one master uses 502 as its source port too (frame 88 is its SYN) */
        cr_assert(strstr(r.flows[i].b, ":502") || strstr(r.flows[i].a, ":502"), "%s", r.flows[i].a);
    }
    cr_assert_gt(r.events, 0);
}

Test(corpus, empty_capture_gives_nothing)
{
    static struct run r;
    run_capture("ITI-ICS-Security-Tools/dnp3/opendnp3-3/conformance/6.4.2/dump.pcap", &r);
    cr_assert_eq(r.n_flows, 0);
    cr_assert_eq(r.stats.packets, 0);
}

Test(corpus, ipv6_frames_counted_as_the_catalog_says)
{
    static struct run r;
    run_capture("ITI-ICS-Security-Tools/beckoff/addroute.pcapng", &r);
    /* CATALOG.tsv: 246 frames, ipv6=33 */
    cr_assert_eq(r.stats.packets, 246);
    cr_assert_eq(r.stats.ipv6, 33);
    size_t v6_flows = 0;
    for (size_t i = 0; i < r.n_flows; i++)
        v6_flows += strchr(r.flows[i].a, ':') != strrchr(r.flows[i].a, ':');
    cr_assert_gt(v6_flows, 0);
}
