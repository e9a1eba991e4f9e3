/* config.c — the table of settings, their defaults, and parsing one value.
 *
 * Each setting is a row: dotted name, kind of value, where it is stored and
 * its allowed range. config_set() is the single place a value from the YAML
 * file or the command line is checked and stored. Reading the file is in
 * config_file.c, the command line in config_cli.c. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define US_PER_MS UINT64_C(1000)
#define US_PER_S UINT64_C(1000000)
#define US_PER_MIN (60 * US_PER_S)
#define US_PER_HOUR (60 * US_PER_MIN)
#define US_PER_DAY (24 * US_PER_HOUR)
#define KIB UINT64_C(1024)
#define MIB (1024 * KIB)
#define GIB (1024 * MIB)

#define DEFAULT_SNAPLEN 262144u
#define DEFAULT_BUFFER_BYTES (32 * MIB)
#define DEFAULT_RING_BYTES (16 * MIB)

enum value_kind { VALUE_NUMBER, VALUE_BYTES, VALUE_DURATION, VALUE_BOOL, VALUE_STRING, VALUE_PLUGIN };
enum value_width { WIDTH_SIZE, WIDTH_U64, WIDTH_U32, WIDTH_UINT };

struct setting {
    const char *name;
    enum value_kind kind;
    enum value_width width;
    size_t offset;
    uint64_t min, max;
    const char *help;
};

#define PL(field) offsetof(struct mamori_config, pipeline.field)
#define CF(field) offsetof(struct mamori_config, field)

static const struct setting settings[] = {
    {"capture.interface", VALUE_STRING, 0, CF(interface), 0, 0, "network interface to capture from (-i)"},
    {"capture.filter", VALUE_STRING, 0, CF(filter), 0, 0, "BPF filter, as for tcpdump"},
    {"capture.snaplen", VALUE_NUMBER, WIDTH_U32, CF(snaplen), 64, 262144, "bytes captured per frame (-s)"},
    {"capture.buffer_size", VALUE_BYTES, WIDTH_U64, CF(buffer_bytes), 64 * KIB, 2 * GIB,
     "kernel capture buffer (-B)"},
    {"capture.immediate", VALUE_BOOL, 0, CF(immediate), 0, 0, "deliver frames at once, no batching"},
    {"capture.promiscuous", VALUE_BOOL, 0, CF(promiscuous), 0, 0, "put the interface in promiscuous mode"},
    {"flows.max_flows", VALUE_NUMBER, WIDTH_SIZE, PL(max_flows), 1, 100000000, "flows tracked per worker"},
    {"flows.tcp_idle_timeout", VALUE_DURATION, WIDTH_U64, PL(tcp_idle_timeout_us), US_PER_MS, 365 * US_PER_DAY,
     "established TCP flow without packets"},
    {"flows.tcp_closed_timeout", VALUE_DURATION, WIDTH_U64, PL(tcp_closed_timeout_us), US_PER_MS,
     365 * US_PER_DAY, "TCP flow after FIN or RST"},
    {"flows.udp_idle_timeout", VALUE_DURATION, WIDTH_U64, PL(udp_idle_timeout_us), US_PER_MS, 365 * US_PER_DAY,
     "UDP flow without packets"},
    {"flows.l2_idle_timeout", VALUE_DURATION, WIDTH_U64, PL(l2_idle_timeout_us), US_PER_MS, 365 * US_PER_DAY,
     "GOOSE/SV publisher without frames"},
    {"flows.vlan_in_key", VALUE_BOOL, 0, PL(vlan_in_key), 0, 0,
     "the same addresses on two VLANs are two flows (off: one, for span ports that tag one direction)"},
    {"flows.ndpi", VALUE_BOOL, 0, PL(classify), 0, 0, "classify flows with nDPI"},
    {"reassembly.flow_bytes", VALUE_BYTES, WIDTH_SIZE, PL(reassembly_flow_bytes), 0, 1 * GIB,
     "out-of-order TCP bytes held per direction"},
    {"reassembly.total_bytes", VALUE_BYTES, WIDTH_SIZE, PL(reassembly_total_bytes), 0, 64 * GIB,
     "out-of-order TCP bytes held per worker"},
    {"defrag.max_datagrams", VALUE_NUMBER, WIDTH_SIZE, PL(defrag_max_datagrams), 0, 10000000,
     "IP datagrams being reassembled per worker"},
    {"defrag.total_bytes", VALUE_BYTES, WIDTH_SIZE, PL(defrag_total_bytes), 0, 64 * GIB,
     "fragment bytes held per worker"},
    {"defrag.timeout", VALUE_DURATION, WIDTH_U64, PL(defrag_timeout_us), US_PER_MS, US_PER_HOUR,
     "an incomplete datagram is dropped after this"},
    {"decoders.state_budget", VALUE_BYTES, WIDTH_SIZE, PL(decoder_state_budget), 1 * KIB, 1 * GIB,
     "bytes of decoder state per flow"},
    {"decoders.response_timeout", VALUE_DURATION, WIDTH_U64, PL(response_timeout_us), US_PER_MS,
     US_PER_DAY, "a request unanswered this long is reported"},
    {"decoders.detail", VALUE_BOOL, 0, PL(want_detail), 0, 0, "write the protocol detail into events"},
    {"decoders.builtin", VALUE_BOOL, 0, CF(builtin_decoders), 0, 0, "run the built-in decoders"},
    {"decoders.plugins", VALUE_PLUGIN, 0, 0, 0, 0, "decoder plugin shared objects (--decoder)"},
    {"output.log_dir", VALUE_STRING, 0, CF(log_dir), 0, 0, "directory for flow/event/alert/stats.json"},
    {"output.stats_interval", VALUE_DURATION, WIDTH_U64, CF(stats_interval_us), 0, US_PER_DAY,
     "periodic statistics; 0 for final only"},
    {"output.progress", VALUE_BOOL, 0, CF(progress), 0, 0, "progress bar on a terminal when reading files"},
    {"output.events", VALUE_BOOL, 0, CF(log_events), 0, 0, "write every decoded event to the event log"},
    {"workers.count", VALUE_NUMBER, WIDTH_UINT, CF(workers), 1, CONFIG_MAX_WORKERS, "packet-path threads"},
    {"workers.ring_size", VALUE_BYTES, WIDTH_U64, CF(ring_bytes), 2 * MIB, 4 * GIB,
     "packet ring between the reader and each worker"},
    {"privileges.user", VALUE_STRING, 0, CF(user), 0, 0, "drop root to this user after opening the capture"},
    {"hub.endpoint", VALUE_STRING, 0, CF(hub_endpoint), 0, 0, "sector hub to publish alerts to (--hub)"},
    {"hub.key", VALUE_STRING, 0, CF(hub_key), 0, 0, "this sensor's CURVE secret key file (--key)"},
    {"hub.hub_key", VALUE_STRING, 0, CF(hub_server_key), 0, 0, "the hub's CURVE public key file (--hub-key)"},
    {"hub.spool", VALUE_STRING, 0, CF(hub_spool), 0, 0, "spool file for alerts not yet acknowledged"},
    {"hub.spool_size", VALUE_BYTES, WIDTH_U64, CF(hub_spool_bytes), 64 * KIB, 64 * GIB,
     "spool bound; when full the oldest low-severity alerts go first"},
    {"hub.indicators_dir", VALUE_STRING, 0, CF(hub_indicators_dir), 0, 0,
     "directory for indicator sets pushed by the hub"},
    {"judge.sector", VALUE_STRING, 0, CF(judge_sector), 0, 0, "sector profile to judge against (--sector)"},
    {"judge.site", VALUE_STRING, 0, CF(judge_site), 0, 0, "site file laid over the sector profile (--site)"},
    {"judge.baseline", VALUE_STRING, 0, CF(judge_baseline), 0, 0, "learned baseline to judge against (--baseline)"},
    {"judge.sensor", VALUE_STRING, 0, CF(judge_sensor), 0, 0, "this sensor's name in alerts (--sensor)"},
    {"inventory.database", VALUE_STRING, 0, CF(inventory_database), 0, 0,
     "SQLite file of the asset inventory (--inventory)"},
    {"inventory.advisories", VALUE_STRING, 0, CF(inventory_advisories), 0, 0,
     "directory of CSAF 2.0 advisories to match firmware against (--advisories)"},
    {"inventory.alert_new_devices", VALUE_BOOL, 0, CF(inventory_alert_new_devices), 0, 0,
     "alert on new devices even while the inventory is built (--alert-new-devices)"},
};

#define N_SETTINGS (sizeof settings / sizeof settings[0])

void config_defaults(struct mamori_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    pipeline_config_defaults(&cfg->pipeline);
    cfg->snaplen = DEFAULT_SNAPLEN;
    cfg->buffer_bytes = DEFAULT_BUFFER_BYTES;
    cfg->immediate = false;
    cfg->promiscuous = true;
    cfg->workers = 1;
    cfg->ring_bytes = DEFAULT_RING_BYTES;
    cfg->progress = true;
    cfg->log_events = true;
    cfg->builtin_decoders = true;
    cfg->hub_spool_bytes = 64 * MIB;
}

void config_free(struct mamori_config *cfg)
{
    for (size_t i = 0; i < cfg->n_files; i++)
        free((char *)cfg->files[i]);
    for (size_t i = 0; i < cfg->n_plugins; i++)
        free(cfg->plugins[i]);
    free(cfg->interface);
    free(cfg->filter);
    free(cfg->log_dir);
    free(cfg->user);
    free(cfg->hub_endpoint);
    free(cfg->hub_key);
    free(cfg->hub_server_key);
    free(cfg->hub_spool);
    free(cfg->hub_indicators_dir);
    free(cfg->judge_sector);
    free(cfg->judge_site);
    free(cfg->judge_baseline);
    free(cfg->judge_sensor);
    free(cfg->inventory_database);
    free(cfg->inventory_advisories);
    memset(cfg, 0, sizeof *cfg);
}

static const struct setting *find_setting(const char *name)
{
    for (size_t i = 0; i < N_SETTINGS; i++)
        if (strcmp(settings[i].name, name) == 0)
            return &settings[i];
    return NULL;
}

/* Splits "123unit" into the number and the unit text; false when there are
 * no digits or the number overflows. */
