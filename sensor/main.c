/* main.c — the `mamori` program: reads the settings, opens the capture and
 * the output, drops root, runs the workers until the capture ends or a
 * signal arrives, then flushes everything and writes the final statistics.
 *
 * Exit status: 0 on success (a truncated capture file only warns), 1 when a
 * capture, output or plugin cannot be used or reading fails, 2 for a bad
 * command line or config file. The packet path is in pipeline.c and the
 * thread plumbing in workers.c; this file only sequences them. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "protocols/registry.h"
#include "sensor/config.h"
#include "sensor/event_bus.h"
#include "sensor/hub_cli.h"
#include "sensor/output.h"
#include "sensor/privileges.h"
#include "sensor/progress.h"
#include "sensor/source.h"
#include "sensor/stats_record.h"
#include "sensor/workers.h"
#include "firmware/firmware_cli.h"
#include "sectors/alert_route.h"
#include "sectors/engine_cli.h"

#define EXIT_RUNTIME 1
#define EXIT_USAGE 2
#define LIVE_POLL_MS 100
#define LIVE_DRAIN_READS 16
#define LIVE_FLUSH_INTERVAL_S 1.0
#define STATS_LINE_MAX (64 * 1024)
#define US_PER_S 1000000.0

static volatile sig_atomic_t stop_requested;
static struct capture_source *volatile reading_source;

static void on_stop_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
    struct capture_source *src = reading_source;
    if (src)
        source_break(src);
}

static void install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sa.sa_flags = SA_RESETHAND; /* a second signal ends the process at once */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static double monotonic_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t wall_clock_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* Everything one run holds. */
struct run {
    struct mamori_config cfg;
    struct mamori_registry registry;
    struct event_bus bus;
    struct capture_source *sources[CONFIG_MAX_FILES];
    struct stats_source stats_sources[CONFIG_MAX_FILES];
    size_t n_sources;
    size_t n_started; /* sources read from so far (for statistics) */
    struct output *out;
    struct workers *workers;
    struct progress progress;
    struct json_writer stats_json;
    uint64_t last_frame_us;
    double started_s, next_stats_s;
    int status;
};

static void on_frame(void *ctx, int linktype, uint64_t time_us, const uint8_t *data, uint32_t caplen,
                     uint32_t wirelen)
{
    struct run *run = ctx;
    run->last_frame_us = time_us;
    workers_frame(run->workers, linktype, time_us, data, caplen, wirelen);
}

static void write_stats(struct run *run, bool final)
{
    struct pipeline_stats sum;
    workers_stats(run->workers, &sum);
    for (size_t i = 0; i < run->n_started; i++)
        source_counters(run->sources[i], &run->stats_sources[i].counters);
    struct stats_snapshot snap = {
        .final = final,
        .capture_time_us = run->last_frame_us,
        .elapsed_s = monotonic_s() - run->started_s,
        .workers = run->cfg.workers,
        .sources = run->stats_sources,
        .n_sources = run->n_started,
        .pipeline = &sum,
        .oversize_frames = workers_oversize_frames(run->workers),
        .lines_dropped = output_lines_dropped(run->out),
    };
    for (int s = 0; s < OUTPUT__COUNT; s++)
        snap.lines[s] = output_lines_written(run->out, (enum output_stream)s);
    stats_record_json(&run->stats_json, &snap);
    output_writer(run->out, OUTPUT_STATS, &run->stats_json);
    if (final) {
        progress_clear(&run->progress);
        stats_summary(stderr, &snap);
    }
}

/* Periodic statistics by the wall clock. */
static void maybe_write_stats(struct run *run)
{
    if (!run->cfg.stats_interval_us)
        return;
    double now = monotonic_s();
    if (now < run->next_stats_s)
        return;
    run->next_stats_s = now + (double)run->cfg.stats_interval_us / US_PER_S;
    progress_clear(&run->progress);
    write_stats(run, false);
    output_flush(run->out);
}

static void read_file(struct run *run, struct capture_source *src, uint64_t *packets_before)
{
    char err[CONFIG_ERROR_MAX];
    for (;;) {
        enum source_status st = source_read(src, 0, on_frame, run, err, sizeof err);
        struct source_counters c;
        source_counters(src, &c);
        progress_update(&run->progress, source_file_offset(src), *packets_before + c.packets);
        maybe_write_stats(run);
        switch (st) {
        case SOURCE_MORE:
        case SOURCE_IDLE:
            if (stop_requested)
                return;
            continue;
        case SOURCE_TRUNCATED:
            progress_clear(&run->progress);
            fprintf(stderr, "mamori: warning: %s\n", err);
            break;
        case SOURCE_ERROR:
            progress_clear(&run->progress);
            fprintf(stderr, "mamori: %s\n", err);
            run->status = EXIT_RUNTIME;
            break;
        case SOURCE_END:
        case SOURCE_STOPPED:
            break;
        }
        *packets_before += c.packets;
        progress_file_done(&run->progress, source_file_size(src));
        return;
    }
}

