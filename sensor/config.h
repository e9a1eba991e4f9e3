/* config.h — the `mamori` program's settings: defaults, the YAML config file
 * (`-c FILE`) and the command line, which overrides the file.
 *
 * Every setting has one dotted name ("flows.max_flows") used both as its place
 * in the YAML file (section, then key) and with `-o NAME=VALUE` on the command
 * line, so both go through the same parser and the same checks. Errors come
 * back as one line: "FILE:LINE: NAME: what was expected" for the file,
 * "--option: what was expected" for the command line. This module parses and
 * validates only; it opens no capture and touches no file but the config. */
#ifndef MAMORI_CONFIG_H
#define MAMORI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "pipeline.h"

#define CONFIG_MAX_FILES 256
#define CONFIG_MAX_PLUGINS 16
#define CONFIG_MAX_WORKERS 64
#define CONFIG_ERROR_MAX 512

struct mamori_config {
    struct pipeline_config pipeline;

    /* capture */
    const char *files[CONFIG_MAX_FILES]; /* -r, in order (owned) */
    size_t n_files;
    char *interface;   /* -i */
    char *filter;      /* BPF, from the arguments after the options */
    uint32_t snaplen;
    uint64_t buffer_bytes; /* kernel capture buffer */
    bool immediate;
    bool promiscuous;

    /* program */
    unsigned workers;
    uint64_t ring_bytes;        /* per-worker packet ring */
    char *log_dir;              /* NULL: everything to stdout */
    uint64_t stats_interval_us; /* 0: final statistics only */
    char *user;                 /* -u: drop root to this user */
    char *plugins[CONFIG_MAX_PLUGINS];
    size_t n_plugins;
    bool progress; /* a progress bar when reading files and stderr is a terminal */
    bool log_events; /* write every event to the event log; judges get them either way */
    bool builtin_decoders; /* false: flows and nDPI only, plus any plugins */

    /* sector hub link (sensor/hub_cli.h) */
    char *hub_endpoint;       /* --hub tcp://HOST:PORT */
    char *hub_key;            /* --key: this sensor's CURVE secret key file */
    char *hub_server_key;     /* --hub-key: the hub's CURVE public key file */
    char *hub_spool;          /* spool file (default mamori-hub-spool.db) */
    uint64_t hub_spool_bytes;
    char *hub_indicators_dir; /* where indicator sets from the hub are written */

    /* the judges (sectors/engine_cli.h, firmware/firmware_cli.h); their
     * command-line options win over these */
    char *judge_sector, *judge_site, *judge_baseline, *judge_sensor;
    char *inventory_database, *inventory_advisories;
    bool inventory_alert_new_devices;
};

/* What the command line asked for. */
enum config_action {
    CONFIG_RUN,
    CONFIG_HELP,
    CONFIG_VERSION,
    CONFIG_LIST_DECODERS,
    CONFIG_LIST_SETTINGS,
    CONFIG_ERROR, /* err holds one line */
};

void config_defaults(struct mamori_config *cfg);
void config_free(struct mamori_config *cfg);

/* Reads a YAML config file into cfg. Returns 0, or -1 with
 * "PATH:LINE: what" in err. */
int config_load_file(struct mamori_config *cfg, const char *path, char *err, size_t errlen);
/* The same for an open stream; `name` stands for the file in messages. */
int config_load_stream(struct mamori_config *cfg, FILE *f, const char *name, char *err, size_t errlen);

/* Sets one setting by dotted name from text. Returns 0, or -1 with
 * "NAME: what was expected" in err. */
int config_set(struct mamori_config *cfg, const char *name, const char *value, char *err, size_t errlen);

/* Parses the command line: defaults, then the config file named by -c, then
 * every other option over it. Operands after the options form the BPF filter. */
enum config_action config_parse_args(struct mamori_config *cfg, int argc, char **argv, char *err,
                                     size_t errlen);

/* Writes the usage text (--help). */
void config_usage(FILE *out);

/* Writes the names of every setting, one per line: "NAME  TYPE  what". */
void config_list_settings(FILE *out);

#endif