static bool split_number(const char *text, uint64_t *number, const char **unit)
{
    if (*text < '0' || *text > '9')
        return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno == ERANGE)
        return false;
    *number = v;
    *unit = end;
    return true;
}

static bool multiply(uint64_t v, uint64_t unit, uint64_t *out)
{
    if (unit && v > UINT64_MAX / unit)
        return false;
    *out = v * unit;
    return true;
}

static bool parse_bytes(const char *text, uint64_t *out)
{
    static const struct { const char *suffix; uint64_t unit; } units[] = {
        {"", 1}, {"b", 1}, {"k", KIB}, {"kb", KIB}, {"kib", KIB}, {"m", MIB}, {"mb", MIB},
        {"mib", MIB}, {"g", GIB}, {"gb", GIB}, {"gib", GIB},
    };
    uint64_t v;
    const char *unit;
    if (!split_number(text, &v, &unit))
        return false;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcasecmp(unit, units[i].suffix) == 0)
            return multiply(v, units[i].unit, out);
    return false;
}

static bool parse_duration(const char *text, uint64_t *out)
{
    static const struct { const char *suffix; uint64_t unit; } units[] = {
        {"", US_PER_S}, {"us", 1}, {"ms", US_PER_MS}, {"s", US_PER_S}, {"m", US_PER_MIN},
        {"min", US_PER_MIN}, {"h", US_PER_HOUR}, {"d", US_PER_DAY},
    };
    uint64_t v;
    const char *unit;
    if (!split_number(text, &v, &unit))
        return false;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(unit, units[i].suffix) == 0)
            return multiply(v, units[i].unit, out);
    return false;
}

