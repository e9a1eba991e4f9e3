/* config_cli.c — the command line: defaults, then `-c FILE`, then every other
 * option over it, then the BPF filter from the remaining arguments.
 *
 * Options that name a setting go through config_set(), so a bad value reads
 * the same as in the config file ("--workers: expected ..."). This file only
 * fills struct mamori_config; main.c acts on it. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

enum long_only_option {
    OPT_DECODER = 256,
    OPT_STATS_INTERVAL,
    OPT_IMMEDIATE,
    OPT_NO_IMMEDIATE,
    OPT_NO_PROGRESS,
    OPT_NO_EVENT_LOG,
    OPT_LIST_DECODERS,
    OPT_LIST_SETTINGS,
    OPT_MAX_FLOWS,
    OPT_NO_DETAIL,
    OPT_NO_NDPI,
    OPT_NO_DECODERS,
    OPT_HUB,
    OPT_HUB_KEY,
    OPT_HUB_SERVER_KEY,
};

static const char short_options[] = ":r:i:c:w:l:u:s:B:po:hV";

static const struct option long_options[] = {
    {"read", required_argument, NULL, 'r'},
    {"interface", required_argument, NULL, 'i'},
    {"config", required_argument, NULL, 'c'},
    {"workers", required_argument, NULL, 'w'},
    {"log-dir", required_argument, NULL, 'l'},
    {"user", required_argument, NULL, 'u'},
    {"snaplen", required_argument, NULL, 's'},
    {"buffer-size", required_argument, NULL, 'B'},
    {"no-promiscuous", no_argument, NULL, 'p'},
    {"set", required_argument, NULL, 'o'},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'V'},
    {"decoder", required_argument, NULL, OPT_DECODER},
    {"stats-interval", required_argument, NULL, OPT_STATS_INTERVAL},
    {"immediate", no_argument, NULL, OPT_IMMEDIATE},
    {"no-immediate", no_argument, NULL, OPT_NO_IMMEDIATE},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"no-event-log", no_argument, NULL, OPT_NO_EVENT_LOG},
    {"list-decoders", no_argument, NULL, OPT_LIST_DECODERS},
    {"list-settings", no_argument, NULL, OPT_LIST_SETTINGS},
    {"max-flows", required_argument, NULL, OPT_MAX_FLOWS},
    {"no-detail", no_argument, NULL, OPT_NO_DETAIL},
    {"no-ndpi", no_argument, NULL, OPT_NO_NDPI},
    {"no-decoders", no_argument, NULL, OPT_NO_DECODERS},
    {"hub", required_argument, NULL, OPT_HUB},
    {"key", required_argument, NULL, OPT_HUB_KEY},
    {"hub-key", required_argument, NULL, OPT_HUB_SERVER_KEY},
    {NULL, 0, NULL, 0},
};

void config_usage(FILE *out)
{
    fputs("usage: mamori [options] -r FILE [-r FILE ...] [BPF filter]\n"
          "       mamori [options] -i INTERFACE [BPF filter]\n"
          "Passive ICS network sensor: decodes industrial protocols, writes JSON lines.\n"
          "\n"
          "  -r, --read FILE          read a pcap or pcapng file (repeat for several, in order)\n"
          "  -i, --interface IFACE    capture live from IFACE (never transmits)\n"
          "  -c, --config FILE        YAML config file; options given here override it\n"
          "  -l, --log-dir DIR        write flow.json, event.json, alert.json, stats.json in DIR\n"
          "                           (default: every record on stdout)\n"
          "  -w, --workers N          packet-path threads (default 1)\n"
          "  -u, --user USER          drop root to USER once the capture is open\n"
          "  -s, --snaplen BYTES      bytes captured per frame on a live interface\n"
          "  -B, --buffer-size SIZE   kernel capture buffer (e.g. 64M)\n"
          "  -p, --no-promiscuous     do not put the interface into promiscuous mode\n"
          "      --immediate          deliver frames at once (--no-immediate: batch them)\n"
          "      --stats-interval DUR periodic statistics (e.g. 10s); final statistics always\n"
          "      --max-flows N        flows tracked per worker\n"
          "      --no-detail          leave the protocol detail out of events\n"
          "      --no-event-log       write no event records (alerts, flows and the inventory still\n"
          "                           see every event)\n"
          "      --no-ndpi            do not classify flows with nDPI\n"
          "      --no-decoders        run no built-in decoder (flows and nDPI only)\n"
          "      --decoder PATH.so    load a vendor decoder plugin (repeatable)\n"
          "      --no-progress        no progress bar on the terminal\n"
          "      --hub ENDPOINT       publish alerts to a sector hub (tcp://HOST:PORT)\n"
          "      --key FILE           this sensor's CURVE secret key (mamori-hub keygen)\n"
          "      --hub-key FILE       the hub's CURVE public key\n"
          "\n"
          "Judging (sector engine and asset inventory):\n"
          "      --sector NAME        judge against a sector profile (electric-power, railways, ...)\n"
          "      --site FILE          the site file laid over the sector profile\n"
          "      --baseline FILE      the learned normal to judge against (or to build with --learn)\n"
          "      --learn[=SECONDS]    learn the baseline (for SECONDS of capture time, then judge)\n"
          "      --sensor NAME        this sensor's name in alerts (default: the host name)\n"
          "      --inventory FILE     keep the asset inventory in this SQLite file\n"
          "      --advisories DIR     match device firmware against the CSAF 2.0 advisories in DIR\n"
          "      --untrusted-vendor NAME  alert on equipment of this vendor (repeatable)\n"
          "      --alert-new-devices  alert on new devices even while the inventory is built\n"
          "\n"
          "  -o, --set NAME=VALUE     set any config setting (see --list-settings)\n"
          "      --list-settings      print every setting of the config file\n"
          "      --list-decoders      print the decoders, built-in and loaded\n"
          "  -V, --version            print the version\n"
          "  -h, --help               print this help\n"
          "\n"
          "Commands: mamori profile check FILE..., mamori baseline show|diff|approve ...,\n"
          "          mamori inventory --db FILE [--format table|json|csv] [--at TIME | --diff FROM TO]\n"
          "\n"
          "See mamori(8) for the config file, the records written and the exit status.\n",
          out);
}

static int set_option(struct mamori_config *cfg, const char *option, const char *name, const char *value,
                      char *err, size_t errlen)
{
    char why[CONFIG_ERROR_MAX];
    if (config_set(cfg, name, value, why, sizeof why) == 0)
        return 0;
    /* Name the option the user typed rather than the setting behind it. */
    const char *colon = strchr(why, ':');
    snprintf(err, errlen, "%s%s", option, colon ? colon : why);
    return -1;
}