static void read_live(struct run *run, struct capture_source *src)
{
    char err[CONFIG_ERROR_MAX];
    double next_flush_s = monotonic_s() + LIVE_FLUSH_INTERVAL_S;
    while (!stop_requested) {
        enum source_status st = source_read(src, LIVE_POLL_MS, on_frame, run, err, sizeof err);
        if (st == SOURCE_ERROR) {
            fprintf(stderr, "mamori: %s\n", err);
            run->status = EXIT_RUNTIME;
            return;
        }
        if (st == SOURCE_IDLE)
            workers_tick(run->workers, wall_clock_us());
        maybe_write_stats(run);
        /* Records of a quiet network reach the log (or the pipe) within a second. */
        if (monotonic_s() >= next_flush_s) {
            output_flush(run->out);
            next_flush_s = monotonic_s() + LIVE_FLUSH_INTERVAL_S;
        }
    }
    /* Stopping: take what the kernel already holds. The first read may only
     * report the break the signal asked for. */
    for (int i = 0; i < LIVE_DRAIN_READS; i++) {
        enum source_status st = source_read(src, 0, on_frame, run, err, sizeof err);
        if (st != SOURCE_MORE && st != SOURCE_STOPPED)
            break;
    }
}

static void read_sources(struct run *run)
{
    uint64_t total_bytes = 0;
    for (size_t i = 0; i < run->n_sources; i++)
        total_bytes += source_file_size(run->sources[i]);
    progress_init(&run->progress, run->cfg.progress && !run->cfg.interface, total_bytes);
    uint64_t packets = 0;
    for (size_t i = 0; i < run->n_sources && !stop_requested; i++) {
        struct capture_source *src = run->sources[i];
        run->n_started = i + 1;
        reading_source = src;
        if (stop_requested) /* a signal that came before reading_source was set */
            break;
        if (source_is_live(src))
            read_live(run, src);
        else
            read_file(run, src, &packets);
        reading_source = NULL;
    }
    reading_source = NULL;
}

static int open_sources(struct run *run, char *err, size_t errlen)
{
    const struct mamori_config *cfg = &run->cfg;
    if (cfg->interface) {
        struct live_options live = {
            .snaplen = cfg->snaplen,
            .buffer_bytes = cfg->buffer_bytes,
            .immediate = cfg->immediate,
            .promiscuous = cfg->promiscuous,
        };
        run->sources[0] = source_open_live(cfg->interface, &live, cfg->filter, err, errlen);
        if (!run->sources[0])
            return -1;
        run->n_sources = 1;
    }
    for (size_t i = 0; i < cfg->n_files; i++) {
        run->sources[i] = source_open_file(cfg->files[i], cfg->filter, err, errlen);
        if (!run->sources[i])
            return -1;
        run->n_sources = i + 1;
    }
    for (size_t i = 0; i < run->n_sources; i++)
        run->stats_sources[i] = (struct stats_source){
            .name = source_name(run->sources[i]),
            .live = source_is_live(run->sources[i]),
            .linktype = source_linktype_name(run->sources[i]),
        };
    return 0;
}

static int load_plugins(struct run *run, char *err, size_t errlen)
{
    for (size_t i = 0; i < run->cfg.n_plugins; i++)
        if (registry_load_plugin(&run->registry, run->cfg.plugins[i], err, errlen) != 0)
            return -1;
    return 0;
}

static void list_decoders(const struct mamori_registry *reg)
{
    for (size_t i = 0; i < reg->count; i++)
        printf("%-12s %s\n", reg->decoders[i]->name, reg->decoders[i]->description);
}

/* Starts the workers with SIGINT/SIGTERM blocked, so that only the reader
 * thread takes them and interrupts its own read. */
static struct workers *start_workers(struct run *run, char *err, size_t errlen)
{
    struct workers_config wc = {
        .count = run->cfg.workers,
        .ring_bytes = (size_t)run->cfg.ring_bytes,
        .pipeline = &run->cfg.pipeline,
        .registry = &run->registry,
        .out = run->out,
        .log_events = run->cfg.log_events,
        .bus = &run->bus,
    };
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);
    struct workers *ws = workers_new(&wc, err, errlen);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return ws;
}

static int run_sensor(struct run *run)
{
    char err[CONFIG_ERROR_MAX];
    if (open_sources(run, err, sizeof err) != 0)
        goto fail;
    run->out = output_open(run->cfg.log_dir, err, sizeof err);
    if (!run->out)
        goto fail;
    if (run->cfg.user && privileges_drop(run->cfg.user, err, sizeof err) != 0)
        goto fail;
    if (json_writer_init(&run->stats_json, STATS_LINE_MAX) != 0) {
        snprintf(err, sizeof err, "out of memory");
        goto fail;
    }
    install_signal_handlers();
    run->workers = start_workers(run, err, sizeof err);
    if (!run->workers)
        goto fail;
    run->started_s = monotonic_s();
    run->next_stats_s = run->started_s + (double)run->cfg.stats_interval_us / US_PER_S;

    read_sources(run);

    workers_finish(run->workers);
    write_stats(run, true);
    if (output_close(run->out, err, sizeof err) != 0) {
        run->out = NULL;
        goto fail;
    }
    run->out = NULL;
    return run->status;

fail:
    fprintf(stderr, "mamori: %s\n", err);
    return EXIT_RUNTIME;
}

