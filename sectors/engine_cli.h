/* engine_cli.h — the detection engine's part of the `mamori` program.
 *
 * Commands: `mamori profile check FILE...`, `mamori baseline show FILE`,
 * `mamori baseline diff OLD NEW`, `mamori baseline approve BASELINE CHANGES`.
 * Options taken out of the command line before the core parses the rest:
 * --sector NAME, --site FILE, --baseline FILE, --learn[=SECONDS], --sensor NAME.
 * With --sector the engine judges every event and flow from the event bus and
 * writes alerts to the alert log; with --learn it builds the baseline instead
 * (for SECONDS of capture time, then judges with it) and saves it to
 * --baseline at the end. */
#ifndef MAMORI_ENGINE_CLI_H
#define MAMORI_ENGINE_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "sectors/alert.h"
#include "sensor/event_bus.h"

struct engine_run;

/* Runs `mamori profile ...` or `mamori baseline ...` and returns its exit
 * status; returns -1 when argv is not one of these commands. */
int engine_cli_command(int argc, char **argv);

/* Removes the engine's options from argv (updating *argc). Returns NULL with
 * one line in err on a bad option; otherwise the options (never NULL). */
struct engine_run *engine_cli_take_options(int *argc, char **argv, char *err, size_t errlen);

/* The config file's judge.* settings (NULL when absent). */
struct engine_cli_settings {
    const char *sector, *site, *baseline, *sensor;
};

/* Fills what the command line left unset from the config file, then checks
 * the combination. -1 with one line in err when it cannot work. */
int engine_cli_configure(struct engine_run *run, const struct engine_cli_settings *file, char *err, size_t errlen);

/* Loads the profile, site file and baseline and attaches the engine to the
 * bus when asked for. -1 with every problem printed to stderr
 * ("FILE:LINE: what") when a file is bad. */
int engine_cli_attach(struct engine_run *run, struct event_bus *bus);

/* Where alerts go (the alert log and the hub link, shared with the other
 * judges). Call before engine_cli_attach(). */
struct alert_route;
void engine_cli_set_alert_route(struct engine_run *run, struct alert_route *route);

/* This sensor's name in alerts: --sensor or the host name (after engine_cli_attach). */
const char *engine_cli_sensor_name(const struct engine_run *run);
/* The sector profile with its site file laid over it, or NULL without --sector. */
struct mamori_profile;
const struct mamori_profile *engine_cli_profile(const struct engine_run *run);

/* After the capture: saves a learned baseline, prints the engine's counters
 * to stderr, frees everything. Returns 0, or 1 when saving failed. */
int engine_cli_finish(struct engine_run *run);

#endif