static bool parse_plain_number(const char *text, uint64_t *out)
{
    const char *unit;
    return split_number(text, out, &unit) && *unit == '\0';
}

static bool parse_bool(const char *text, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1"};
    static const char *const no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(text, yes[i]) == 0) {
            *out = true;
            return true;
        }
        if (strcasecmp(text, no[i]) == 0) {
            *out = false;
            return true;
        }
    }
    return false;
}

static void store_number(struct mamori_config *cfg, const struct setting *s, uint64_t v)
{
    char *field = (char *)cfg + s->offset;
    switch (s->width) {
    case WIDTH_SIZE: { size_t x = (size_t)v; memcpy(field, &x, sizeof x); break; }
    case WIDTH_U64: memcpy(field, &v, sizeof v); break;
    case WIDTH_U32: { uint32_t x = (uint32_t)v; memcpy(field, &x, sizeof x); break; }
    case WIDTH_UINT: { unsigned x = (unsigned)v; memcpy(field, &x, sizeof x); break; }
    }
}

/* Formats a range bound the way the setting is written. */
static void format_bound(const struct setting *s, uint64_t v, char *out, size_t outlen)
{
    if (s->kind == VALUE_DURATION) {
        if (v % US_PER_DAY == 0 && v)
            snprintf(out, outlen, "%" PRIu64 "d", v / US_PER_DAY);
        else if (v % US_PER_HOUR == 0 && v)
            snprintf(out, outlen, "%" PRIu64 "h", v / US_PER_HOUR);
        else if (v % US_PER_S == 0)
            snprintf(out, outlen, "%" PRIu64 "s", v / US_PER_S);
        else
            snprintf(out, outlen, "%" PRIu64 "ms", v / US_PER_MS);
    } else if (s->kind == VALUE_BYTES) {
        if (v % GIB == 0 && v)
            snprintf(out, outlen, "%" PRIu64 "G", v / GIB);
        else if (v % MIB == 0 && v)
            snprintf(out, outlen, "%" PRIu64 "M", v / MIB);
        else if (v % KIB == 0 && v)
            snprintf(out, outlen, "%" PRIu64 "K", v / KIB);
        else
            snprintf(out, outlen, "%" PRIu64, v);
    } else {
        snprintf(out, outlen, "%" PRIu64, v);
    }
}

