/* engine_cli.c — the engine in the `mamori` program (engine_cli.h): its
 * commands, its options, and the event-bus adapter that feeds one shared
 * engine (or learning baseline) from every worker under one lock, so that
 * recon spread over flows handled by different workers is still seen as one. */
#include "engine_cli.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alert_route.h"
#include "baseline.h"
#include "engine.h"
#include "profile.h"
#include "sensor/config.h"

#define EXIT_BAD_FILE 1
#define EXIT_USAGE 2
#define HOSTNAME_MAX 64
#define US_PER_S 1000000ull
#define MAX_LEARN_S (365ull * 86400)

/* One worker's view: its run and the capture time its ticks have reached. */
struct engine_worker {
    struct engine_run *run;
    uint64_t now_us;
    bool open;
};

struct engine_run {
    const char *sector, *site, *baseline_path, *sensor;
    bool learn;
    uint64_t learn_us; /* 0: learn from the whole input */

    struct mamori_profile profile;
    struct baseline *baseline;
    struct engine *engine;
    pthread_mutex_t lock;
    unsigned open_workers;
    uint64_t learn_start_us;
    bool learning;
    struct alert_route *route; /* the alert log and the hub link */
    struct event_engine bus_entry;
    struct engine_worker workers[CONFIG_MAX_WORKERS];
    char sensor_name[HOSTNAME_MAX];
    int status;
};

/* ---- commands ---- */

static int profile_check_command(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: mamori profile check FILE...\n");
        return EXIT_USAGE;
    }
    int bad = 0;
    for (int i = 3; i < argc; i++) {
        if (profile_check_file(argv[i], stderr) == 0)
            printf("%s: ok\n", argv[i]);
        else
            bad = 1;
    }
    return bad ? EXIT_BAD_FILE : 0;
}

static struct baseline *load_or_complain(const char *path)
{
    struct baseline_limits lim;
    baseline_limits_defaults(&lim);
    return baseline_load(path, &lim, stderr);
}

static int baseline_command(int argc, char **argv)
{
    const char *verb = argc > 2 ? argv[2] : "";
    if (strcmp(verb, "show") == 0 && argc == 4) {
        struct baseline *bl = load_or_complain(argv[3]);
        if (!bl)
            return EXIT_BAD_FILE;
        int rc = baseline_write(bl, stdout) == 0 ? 0 : EXIT_BAD_FILE;
        baseline_free(bl);
        return rc;
    }
    if ((strcmp(verb, "diff") == 0 || strcmp(verb, "approve") == 0) && argc == 5) {
        struct baseline *a = load_or_complain(argv[3]);
        struct baseline *b = a ? load_or_complain(argv[4]) : NULL;
        int rc = EXIT_BAD_FILE;
        if (a && b) {
            size_t differ = baseline_diff(a, b, stdout);
            if (strcmp(verb, "diff") == 0) {
                rc = differ ? 1 : 0;
            } else {
                baseline_merge(a, b);
                rc = 0;
                if (baseline_save(a, argv[3]) != 0) {
                    fprintf(stderr, "mamori: cannot write %s: %s\n", argv[3], strerror(errno));
                    rc = EXIT_BAD_FILE;
                } else {
                    fprintf(stderr, "mamori: approved %zu changed facts into %s\n", differ, argv[3]);
                }
            }
        }
        baseline_free(a);
        baseline_free(b);
        return rc;
    }
    fprintf(stderr, "usage: mamori baseline show FILE | diff OLD NEW | approve BASELINE CHANGES\n");
    return EXIT_USAGE;
}

int engine_cli_command(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "profile") == 0) {
        if (argc >= 3 && strcmp(argv[2], "check") == 0)
            return profile_check_command(argc, argv);
        fprintf(stderr, "usage: mamori profile check FILE...\n");
        return EXIT_USAGE;
    }
    if (argc >= 2 && strcmp(argv[1], "baseline") == 0)
        return baseline_command(argc, argv);
    return -1;
}

/* ---- options ---- */

/* Matches "--name VALUE" or "--name=VALUE"; consumes what it used. */
static bool take_value(int *i, int argc, char **argv, const char *name, const char **value, char *err,
                       size_t errlen)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0)
        return false;
    if (argv[*i][n] == '=') {
        *value = argv[*i] + n + 1;
    } else if (argv[*i][n] == '\0') {
        if (*i + 1 >= argc) {
            snprintf(err, errlen, "%s: needs a value", name);
            *value = NULL;
            return true;
        }
        *value = argv[++*i];
    } else {
        return false;
    }
    if (!**value) {
        snprintf(err, errlen, "%s: needs a value", name);
        *value = NULL;
    }
    return true;
}

static int parse_learn(struct engine_run *run, const char *arg, char *err, size_t errlen)
{
    run->learn = true;
    if (strcmp(arg, "--learn") == 0)
        return 0;
    const char *v = arg + strlen("--learn=");
    char *end;
    errno = 0;
    unsigned long long seconds = strtoull(v, &end, 10);
    if (*v < '0' || *v > '9' || *end || errno || seconds == 0 || seconds > MAX_LEARN_S) {
        snprintf(err, errlen, "--learn: expected a number of seconds from 1 to 31536000, got '%s'", v);
        return -1;
    }
    run->learn_us = seconds * US_PER_S;
    return 0;
}