static int add_file(struct mamori_config *cfg, const char *path, char *err, size_t errlen)
{
    if (cfg->n_files >= CONFIG_MAX_FILES) {
        snprintf(err, errlen, "-r: at most %d capture files", CONFIG_MAX_FILES);
        return -1;
    }
    char *copy = strdup(path);
    if (!copy) {
        snprintf(err, errlen, "-r: out of memory");
        return -1;
    }
    cfg->files[cfg->n_files++] = copy;
    return 0;
}

/* `-o NAME=VALUE` */
static int set_assignment(struct mamori_config *cfg, const char *arg, char *err, size_t errlen)
{
    const char *eq = strchr(arg, '=');
    if (!eq || eq == arg) {
        snprintf(err, errlen, "--set: expected NAME=VALUE, got '%s'", arg);
        return -1;
    }
    char name[128];
    snprintf(name, sizeof name, "%.*s", (int)(eq - arg), arg);
    if (config_set(cfg, name, eq + 1, err, errlen) != 0)
        return -1;
    return 0;
}

/* The first pass: only what must be known before anything else. */
static enum config_action scan_first(int argc, char **argv, const char **config_path, char *err, size_t errlen)
{
    enum config_action action = CONFIG_RUN;
    int opt;
    optind = 0;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, short_options, long_options, NULL)) != -1) {
        switch (opt) {
        case 'c': *config_path = optarg; break;
        case 'h': return CONFIG_HELP;
        case 'V': action = CONFIG_VERSION; break;
        case '?':
            if (optopt)
                snprintf(err, errlen, "unknown option '-%c' (see --help)", optopt);
            else
                snprintf(err, errlen, "unknown option '%s' (see --help)", argv[optind - 1]);
            return CONFIG_ERROR;
        case ':':
            snprintf(err, errlen, "option '%s' needs a value", argv[optind - 1]);
            return CONFIG_ERROR;
        default: break;
        }
    }
    return action;
}