static void free_run(struct run *run)
{
    workers_free(run->workers);
    if (run->out) {
        char err[CONFIG_ERROR_MAX];
        output_close(run->out, err, sizeof err);
    }
    for (size_t i = 0; i < run->n_sources; i++)
        source_close(run->sources[i]);
    json_writer_free(&run->stats_json);
    registry_close(&run->registry);
    config_free(&run->cfg);
}

/* Attaches the firmware inventory with the sector engine's identity of the alerts. */
static int attach_firmware(struct firmware_run *firmware_run, const struct engine_run *engine_run,
                           struct event_bus *bus, struct alert_route *alerts)
{
    struct firmware_alert_origin origin = { engine_cli_sensor_name(engine_run), engine_cli_profile(engine_run) };
    char err[CONFIG_ERROR_MAX];
    if (firmware_cli_attach(firmware_run, bus, alerts, &origin, err, sizeof err) != 0) {
        fprintf(stderr, "mamori: %s\n", err);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    static struct run run;
    char err[CONFIG_ERROR_MAX];
    int command_status = engine_cli_command(argc, argv); /* mamori profile|baseline ... */
    if (command_status < 0)
        command_status = firmware_cli_command(argc, argv); /* mamori inventory ... */
    if (command_status >= 0)
        return command_status;
    struct engine_run *engine_run = engine_cli_take_options(&argc, argv, err, sizeof err);
    struct firmware_run *firmware_run = engine_run ? firmware_cli_take_options(&argc, argv, err, sizeof err) : NULL;
    if (!engine_run || !firmware_run) {
        fprintf(stderr, "mamori: %s\n", err);
        return EXIT_USAGE;
    }
    enum config_action action = config_parse_args(&run.cfg, argc, argv, err, sizeof err);
    int status = 0;
    switch (action) {
    case CONFIG_ERROR:
        fprintf(stderr, "mamori: %s\n", err);
        config_free(&run.cfg);
        return EXIT_USAGE;
    case CONFIG_HELP:
        config_usage(stdout);
        config_free(&run.cfg);
        return 0;
    case CONFIG_VERSION:
        printf("mamori %s (decoder ABI %d)\n", MAMORI_VERSION, MAMORI_DECODER_ABI);
        config_free(&run.cfg);
        return 0;
    case CONFIG_LIST_SETTINGS:
        config_list_settings(stdout);
        config_free(&run.cfg);
        return 0;
    case CONFIG_LIST_DECODERS:
    case CONFIG_RUN:
        break;
    }
    const struct engine_cli_settings judge = { run.cfg.judge_sector, run.cfg.judge_site, run.cfg.judge_baseline,
                                               run.cfg.judge_sensor };
    const struct firmware_cli_settings inventory = { run.cfg.inventory_database, run.cfg.inventory_advisories,
                                                     run.cfg.inventory_alert_new_devices };
    firmware_cli_configure(firmware_run, &inventory);
    if (engine_cli_configure(engine_run, &judge, err, sizeof err) != 0) {
        fprintf(stderr, "mamori: %s\n", err);
        config_free(&run.cfg);
        return EXIT_USAGE;
    }
    registry_init(&run.registry);
    if (!run.cfg.builtin_decoders)
        run.registry.count = 0; /* plugins loaded below still run */
    if (load_plugins(&run, err, sizeof err) != 0) {
        fprintf(stderr, "mamori: %s\n", err);
        status = EXIT_RUNTIME;
    } else if (action == CONFIG_LIST_DECODERS) {
        list_decoders(&run.registry);
    } else {
        /* The judges: the sector engine and the firmware inventory share one alert route. */
        struct hub_link *hub = hub_cli_start(&run.cfg, err, sizeof err);
        struct alert_route *alerts = alert_route_new();
        if (alerts) {
            alert_route_set_sink(alerts, hub_cli_alert, hub);
            engine_cli_set_alert_route(engine_run, alerts);
        }
        if (err[0] || !alerts) {
            fprintf(stderr, "mamori: %s\n", alerts ? err : "out of memory");
            status = EXIT_RUNTIME;
        } else if (engine_cli_attach(engine_run, &run.bus) != 0 || hub_cli_attach(hub, &run.bus) != 0 ||
                   attach_firmware(firmware_run, engine_run, &run.bus, alerts) != 0)
            status = EXIT_USAGE;
        else
            status = run_sensor(&run);
        firmware_cli_finish(firmware_run);
        int engine_status = engine_cli_finish(engine_run);
        if (status == 0)
            status = engine_status;
        hub_cli_stop(hub, &run.cfg);
        alert_route_free(alerts);
    }
    free_run(&run);
    return status;
}