struct engine_run *engine_cli_take_options(int *argc, char **argv, char *err, size_t errlen)
{
    static struct engine_run run;
    memset(&run, 0, sizeof run);
    pthread_mutex_init(&run.lock, NULL);
    err[0] = '\0';
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        const char *v = NULL;
        if (strcmp(argv[i], "--") == 0) { /* the rest is the BPF filter */
            while (i < *argc)
                argv[out++] = argv[i++];
            break;
        }
        if (take_value(&i, *argc, argv, "--sector", &v, err, errlen))
            run.sector = v;
        else if (take_value(&i, *argc, argv, "--site", &v, err, errlen))
            run.site = v;
        else if (take_value(&i, *argc, argv, "--baseline", &v, err, errlen))
            run.baseline_path = v;
        else if (take_value(&i, *argc, argv, "--sensor", &v, err, errlen))
            run.sensor = v;
        else if (strcmp(argv[i], "--learn") == 0 || strncmp(argv[i], "--learn=", 8) == 0) {
            if (parse_learn(&run, argv[i], err, errlen) != 0)
                return NULL;
            continue;
        } else {
            argv[out++] = argv[i];
            continue;
        }
        if (!v)
            return NULL;
    }
    argv[out] = NULL;
    *argc = out;
    return &run;
}

int engine_cli_configure(struct engine_run *run, const struct engine_cli_settings *file, char *err, size_t errlen)
{
    if (!run->sector)
        run->sector = file->sector;
    if (!run->site)
        run->site = file->site;
    if (!run->baseline_path)
        run->baseline_path = file->baseline;
    if (!run->sensor)
        run->sensor = file->sensor;
    if (run->learn && !run->baseline_path) {
        snprintf(err, errlen, "--learn: needs --baseline FILE (or judge.baseline) to save what it learns");
        return -1;
    }
    if (run->site && !run->sector) {
        snprintf(err, errlen,
                 "--site (judge.site): needs --sector NAME (or judge.sector); the site file overlays a sector profile");
        return -1;
    }
    if (run->baseline_path && !run->learn && !run->sector) {
        snprintf(err, errlen, "--baseline (judge.baseline): needs --sector NAME (or judge.sector) to detect with it, "
                              "or --learn to build it");
        return -1;
    }
    if (run->learn_us && !run->sector) {
        snprintf(err, errlen, "--learn=SECONDS: needs --sector NAME (or judge.sector) to detect once learning ends");
        return -1;
    }
    return 0;
}

/* ---- the bus adapter ---- */

static void write_alert(void *ctx, const struct mamori_alert *a)
{
    struct engine_run *run = ctx;
    alert_route_emit(run->route, a);
}

void engine_cli_set_alert_route(struct engine_run *run, struct alert_route *route) { run->route = route; }

static int start_engine(struct engine_run *run)
{
    struct engine_limits lim;
    engine_limits_defaults(&lim);
    struct engine_output out = { write_alert, run };
    run->engine = engine_new(&run->profile, run->baseline, run->sensor_name, &lim, &out);
    return run->engine ? 0 : -1;
}

static void save_baseline(struct engine_run *run)
{
    if (baseline_save(run->baseline, run->baseline_path) != 0) {
        fprintf(stderr, "mamori: cannot write baseline %s: %s\n", run->baseline_path, strerror(errno));
        run->status = EXIT_BAD_FILE;
    }
}

/* Ends a timed learning period: saves and starts judging with the baseline. */
static void learning_done(struct engine_run *run)
{
    run->learning = false;
    save_baseline(run);
    if (start_engine(run) != 0) {
        fprintf(stderr, "mamori: out of memory for the detection engine\n");
        run->status = EXIT_BAD_FILE;
    }
}

static void *bus_open(void *ctx, unsigned worker, struct output *out)
{
    struct engine_run *run = ctx;
    if (worker >= CONFIG_MAX_WORKERS)
        return NULL;
    struct engine_worker *w = &run->workers[worker];
    pthread_mutex_lock(&run->lock);
    alert_route_set_output(run->route, out);
    run->open_workers++;
    *w = (struct engine_worker){ .run = run, .open = true };
    pthread_mutex_unlock(&run->lock);
    return w;
}

static void bus_event(void *state, const struct mamori_event *ev)
{
    struct engine_run *run = ((struct engine_worker *)state)->run;
    pthread_mutex_lock(&run->lock);
    if (run->learning) {
        if (!run->learn_start_us)
            run->learn_start_us = ev->time_us;
        if (run->learn_us && ev->time_us >= run->learn_start_us + run->learn_us)
            learning_done(run);
        else
            baseline_learn_event(run->baseline, ev);
    }
    if (!run->learning && run->engine)
        engine_event(run->engine, ev);
    pthread_mutex_unlock(&run->lock);
}