static char *join_operands(int argc, char **argv, int first)
{
    size_t len = 1;
    for (int i = first; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *text = calloc(1, len);
    if (!text)
        return NULL;
    for (int i = first; i < argc; i++) {
        if (i > first)
            strcat(text, " ");
        strcat(text, argv[i]);
    }
    return text;
}

/* The name a message uses for an option: its long form. */
static const char *option_display(int opt)
{
    static char name[40];
    for (const struct option *o = long_options; o->name; o++)
        if (o->val == opt) {
            snprintf(name, sizeof name, "--%s", o->name);
            return name;
        }
    return "option";
}

static int apply_option(struct mamori_config *cfg, int opt, bool *interface_on_cli, char *err, size_t errlen)
{
    const char *opt_name = option_display(opt);
    switch (opt) {
    case 'r': return add_file(cfg, optarg, err, errlen);
    case 'i':
        *interface_on_cli = true;
        return set_option(cfg, opt_name, "capture.interface", optarg, err, errlen);
    case 'w': return set_option(cfg, opt_name, "workers.count", optarg, err, errlen);
    case 'l': return set_option(cfg, opt_name, "output.log_dir", optarg, err, errlen);
    case 'u': return set_option(cfg, opt_name, "privileges.user", optarg, err, errlen);
    case 's': return set_option(cfg, opt_name, "capture.snaplen", optarg, err, errlen);
    case 'B': return set_option(cfg, opt_name, "capture.buffer_size", optarg, err, errlen);
    case 'p': cfg->promiscuous = false; return 0;
    case 'o': return set_assignment(cfg, optarg, err, errlen);
    case OPT_DECODER: return set_option(cfg, opt_name, "decoders.plugins", optarg, err, errlen);
    case OPT_STATS_INTERVAL: return set_option(cfg, opt_name, "output.stats_interval", optarg, err, errlen);
    case OPT_MAX_FLOWS: return set_option(cfg, opt_name, "flows.max_flows", optarg, err, errlen);
    case OPT_IMMEDIATE: cfg->immediate = true; return 0;
    case OPT_NO_IMMEDIATE: cfg->immediate = false; return 0;
    case OPT_NO_PROGRESS: cfg->progress = false; return 0;
    case OPT_NO_EVENT_LOG: cfg->log_events = false; return 0;
    case OPT_NO_DETAIL: cfg->pipeline.want_detail = false; return 0;
    case OPT_NO_NDPI: cfg->pipeline.classify = false; return 0;
    case OPT_NO_DECODERS: cfg->builtin_decoders = false; return 0;
    case OPT_HUB: return set_option(cfg, opt_name, "hub.endpoint", optarg, err, errlen);
    case OPT_HUB_KEY: return set_option(cfg, opt_name, "hub.key", optarg, err, errlen);
    case OPT_HUB_SERVER_KEY: return set_option(cfg, opt_name, "hub.hub_key", optarg, err, errlen);
    default: return 0; /* -c, -h, -V and the listings were handled in the first pass */
    }
}

enum config_action config_parse_args(struct mamori_config *cfg, int argc, char **argv, char *err,
                                     size_t errlen)
{
    config_defaults(cfg);
    const char *config_path = NULL;
    enum config_action action = scan_first(argc, argv, &config_path, err, errlen);
    if (action == CONFIG_ERROR || action == CONFIG_HELP || action == CONFIG_VERSION)
        return action;
    if (config_path && config_load_file(cfg, config_path, err, errlen) != 0)
        return CONFIG_ERROR;

    bool interface_on_cli = false, list_decoders = false, list_settings = false;
    int opt;
    optind = 0;
    while ((opt = getopt_long(argc, argv, short_options, long_options, NULL)) != -1) {
        if (opt == OPT_LIST_DECODERS)
            list_decoders = true;
        else if (opt == OPT_LIST_SETTINGS)
            list_settings = true;
        else if (apply_option(cfg, opt, &interface_on_cli, err, errlen) != 0)
            return CONFIG_ERROR;
    }
    if (list_settings)
        return CONFIG_LIST_SETTINGS;
    if (optind < argc) {
        free(cfg->filter);
        cfg->filter = join_operands(argc, argv, optind);
        if (!cfg->filter) {
            snprintf(err, errlen, "out of memory");
            return CONFIG_ERROR;
        }
    }
    if (list_decoders)
        return CONFIG_LIST_DECODERS;

    if (cfg->n_files && interface_on_cli) {
        snprintf(err, errlen, "give either -r FILE or -i INTERFACE, not both");
        return CONFIG_ERROR;
    }
    if (cfg->n_files && cfg->interface) {
        /* -r replaces the interface named in the config file. */
        free(cfg->interface);
        cfg->interface = NULL;
    }
    if (!cfg->n_files && !cfg->interface) {
        snprintf(err, errlen, "no capture source: give -r FILE or -i INTERFACE (see --help)");
        return CONFIG_ERROR;
    }
    return CONFIG_RUN;
}
