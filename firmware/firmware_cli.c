/* firmware_cli.c — `mamori inventory` and the firmware options of `mamori`. */
#include "firmware_cli.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../sectors/profile.h"
#include "firmware_engine.h"
#include "inventory_cli.h"

struct firmware_run {
    const char *inventory_path, *advisories_dir;
    const char *untrusted[FIRMWARE_MAX_UNTRUSTED];
    size_t n_untrusted;
    bool alert_new_devices;
    struct firmware_engine *engine;
    struct alert_route *route;
    struct event_engine bus_entry;
};

int firmware_cli_command(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "inventory") != 0)
        return -1;
    return inventory_cli(argc - 1, argv + 1, stdout, stderr);
}

/* "--name VALUE" or "--name=VALUE"; returns the value, or NULL (err set) when missing. */
static bool option_value(int *i, int argc, char **argv, const char *name, const char **value, char *err,
                         size_t errlen)
{
    size_t n = strlen(name);
    if (strncmp(argv[*i], name, n) != 0 || (argv[*i][n] != '=' && argv[*i][n] != '\0'))
        return false;
    *value = argv[*i][n] == '=' ? argv[*i] + n + 1 : *i + 1 < argc ? argv[++*i] : NULL;
    if (!*value || !**value) {
        snprintf(err, errlen, "%s: needs a value", name);
        *value = NULL;
    }
    return true;
}

struct firmware_run *firmware_cli_take_options(int *argc, char **argv, char *err, size_t errlen)
{
    static struct firmware_run run;
    memset(&run, 0, sizeof run);
    err[0] = '\0';
    int out = 1;
    for (int i = 1; i < *argc; i++) {
        const char *v = NULL;
        if (strcmp(argv[i], "--") == 0) { /* the rest is the BPF filter */
            while (i < *argc)
                argv[out++] = argv[i++];
            break;
        }
        if (option_value(&i, *argc, argv, "--inventory", &v, err, errlen)) {
            run.inventory_path = v;
        } else if (option_value(&i, *argc, argv, "--advisories", &v, err, errlen)) {
            run.advisories_dir = v;
        } else if (option_value(&i, *argc, argv, "--untrusted-vendor", &v, err, errlen)) {
            if (v && run.n_untrusted == FIRMWARE_MAX_UNTRUSTED) {
                snprintf(err, errlen, "--untrusted-vendor: at most %d vendors", FIRMWARE_MAX_UNTRUSTED);
                return NULL;
            }
            if (v)
                run.untrusted[run.n_untrusted++] = v;
        } else if (strcmp(argv[i], "--alert-new-devices") == 0) {
            run.alert_new_devices = true;
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

void firmware_cli_configure(struct firmware_run *run, const struct firmware_cli_settings *file)
{
    if (!run->inventory_path)
        run->inventory_path = file->inventory;
    if (!run->advisories_dir)
        run->advisories_dir = file->advisories;
    run->alert_new_devices = run->alert_new_devices || file->alert_new_devices;
}

static void raise_alert(void *ctx, const struct mamori_alert *alert)
{
    struct firmware_run *run = ctx;
    alert_route_emit(run->route, alert);
}

static void *bus_open(void *ctx, unsigned worker, struct output *out)
{
    (void)worker;
    struct firmware_run *run = ctx;
    alert_route_set_output(run->route, out);
    return run;
}

static void bus_event(void *state, const struct mamori_event *ev)
{
    struct firmware_run *run = state;
    firmware_engine_observe(run->engine, ev);
}

static void bus_tick(void *state, uint64_t now_us)
{
    struct firmware_run *run = state;
    firmware_engine_tick(run->engine, now_us);
}

static void bus_close(void *state) { (void)state; }

int firmware_cli_attach(struct firmware_run *run, struct event_bus *bus, struct alert_route *route,
                        const struct firmware_alert_origin *origin, char *err, size_t errlen)
{
    const struct mamori_profile *profile = origin->profile;
    size_t profile_vendors = profile ? profile->n_untrusted_vendors : 0;
    if (!run->inventory_path && !run->advisories_dir && !run->n_untrusted && !profile_vendors)
        return 0;
    struct firmware_engine_config cfg = {
        .inventory_path = run->inventory_path,
        .advisories_dir = run->advisories_dir,
        .alert_new_devices = run->alert_new_devices,
        .sensor = origin->sensor,
        .site = profile ? profile->site : "",
        .sector = profile ? profile->sector : "",
        .severity = profile ? profile->severity : NULL,
        .raise = raise_alert,
        .raise_ctx = run,
    };
    for (size_t i = 0; i < run->n_untrusted; i++)
        cfg.untrusted_vendors[cfg.n_untrusted_vendors++] = run->untrusted[i];
    for (size_t i = 0; i < profile_vendors && cfg.n_untrusted_vendors < FIRMWARE_MAX_UNTRUSTED; i++)
        cfg.untrusted_vendors[cfg.n_untrusted_vendors++] = profile->untrusted_vendors[i];
    run->route = route;
    run->engine = firmware_engine_open(&cfg, stderr, err, errlen);
    if (!run->engine)
        return -1;
    run->bus_entry = (struct event_engine){
        .name = "inventory", .ctx = run, .worker_open = bus_open, .on_event = bus_event, .on_tick = bus_tick,
        .worker_close = bus_close,
    };
    if (event_bus_attach(bus, &run->bus_entry) != 0) {
        snprintf(err, errlen, "inventory: too many engines on the event bus");
        return -1;
    }
    return 0;
}

void firmware_cli_finish(struct firmware_run *run)
{
    if (!run || !run->engine)
        return;
    const struct inv_stats *st = firmware_engine_stats(run->engine);
    fprintf(stderr, "mamori: inventory: %" PRIu64 " devices (%" PRIu64 " refused, table full), %" PRIu64
                    " identity facts, %" PRIu64 " changes\n",
            st->devices, st->devices_refused, st->identity_facts, st->changes);
    firmware_engine_close(run->engine);
    run->engine = NULL;
}
