/* bench_engine.c — the detection engine's benchmark figures (on demand, not
 * part of `meson test`):
 *
 *  1. Engine cost on a capture (the mixed benchmark capture from gen_mixed):
 *     the capture is loaded into memory once, then the packet pipeline runs
 *     over it alternately without the engine (core alone) and with it (core +
 *     engine judging every event and flow; then again with a baseline learned
 *     from the same capture), best CPU time of --repeat rounds each. Prints
 *     the ratio of each to the core alone, measured in the same run.
 *  2. Memory of a learned baseline for 10,000 assets: 10 masters polling
 *     1,000 devices each (10,000 pairs), ten analog values per device
 *     (100,000 values). Prints the tables' allocated bytes, the resident
 *     memory the process grew by, and the size of the saved text file.
 *
 * usage: bench_engine CAPTURE.pcap [SECTOR] [REPEAT]
 *   e.g. build/tests/bench/gen_mixed /tmp/mixed.pcap 1000000
 *        build/tests/bench/bench_engine /tmp/mixed.pcap electric-power 3 */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "protocols/registry.h"
#include "sectors/baseline.h"
#include "sectors/engine.h"
#include "sensor/pipeline.h"

#define ASSETS 10000u
#define MASTERS 10u
#define VALUES_PER_ASSET 10u
#define DEFAULT_REPEAT 3
#define US_PER_S 1000000ull

struct frame {
    uint64_t time_us;
    uint32_t caplen, wirelen;
    size_t offset;
};

struct capture {
    int linktype;
    uint8_t *bytes;
    size_t used, cap;
    struct frame *frames;
    size_t n, frames_cap;
};

static void *grow(void *p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return p;
    size_t ncap = *cap ? *cap : 1024;
    while (ncap < need)
        ncap *= 2;
    void *np = realloc(p, ncap * elem);
    if (!np) {
        fprintf(stderr, "bench_engine: out of memory\n");
        exit(1);
    }
    *cap = ncap;
    return np;
}

static void load_capture(const char *path, struct capture *c)
{
    char err[PCAP_ERRBUF_SIZE];
    pcap_t *p = pcap_open_offline(path, err);
    if (!p) {
        fprintf(stderr, "bench_engine: %s\n", err);
        exit(1);
    }
    c->linktype = pcap_datalink(p);
    struct pcap_pkthdr *h;
    const u_char *data;
    while (pcap_next_ex(p, &h, &data) == 1) {
        c->frames = grow(c->frames, &c->frames_cap, c->n + 1, sizeof *c->frames);
        c->bytes = grow(c->bytes, &c->cap, c->used + h->caplen, 1);
        memcpy(c->bytes + c->used, data, h->caplen);
        c->frames[c->n++] = (struct frame){ (uint64_t)h->ts.tv_sec * US_PER_S + (uint64_t)h->ts.tv_usec, h->caplen,
                                            h->len, c->used };
        c->used += h->caplen;
    }
    pcap_close(p);
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum mode { CORE_ALONE, WITH_ENGINE, LEARNING };

struct run_ctx {
    enum mode mode;
    struct engine *engine;
    struct baseline *baseline;
    uint64_t events, flows, alerts;
};

static void on_event(void *ctx, const struct mamori_event *ev)
{
    struct run_ctx *r = ctx;
    r->events++;
    if (r->mode == WITH_ENGINE)
        engine_event(r->engine, ev);
    else if (r->mode == LEARNING)
        baseline_learn_event(r->baseline, ev);
}

static void on_flow(void *ctx, const struct flow_record *rec)
{
    struct run_ctx *r = ctx;
    r->flows++;
    if (r->mode == WITH_ENGINE)
        engine_flow(r->engine, rec);
    else if (r->mode == LEARNING)
        baseline_learn_flow(r->baseline, rec);
}

static void on_alert(void *ctx, const struct mamori_alert *a)
{
    (void)a;
    ((struct run_ctx *)ctx)->alerts++;
}

/* One pass of the pipeline over the capture; returns CPU seconds. */
static double run_pipeline(const struct capture *c, const struct mamori_registry *reg, struct run_ctx *r)
{
    struct pipeline_config cfg;
    pipeline_config_defaults(&cfg);
    cfg.want_detail = true;
    struct pipeline_output out = { .on_event = on_event, .on_flow = on_flow, .ctx = r };
    struct pipeline *pl = pipeline_new(&cfg, reg, &out);
    if (!pl) {
        fprintf(stderr, "bench_engine: pipeline_new failed\n");
        exit(1);
    }
    double start = cpu_seconds();
    for (size_t i = 0; i < c->n; i++) {
        const struct frame *f = &c->frames[i];
        pipeline_packet(pl, c->linktype, f->time_us, c->bytes + f->offset, f->caplen, f->wirelen);
    }
    pipeline_finish(pl);
    if (r->engine)
        engine_finish(r->engine);
    double spent = cpu_seconds() - start;
    pipeline_free(pl);
    return spent;
}

static double best_with_engine(const struct capture *c, const struct mamori_registry *reg,
                               const struct mamori_profile *profile, const struct baseline *bl, uint64_t *alerts)
{
    struct run_ctx r = { .mode = WITH_ENGINE };
    struct engine_limits lim;
    engine_limits_defaults(&lim);
    struct engine_output out = { on_alert, &r };
    r.engine = engine_new(profile, bl, "bench", &lim, &out);
    double t = run_pipeline(c, reg, &r);
    engine_free(r.engine);
    *alerts = r.alerts;
    return t;
}

static long rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmRSS: %ld kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib;
}