/* The time every open worker has reached: a worker's tick must not close a
 * window another worker still has events for. */
static uint64_t workers_reached_us(const struct engine_run *run)
{
    uint64_t reached = UINT64_MAX;
    for (size_t i = 0; i < CONFIG_MAX_WORKERS; i++)
        if (run->workers[i].open && run->workers[i].now_us < reached)
            reached = run->workers[i].now_us;
    return reached;
}

/* Without events, learning still ends on time and the engine's windows close. */
static void bus_tick(void *state, uint64_t now_us)
{
    struct engine_worker *w = state;
    struct engine_run *run = w->run;
    pthread_mutex_lock(&run->lock);
    w->now_us = now_us;
    uint64_t reached = workers_reached_us(run);
    if (run->learning && run->learn_us && run->learn_start_us && reached >= run->learn_start_us + run->learn_us)
        learning_done(run);
    if (!run->learning && run->engine)
        engine_tick(run->engine, reached);
    pthread_mutex_unlock(&run->lock);
}

static void bus_flow(void *state, const struct flow_record *rec)
{
    struct engine_run *run = ((struct engine_worker *)state)->run;
    pthread_mutex_lock(&run->lock);
    if (run->learning)
        baseline_learn_flow(run->baseline, rec);
    else if (run->engine)
        engine_flow(run->engine, rec);
    pthread_mutex_unlock(&run->lock);
}

static void bus_close(void *state)
{
    struct engine_worker *w = state;
    struct engine_run *run = w->run;
    pthread_mutex_lock(&run->lock);
    w->open = false;
    if (--run->open_workers == 0 && run->engine)
        engine_finish(run->engine);
    pthread_mutex_unlock(&run->lock);
}

int engine_cli_attach(struct engine_run *run, struct event_bus *bus)
{
    if (run->sensor)
        snprintf(run->sensor_name, sizeof run->sensor_name, "%s", run->sensor);
    else if (gethostname(run->sensor_name, sizeof run->sensor_name) != 0)
        snprintf(run->sensor_name, sizeof run->sensor_name, "mamori");
    run->sensor_name[sizeof run->sensor_name - 1] = '\0';
    if (!run->sector && !run->learn)
        return 0;
    if (run->sector && profile_load(&run->profile, run->sector, run->site, stderr) != 0)
        return -1;
    struct baseline_limits lim;
    baseline_limits_defaults(&lim);
    if (run->baseline_path && (!run->learn || access(run->baseline_path, F_OK) == 0)) {
        /* Detection needs the file; learning extends it when it exists. */
        run->baseline = baseline_load(run->baseline_path, &lim, stderr);
        if (!run->baseline)
            return -1;
    } else if (run->learn) {
        run->baseline = baseline_new(&lim);
    }
    if (run->learn && !run->baseline) {
        fprintf(stderr, "mamori: out of memory for the baseline\n");
        return -1;
    }
    if (!run->learn && start_engine(run) != 0) {
        fprintf(stderr, "mamori: out of memory for the detection engine\n");
        return -1;
    }
    run->learning = run->learn;
    run->bus_entry = (struct event_engine){
        .name = "sectors",
        .ctx = run,
        .worker_open = bus_open,
        .on_event = bus_event,
        .on_flow = bus_flow,
        .on_tick = bus_tick,
        .worker_close = bus_close,
    };
    return event_bus_attach(bus, &run->bus_entry);
}

const char *engine_cli_sensor_name(const struct engine_run *run) { return run->sensor_name; }

const struct mamori_profile *engine_cli_profile(const struct engine_run *run)
{
    return run->sector ? &run->profile : NULL;
}

int engine_cli_finish(struct engine_run *run)
{
    if (!run)
        return 0;
    if (!run->sector && !run->learn) {
        pthread_mutex_destroy(&run->lock);
        return 0;
    }
    if (run->learning && run->baseline)
        save_baseline(run);
    if (run->baseline) {
        struct baseline_stats st;
        baseline_get_stats(run->baseline, &st);
        if (run->learn)
            fprintf(stderr,
                    "mamori: baseline %s: %zu assets, %zu pairs, %zu values, %zu publishers from %llu events "
                    "(evicted: %llu pairs, %llu values)\n",
                    run->baseline_path, st.assets, st.pairs, st.values, st.publishers,
                    (unsigned long long)st.events_learned, (unsigned long long)st.evicted_pairs,
                    (unsigned long long)st.evicted_values);
    }
    if (run->engine) {
        const struct engine_stats *s = engine_get_stats(run->engine);
        fprintf(stderr,
                "mamori: engine (%s%s%s): %llu events, %llu flows, %llu alerts, %llu suppressed, evicted %llu "
                "windows\n",
                run->profile.sector, run->profile.site[0] ? ", site " : "", run->profile.site,
                (unsigned long long)s->events, (unsigned long long)s->flows, (unsigned long long)s->alerts,
                (unsigned long long)s->suppressed, (unsigned long long)s->evicted_aggregates);
    }
    engine_free(run->engine);
    baseline_free(run->baseline);
    pthread_mutex_destroy(&run->lock);
    return run->status;
}