static int set_string(char **field, const char *value, char *err, size_t errlen, const char *name)
{
    if (!value[0]) {
        snprintf(err, errlen, "%s: expected a non-empty text", name);
        return -1;
    }
    char *copy = strdup(value);
    if (!copy) {
        snprintf(err, errlen, "%s: out of memory", name);
        return -1;
    }
    free(*field);
    *field = copy;
    return 0;
}

int config_set(struct mamori_config *cfg, const char *name, const char *value, char *err, size_t errlen)
{
    const struct setting *s = find_setting(name);
    if (!s) {
        snprintf(err, errlen, "%s: unknown setting (mamori --list-settings shows them all)", name);
        return -1;
    }
    uint64_t v = 0;
    bool ok = true;
    const char *expected = "";
    switch (s->kind) {
    case VALUE_STRING:
        return set_string((char **)((char *)cfg + s->offset), value, err, errlen, name);
    case VALUE_PLUGIN:
        if (cfg->n_plugins >= CONFIG_MAX_PLUGINS) {
            snprintf(err, errlen, "%s: at most %d decoder plugins", name, CONFIG_MAX_PLUGINS);
            return -1;
        }
        if (set_string(&cfg->plugins[cfg->n_plugins], value, err, errlen, name) != 0)
            return -1;
        cfg->n_plugins++;
        return 0;
    case VALUE_BOOL: {
        bool b;
        if (!parse_bool(value, &b)) {
            snprintf(err, errlen, "%s: expected true or false, got '%s'", name, value);
            return -1;
        }
        memcpy((char *)cfg + s->offset, &b, sizeof b);
        return 0;
    }
    case VALUE_NUMBER:
        ok = parse_plain_number(value, &v);
        expected = "a whole number";
        break;
    case VALUE_BYTES:
        ok = parse_bytes(value, &v);
        expected = "a size in bytes (K, M or G suffix allowed)";
        break;
    case VALUE_DURATION:
        ok = parse_duration(value, &v);
        expected = "a duration (a whole number with us, ms, s, m, h or d)";
        break;
    }
    if (!ok || v < s->min || v > s->max) {
        char lo[32], hi[32];
        format_bound(s, s->min, lo, sizeof lo);
        format_bound(s, s->max, hi, sizeof hi);
        snprintf(err, errlen, "%s: expected %s from %s to %s, got '%s'", name, expected, lo, hi, value);
        return -1;
    }
    store_number(cfg, s, v);
    return 0;
}

void config_list_settings(FILE *out)
{
    static const char *const kind_names[] = {"number", "size", "duration", "bool", "text", "path"};
    for (size_t i = 0; i < N_SETTINGS; i++)
        fprintf(out, "%-26s %-8s %s\n", settings[i].name, kind_names[settings[i].kind], settings[i].help);
}