static void baseline_memory(void)
{
    long before = rss_kib();
    struct baseline_limits lim = {
        .max_assets = ASSETS + MASTERS, .max_pairs = ASSETS, .max_values = ASSETS * VALUES_PER_ASSET,
        .max_publishers = 16, .max_conversations = 16,
    };
    struct baseline *bl = baseline_new(&lim);
    struct mamori_event ev;
    for (uint32_t round = 0; round < 3; round++) {
        for (uint32_t a = 0; a < ASSETS; a++) {
            memset(&ev, 0, sizeof ev);
            ev.time_us = 1700000000ull * US_PER_S + (uint64_t)round * US_PER_S + a;
            ev.where.ip_version = 4;
            ev.where.l4_proto = 6;
            uint8_t master[4] = { 10, 0, 0, (uint8_t)(1 + a % MASTERS) };
            uint8_t device[4] = { 10, 1, (uint8_t)(a >> 8), (uint8_t)a };
            memcpy(ev.where.src_ip, master, 4);
            memcpy(ev.where.dst_ip, device, 4);
            ev.protocol = "modbus";
            ev.kind = MAMORI_EVENT_OPERATION;
            ev.role = MAMORI_ROLE_REQUEST;
            ev.op = MAMORI_OP_READ;
            ev.has_unit = ev.has_function = ev.has_range = true;
            ev.unit = 1;
            ev.function_code = 3;
            ev.range_start = 0;
            ev.range_count = VALUES_PER_ASSET;
            ev.latency_us = -1;
            baseline_learn_event(bl, &ev);
            memcpy(ev.where.src_ip, device, 4);
            memcpy(ev.where.dst_ip, master, 4);
            ev.role = MAMORI_ROLE_RESPONSE;
            for (uint32_t v = 0; v < VALUES_PER_ASSET; v++)
                mamori_event_add_value(&ev, 100.0 * v + round + a % 7);
            baseline_learn_event(bl, &ev);
        }
    }
    long after = rss_kib();
    struct baseline_stats st;
    baseline_get_stats(bl, &st);
    char path[] = "/tmp/mamori-bench-baseline-XXXXXX";
    int fd = mkstemp(path);
    struct stat sb = { 0 };
    if (fd >= 0) {
        close(fd);
        if (baseline_save(bl, path) == 0)
            stat(path, &sb);
        unlink(path);
    }
    printf("baseline for %u assets (%zu assets, %zu pairs, %zu values learned; %llu evicted):\n", ASSETS,
           st.assets, st.pairs, st.values,
           (unsigned long long)(st.evicted_assets + st.evicted_pairs + st.evicted_values));
    printf("  tables allocated   %8.1f MiB (%.0f bytes per asset)\n", st.memory_bytes / 1048576.0,
           (double)st.memory_bytes / ASSETS);
    printf("  resident growth    %8.1f MiB\n", (after - before) / 1024.0);
    printf("  saved text file    %8.1f MiB\n", sb.st_size / 1048576.0);
    baseline_free(bl);
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: %s CAPTURE.pcap [SECTOR] [REPEAT]\n", argv[0]);
        return 2;
    }
    const char *sector = argc > 2 ? argv[2] : "electric-power";
    int repeat = argc > 3 ? atoi(argv[3]) : DEFAULT_REPEAT;
    if (repeat < 1)
        repeat = 1;
    static struct mamori_profile profile;
    if (profile_load(&profile, sector, NULL, stderr) != 0)
        return 1;
    /* First, while the heap is fresh, so that resident growth is the baseline's own. */
    baseline_memory();
    static struct capture cap;
    load_capture(argv[1], &cap);
    struct mamori_registry reg;
    registry_init(&reg);

    struct baseline_limits lim;
    baseline_limits_defaults(&lim);
    struct baseline *bl = baseline_new(&lim);
    struct run_ctx learn = { .mode = LEARNING, .baseline = bl };
    run_pipeline(&cap, &reg, &learn);

    double core = 1e30, engine = 1e30, engine_bl = 1e30;
    uint64_t alerts = 0, alerts_bl = 0, events = 0, flows = 0;
    for (int i = 0; i < repeat; i++) {
        struct run_ctx r = { .mode = CORE_ALONE };
        double t = run_pipeline(&cap, &reg, &r);
        core = t < core ? t : core;
        events = r.events;
        flows = r.flows;
        t = best_with_engine(&cap, &reg, &profile, NULL, &alerts);
        engine = t < engine ? t : engine;
        t = best_with_engine(&cap, &reg, &profile, bl, &alerts_bl);
        engine_bl = t < engine_bl ? t : engine_bl;
    }
    printf("\nengine cost on %s: %zu packets, %llu events, %llu flows, sector %s, best of %d\n", argv[1], cap.n,
           (unsigned long long)events, (unsigned long long)flows, sector, repeat);
    printf("  core alone                 %8.3f s CPU  %8.3f Mpkt/s\n", core, cap.n / core / 1e6);
    printf("  core + engine              %8.3f s CPU  %8.3f Mpkt/s  engine adds %5.1f%% of the core (%llu alerts)\n",
           engine, cap.n / engine / 1e6, 100.0 * (engine - core) / core, (unsigned long long)alerts);
    printf("  core + engine + baseline   %8.3f s CPU  %8.3f Mpkt/s  engine adds %5.1f%% of the core (%llu alerts)\n",
           engine_bl, cap.n / engine_bl / 1e6, 100.0 * (engine_bl - core) / core, (unsigned long long)alerts_bl);
    baseline_free(bl);
    registry_close(&reg);
    free(cap.bytes);
    free(cap.frames);
    return 0;
}
